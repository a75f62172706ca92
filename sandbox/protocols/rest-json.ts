import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { SandboxError, internalFailure, unknownOperation, validation } from './errors';
import { logInternalFailure } from './internal-failure';
import { readBody, sendJson } from './http-io';
import { parseJsonBody } from './json-body';

/** A REST-JSON operation (Entity Resolution, Data Exchange, Clean Rooms, Customer Profiles). */
export interface RestJsonRoute {
  operation: string;
  method: string;
  /** Path template with {labels}, as in the service model's `requestUri`. */
  path: string;
  /** The status of a successful answer; 200 unless set. */
  responseCode?: number;
  handle(req: RestJsonRequest): unknown;
}

export interface RestJsonRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  region: string;
}

interface CompiledRoute extends RestJsonRoute {
  pattern: RegExp;
  labels: string[];
}

export function compileRoutes(routes: RestJsonRoute[]): CompiledRoute[] {
  return routes.map((route) => {
    const labels: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, label: string) => {
      labels.push(label);
      return '([^/]+)';
    });
    return { ...route, labels, pattern: new RegExp(`^${source}/?$`) };
  });
}

export function findRoute(routes: CompiledRoute[], method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(pathname);
    if (match) {
      const params = Object.fromEntries(route.labels.map((label, i) => [label, decodeLabel(label, match[i + 1]!)]));
      return { route, params };
    }
  }
  return undefined;
}

function decodeLabel(label: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw validation(`The path label '${label}' is not valid percent-encoding`);
  }
}

/** Errors as REST-JSON services send them: the type in `x-amzn-errortype`, the message in the body. */
export function sendRestJsonError(res: ServerResponse, err: SandboxError, messageKey: 'message' | 'Message', requestId: string): void {
  sendJson(res, err.status, { [messageKey]: err.message, ...err.fields }, { 'x-amzn-errortype': err.type, 'x-amzn-requestid': requestId });
}

export interface RestJsonCall {
  service: string;
  region: string;
  requestId: string;
  messageKey: 'message' | 'Message';
  /** Where failures of the sandbox itself are logged (never their request's data). */
  logger: Logger;
  beforeHandle?: (operation: string) => Promise<void>;
  /** Asked once the operation has run: true drops the answer (the connection is closed), a lost response. */
  loseResponse?: (operation: string) => boolean;
}

/** Any request becomes an answer: a modelled error for what the client sent, a logged 500 for what went wrong inside. */
export async function serveRestJson(req: IncomingMessage, res: ServerResponse, routes: CompiledRoute[], call: RestJsonCall): Promise<void> {
  const method = req.method ?? 'GET';
  let operation: string | undefined;
  try {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const found = findRoute(routes, method, url.pathname);
    if (!found) throw unknownOperation(method, url.pathname);
    operation = found.route.operation;
    await call.beforeHandle?.(operation);
    const body = parseJsonBody(await readBody(req));
    const result = await found.route.handle({ params: found.params, query: url.searchParams, body, region: call.region });
    if (call.loseResponse?.(operation)) {
      res.socket?.destroy();
      return;
    }
    const status = found.route.responseCode ?? 200;
    sendJson(res, status, status === 204 ? undefined : (result ?? {}), { 'x-amzn-requestid': call.requestId });
  } catch (err) {
    if (err instanceof SandboxError) return sendRestJsonError(res, err, call.messageKey, call.requestId);
    logInternalFailure(call.logger, err, { service: call.service, operation, requestId: call.requestId });
    sendRestJsonError(res, internalFailure(call.requestId), call.messageKey, call.requestId);
  }
}
