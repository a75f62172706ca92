import type { ServerResponse } from 'node:http';
import { closeIfAbandoned } from '../protocols/http-io';

/** The Ads API's error envelope, `{code, details}` (the shape its AMC endpoints are documented to use). */
export class AmcError extends Error {
  constructor(
    readonly status: number,
    readonly details: string,
    readonly code: string = String(status),
    readonly headers: Record<string, string> = {},
  ) {
    super(details);
  }
}

export const AMC_MEDIA_TYPE = 'application/vnd.amcinstances.v1+json';

export function sendAmc(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}, contentType = AMC_MEDIA_TYPE): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId, ...headers, ...closeIfAbandoned(res) });
  res.end(text);
}

export function sendAmcError(res: ServerResponse, err: AmcError, requestId: string): void {
  sendAmc(res, err.status, { code: err.code, details: err.details }, requestId, err.headers);
}
