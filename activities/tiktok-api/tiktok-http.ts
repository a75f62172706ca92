import { logger } from '../../temporal-client/logger';
import { redactPii } from '../../pii/redact';
import { parseRetryAfter } from '../amc-api/http-errors';
import { classifyTiktokCode } from './tiktok-codes';
import type { TiktokCredentialsReader } from './tiktok-credentials';
import type { TiktokTarget } from './tiktok-target';

/** TikTok answered HTTP 200 with a `code` other than 0: the envelope's code, message (redacted) and request id. */
export class TiktokApiError extends Error {
  override readonly name = 'TiktokApiError';
  constructor(
    readonly operation: string,
    readonly code: number,
    readonly detail: string,
    readonly requestId: string | undefined,
  ) {
    super(`${operation}: TikTok code ${code}${detail ? `: ${detail}` : ''}`);
  }
}

/** A non-2xx answer (or a 2xx that is not TikTok's JSON envelope). */
export class TiktokHttpError extends Error {
  override readonly name = 'TiktokHttpError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    readonly requestId: string | undefined,
    detail = '',
  ) {
    super(`${operation}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** No answer at all: a refused connection, a reset, a timeout. */
export class TiktokNetworkError extends Error {
  override readonly name = 'TiktokNetworkError';
  constructor(
    readonly operation: string,
    cause: string,
  ) {
    super(`${operation}: no answer (${cause})`);
  }
}

export interface TiktokHttpDeps {
  credentials: TiktokCredentialsReader;
  fetch: typeof fetch;
  now: () => number;
}

export interface TiktokRequest {
  /** Names the call in errors, logs and the sandbox's counters, e.g. CreateCustomAudience. */
  operation: string;
  method: 'GET' | 'POST';
  /** Under /open_api/v1.3, e.g. /dmp/custom_audience/list/. */
  path: string;
  /** GET parameters; arrays are sent as JSON text, as TikTok's SDKs encode list parameters. */
  query?: Record<string, string | number | string[]>;
  json?: Record<string, unknown>;
  form?: Record<string, string | Blob>;
  timeoutMs?: number;
}

const API_PREFIX = '/open_api/v1.3';
const TIMEOUT_MS = 60_000;
/** A SHA-256 hex digest: what a customer file's lines are. */
const HASHED_IDENTIFIER = /\b[0-9a-fA-F]{64}\b/g;
const log = logger.child({ component: 'tiktok-api' });

/**
 * One TikTok Business API call as the secret's advertiser: `Access-Token` header, `advertiser_id` added
 * to the query, JSON body or form. Answers `data` of an envelope whose code is 0; throws TiktokApiError
 * for another code, TiktokHttpError for a non-2xx, TiktokNetworkError for no answer. Logs the operation,
 * status, code and request id, never headers or bodies.
 */
export async function tiktokCall(deps: TiktokHttpDeps, target: TiktokTarget, request: TiktokRequest): Promise<Record<string, unknown>> {
  const { accessToken, advertiserId } = await deps.credentials.read(target.credentialsSecretId);
  const url = new URL(`${target.baseUrl.replace(/\/+$/, '')}${API_PREFIX}${request.path}`);
  let body: string | FormData | undefined;
  if (request.method === 'GET') {
    url.searchParams.set('advertiser_id', advertiserId);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, Array.isArray(value) ? JSON.stringify(value) : String(value));
  } else if (request.form) {
    const form = new FormData();
    form.set('advertiser_id', advertiserId);
    for (const [name, value] of Object.entries(request.form)) {
      if (typeof value === 'string') form.set(name, value);
      else form.set(name, value, (value as File).name ?? 'audience.csv');
    }
    body = form;
  } else {
    body = JSON.stringify({ advertiser_id: advertiserId, ...request.json });
  }
  let res: Response;
  let text: string;
  try {
    res = await deps.fetch(url, {
      method: request.method,
      headers: { 'access-token': accessToken, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    throw new TiktokNetworkError(request.operation, (err as Error).name);
  }
  const headerRequestId = res.headers.get('x-tt-logid') ?? undefined;
  if (!res.ok) {
    log.debug({ operation: request.operation, status: res.status, requestId: headerRequestId }, 'TikTok API call');
    throw new TiktokHttpError(request.operation, res.status, parseRetryAfter(res.headers.get('retry-after'), deps.now()), headerRequestId);
  }
  const envelope = parseEnvelope(text);
  if (!envelope) throw new TiktokHttpError(request.operation, 502, undefined, headerRequestId, 'the answer is not TikTok JSON {code, message, data}');
  const requestId = envelope.requestId ?? headerRequestId;
  log.debug({ operation: request.operation, status: res.status, code: envelope.code, requestId }, 'TikTok API call');
  if (envelope.code !== 0) {
    if (classifyTiktokCode(envelope.code) === 'token') deps.credentials.forget(target.credentialsSecretId); // it may have been rotated
    // TikTok's message may echo what was sent (a line of a customer file is a hashed identifier): redacted, and cut short.
    throw new TiktokApiError(request.operation, envelope.code, redactPii(envelope.message.slice(0, 500)).replace(HASHED_IDENTIFIER, '[redacted-hash]'), requestId);
  }
  return envelope.data;
}

function parseEnvelope(text: string): { code: number; message: string; requestId?: string; data: Record<string, unknown> } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const code = typeof b.code === 'number' ? b.code : typeof b.code === 'string' && /^\d+$/.test(b.code) ? Number(b.code) : undefined;
  if (code === undefined) return undefined;
  const data = typeof b.data === 'object' && b.data !== null && !Array.isArray(b.data) ? (b.data as Record<string, unknown>) : {};
  return { code, message: typeof b.message === 'string' ? b.message : '', requestId: typeof b.request_id === 'string' ? b.request_id : undefined, data };
}
