import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../admin/faults';
import { SandboxError } from '../protocols/errors';
import { readBody } from '../protocols/http-io';
import type { StateStore } from '../state';
import { createAudience, deleteAudiences, getAudiences, listAudiences, updateAudience, uploadFile, type TiktokContext } from './audiences';
import { readForm } from './multipart';
import { CODES, TiktokError, sendTiktok } from './tiktok-errors';
import { tiktokStateOf } from './tiktok-state';

const API_PREFIX = '/open_api/v1.3/';

/** Whether a request is for the TikTok Business API stand-in (not SigV4-signed, so routed by path). */
export function isTiktokRequest(url: string): boolean {
  return url.startsWith(API_PREFIX);
}

type Json = Record<string, unknown>;
type BodyKind = 'query' | 'json' | 'form';
/** What a call sent: its query string, and its JSON body or form (empty when it sent none). */
interface Input {
  query: URLSearchParams;
  body: Json;
  form: FormData;
}
interface Route {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  body: BodyKind;
  serve(ctx: TiktokContext, advertiserId: string, input: Input): Json | Promise<Json>;
}

const ROUTES: Route[] = [
  { operation: 'UploadAudienceFile', method: 'POST', path: 'dmp/custom_audience/file/upload', body: 'form', serve: (ctx, a, i) => uploadFile(ctx, a, i.form) },
  { operation: 'ListCustomAudiences', method: 'GET', path: 'dmp/custom_audience/list', body: 'query', serve: (ctx, a, i) => listAudiences(ctx, a, i.query) },
  { operation: 'GetCustomAudiences', method: 'GET', path: 'dmp/custom_audience/get', body: 'query', serve: (ctx, a, i) => getAudiences(ctx, a, i.query) },
  { operation: 'CreateCustomAudience', method: 'POST', path: 'dmp/custom_audience/create', body: 'json', serve: (ctx, a, i) => createAudience(ctx, a, i.body) },
  { operation: 'UpdateCustomAudience', method: 'POST', path: 'dmp/custom_audience/update', body: 'json', serve: (ctx, a, i) => updateAudience(ctx, a, i.body) },
  { operation: 'DeleteCustomAudiences', method: 'POST', path: 'dmp/custom_audience/delete', body: 'json', serve: (ctx, a, i) => deleteAudiences(ctx, a, i.body) },
];

export interface TiktokStandIn {
  store: StateStore;
  faults: Faults;
  now?: () => number;
}

/**
 * TikTok Business API v1.3's custom-audience endpoints, answered from the sandbox's state as TikTok
 * answers: HTTP 200 with `{code, message, request_id, data}`, a refusal being a code other than 0.
 * Faults (`{service: "tiktok"}`) become code 40100 (throttle) or 50000 (server error) in a 200;
 * admin-injected refusals apply per operation.
 */
export async function serveTiktok(req: IncomingMessage, res: ServerResponse, requestId: string, standIn: TiktokStandIn): Promise<void> {
  const ctx: TiktokContext = { store: standIn.store, now: standIn.now ?? Date.now };
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  try {
    const route = ROUTES.find((r) => r.path === path && r.method === req.method);
    if (!route) throw new TiktokError(CODES.parameterError, `No operation matches ${req.method} ${url.pathname}`, 404);
    await beforeCall(ctx, standIn.faults, route.operation);
    const credentials = authorise(ctx, req);
    const input = await readInput(req, route.body, url.searchParams);
    const sent = route.body === 'query' ? input.query.get('advertiser_id') : route.body === 'json' ? input.body.advertiser_id : input.form.get('advertiser_id');
    const advertiser = typeof sent === 'string' || typeof sent === 'number' ? String(sent) : '';
    if (advertiser === '') throw new TiktokError(CODES.parameterError, 'advertiser_id: Missing data for required field.');
    if (advertiser !== credentials.advertiserId) throw new TiktokError(CODES.noPermission, 'No permission to operate advertiser: the access token is not authorised for it');
    const data = await route.serve(ctx, credentials.advertiserId, input);
    if (standIn.faults.shouldLoseResponse('tiktok', route.operation)) {
      res.socket?.destroy();
      return;
    }
    return sendTiktok(res, requestId, data);
  } catch (err) {
    if (!(err instanceof TiktokError)) throw err;
    if (!req.readableEnded) req.resume();
    return sendTiktok(res, requestId, {}, err.code, err.message, err.httpStatus);
  }
}

/** Injected faults as TikTok reports them (inside a 200), then an admin-injected refusal of this operation. */
async function beforeCall(ctx: TiktokContext, faults: Faults, operation: string): Promise<void> {
  try {
    await faults.beforeCall('tiktok', operation);
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    throw err.status === 429
      ? new TiktokError(CODES.rateLimited, 'Too many requests: the request rate of this API exceeds the limit (injected by the sandbox)')
      : new TiktokError(CODES.systemError, 'System error (injected by the sandbox)');
  }
  const refusal = tiktokStateOf(ctx.store.get()).refusals.find((r) => (r.operation === operation || r.operation === '*') && r.remaining > 0);
  if (!refusal) return;
  ctx.store.update(() => (refusal.remaining -= 1));
  throw new TiktokError(refusal.code, refusal.message, refusal.httpStatus);
}

function authorise(ctx: TiktokContext, req: IncomingMessage): { advertiserId: string } {
  const token = req.headers['access-token'];
  if (typeof token !== 'string' || token.length === 0) throw new TiktokError(CODES.tokenEmpty, 'Access-Token is missing: send the access token in the Access-Token header');
  const credentials = tiktokStateOf(ctx.store.get()).credentials;
  if (!credentials || credentials.revoked || credentials.accessToken !== token) throw new TiktokError(CODES.tokenInvalid, 'The access token is invalid or has been revoked');
  return { advertiserId: credentials.advertiserId };
}

async function readInput(req: IncomingMessage, kind: BodyKind, query: URLSearchParams): Promise<Input> {
  if (kind === 'query') return { query, body: {}, form: new FormData() };
  if (kind === 'form') return { query, body: {}, form: await readForm(req) };
  let raw: string;
  try {
    raw = (await readBody(req)).toString('utf8');
  } catch (err) {
    if (err instanceof SandboxError) throw new TiktokError(CODES.parameterError, err.message, err.status);
    throw err;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new TiktokError(CODES.parameterError, 'The request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TiktokError(CODES.parameterError, 'The request body must be a JSON object');
  return { query, body: body as Json, form: new FormData() };
}
