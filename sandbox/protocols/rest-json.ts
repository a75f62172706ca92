import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SandboxError, notFound } from './errors';
import { readBody, sendJson } from './http-io';

/** A REST-JSON operation (Entity Resolution, Data Exchange, Clean Rooms, Customer Profiles). */
export interface RestJsonRoute {
  operation: string;
  method: string;
  /** Path template with {labels}, as in the service model's `requestUri`. */
  path: string;
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
      const params = Object.fromEntries(route.labels.map((label, i) => [label, decodeURIComponent(match[i + 1]!)]));
      return { route, params };
    }
  }
  return undefined;
}

/** Errors as REST-JSON services send them: the type in `x-amzn-errortype`, the message in the body. */
export function sendRestJsonError(res: ServerResponse, err: SandboxError, messageKey: 'message' | 'Message'): void {
  sendJson(res, err.status, { [messageKey]: err.message, ...err.fields }, { 'x-amzn-errortype': err.type, 'x-amzn-requestid': randomUUID() });
}

export async function serveRestJson(
  req: IncomingMessage,
  res: ServerResponse,
  routes: CompiledRoute[],
  opts: { region: string; messageKey: 'message' | 'Message'; beforeHandle?: (operation: string) => Promise<void> },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  try {
    const found = findRoute(routes, req.method ?? 'GET', url.pathname);
    if (!found) throw notFound(`No such operation: ${req.method} ${url.pathname}`);
    await opts.beforeHandle?.(found.route.operation);
    const raw = await readBody(req);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const result = await found.route.handle({ params: found.params, query: url.searchParams, body, region: opts.region });
    sendJson(res, 200, result ?? {}, { 'x-amzn-requestid': randomUUID() });
  } catch (err) {
    if (err instanceof SandboxError) return sendRestJsonError(res, err, opts.messageKey);
    if (err instanceof SyntaxError) return sendRestJsonError(res, new SandboxError(400, 'ValidationException', 'Request body is not valid JSON'), opts.messageKey);
    throw err;
  }
}
