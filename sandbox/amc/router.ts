import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../admin/faults';
import { SandboxError } from '../protocols/errors';
import { readBody } from '../protocols/http-io';
import type { StateStore } from '../state';
import { AmcError, sendAmc, sendAmcError } from './amc-errors';
import { amcStateOf, type AmcInstance } from './amc-state';
import { authorise } from './auth';
import { getCollaboration } from './collaboration';
import { exchangeRefreshToken, LwaError } from './lwa';
import { createTable, deleteTable, getJob, listJobs, listNotConnectedNamespaces, listTables, refreshTable, type InputSignature, type MappingTableContext } from './mapping-tables';

export const LWA_TOKEN_PATH = '/auth/o2/token';
const AMC_PREFIX = '/amc/';

/** Whether a request is for the Amazon Ads API stand-in (not SigV4-signed, so routed by path). */
export function isAmcRequest(url: string): boolean {
  return url.startsWith(AMC_PREFIX) || url.split('?')[0] === LWA_TOKEN_PATH;
}

type Params = { instance: AmcInstance; tableId: string; jobId: string; body: Record<string, unknown> };
interface Route {
  operation: string;
  method: string;
  path: RegExp;
  serve(ctx: MappingTableContext, p: Params): unknown;
}

const T = '/amc/instances/([^/]+)/collaboration';
const ROUTES: Route[] = [
  { operation: 'GetCollaboration', method: 'GET', path: new RegExp(`^${T}$`), serve: (ctx, p) => getCollaboration(ctx.store, p.instance) },
  { operation: 'ListCollaborationIdNamespaces', method: 'POST', path: new RegExp(`^${T}/idnamespaces/list$`), serve: (ctx, p) => listNotConnectedNamespaces(ctx, p.instance, p.body) },
  { operation: 'ListCollaborationIdMappingTables', method: 'POST', path: new RegExp(`^${T}/idmappingtables/list$`), serve: (ctx, p) => listTables(ctx, p.instance, p.body) },
  { operation: 'CreateCollaborationIdMappingTable', method: 'POST', path: new RegExp(`^${T}/idmappingtables$`), serve: (ctx, p) => createTable(ctx, p.instance, p.body) },
  { operation: 'GetCollaborationIdMappingJob', method: 'GET', path: new RegExp(`^${T}/idmappingtables/([^/]+)/jobs/([^/]+)$`), serve: (ctx, p) => getJob(ctx, p.instance, p.tableId, p.jobId) },
  { operation: 'ListCollaborationIdMappingJobs', method: 'POST', path: new RegExp(`^${T}/idmappingtables/([^/]+)/jobs/list$`), serve: (ctx, p) => listJobs(ctx, p.instance, p.tableId, p.body) },
  { operation: 'RefreshCollaborationIdMappingTable', method: 'POST', path: new RegExp(`^${T}/idmappingtables/([^/]+)/refresh$`), serve: (ctx, p) => refreshTable(ctx, p.instance, p.tableId) },
  { operation: 'DeleteCollaborationIdMappingTable', method: 'DELETE', path: new RegExp(`^${T}/idmappingtables/([^/]+)$`), serve: (ctx, p) => deleteTable(ctx, p.instance, p.tableId) },
];

export interface AmcStandIn {
  store: StateStore;
  faults: Faults;
  inputSignature: InputSignature;
  now?: () => number;
}

/**
 * The Amazon Ads API's AMC administration endpoints and Login with Amazon's token endpoint, answered
 * from the sandbox's state. Faults (`{service: "amc"}`) and admin-injected refusals apply per operation.
 */
export async function serveAmc(req: IncomingMessage, res: ServerResponse, requestId: string, standIn: AmcStandIn): Promise<void> {
  const ctx: MappingTableContext = { ...standIn, now: standIn.now ?? Date.now };
  const path = decodeURI(new URL(req.url ?? '/', 'http://sandbox').pathname);
  try {
    if (path === LWA_TOKEN_PATH) return await serveToken(req, res, requestId, ctx);
    const match = ROUTES.map((route) => ({ route, m: req.method === route.method ? route.path.exec(path) : null })).find((r) => r.m);
    if (!match) throw new AmcError(404, `No operation matches ${req.method} ${path}`, 'NOT_FOUND');
    const { route, m } = match;
    await beforeCall(ctx, route.operation);
    const instance = authorise(req, ctx.store, m![1]!, ctx.now());
    const raw = (await readBody(req)).toString('utf8');
    if (raw.length > 0 && !/^application\/(vnd\.amcinstances\.v1\+)?json/.test(req.headers['content-type'] ?? '')) {
      throw new AmcError(415, 'Content-Type must be application/vnd.amcinstances.v1+json');
    }
    const body = raw.length > 0 ? parseObject(raw) : {};
    const answer = await route.serve(ctx, { instance, tableId: m![2] ?? '', jobId: m![3] ?? '', body });
    if (ctx.faults.shouldLoseResponse('amc', route.operation)) {
      res.socket?.destroy();
      return;
    }
    return sendAmc(res, 200, answer, requestId);
  } catch (err) {
    if (err instanceof AmcError) return sendAmcError(res, err, requestId);
    if (err instanceof SandboxError) return sendAmcError(res, new AmcError(err.status, err.message), requestId); // e.g. a body over the limit
    throw err;
  }
}

async function serveToken(req: IncomingMessage, res: ServerResponse, requestId: string, ctx: MappingTableContext): Promise<void> {
  if (req.method !== 'POST') throw new AmcError(405, 'Use POST');
  await beforeCall(ctx, 'LwaToken');
  const form = new URLSearchParams((await readBody(req)).toString('utf8'));
  try {
    return sendAmc(res, 200, exchangeRefreshToken(ctx.store, form, ctx.now()), requestId, {}, 'application/json');
  } catch (err) {
    if (!(err instanceof LwaError)) throw err;
    return sendAmc(res, 400, { error: err.error, error_description: err.description }, requestId, {}, 'application/json');
  }
}

/** Injected faults (429 with Retry-After, 500), then an admin-injected refusal of this operation. */
async function beforeCall(ctx: MappingTableContext, operation: string): Promise<void> {
  try {
    await ctx.faults.beforeCall('amc', operation);
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    throw err.status === 429 ? new AmcError(429, 'Too Many Requests', 'THROTTLED', { 'retry-after': '1' }) : new AmcError(500, 'Internal Server Error (injected by the sandbox)', 'INTERNAL_ERROR');
  }
  const refusal = amcStateOf(ctx.store.get()).refusals.find((r) => (r.operation === operation || r.operation === '*') && r.remaining > 0);
  if (!refusal) return;
  ctx.store.update(() => (refusal.remaining -= 1));
  throw new AmcError(refusal.status, refusal.details, refusal.code);
}

function parseObject(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AmcError(400, 'The request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AmcError(400, 'The request body must be a JSON object');
  return body as Record<string, unknown>;
}
