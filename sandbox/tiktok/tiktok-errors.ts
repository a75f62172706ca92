import type { ServerResponse } from 'node:http';
import { closeIfAbandoned } from '../protocols/http-io';

/** A refusal as TikTok sends it: HTTP 200 with `code` ≠ 0 (or, for transport faults, an HTTP status). */
export class TiktokError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

// Codes the public pages name; the stand-in's choice where TikTok publishes none (documented in docs/sandbox.md).
export const CODES = {
  noPermission: 40001,
  parameterError: 40002,
  rateLimited: 40100,
  tokenEmpty: 40104,
  tokenInvalid: 40105,
  fileInvalid: 40908,
  filePathUnknown: 40909,
  systemError: 50000,
} as const;

/** TikTok's envelope `{code, message, request_id, data}`, with the request id also in `X-Tt-Logid`. */
export function sendTiktok(res: ServerResponse, requestId: string, data: unknown, code = 0, message = 'OK', httpStatus = 200): void {
  const text = JSON.stringify({ code, message, request_id: requestId, data: data ?? {} });
  res.writeHead(httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-tt-logid': requestId, ...closeIfAbandoned(res) });
  res.end(text);
}
