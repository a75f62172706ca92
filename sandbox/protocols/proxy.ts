import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { conformJson11Error } from '../models/conform-json11-answer';
import { SandboxError } from './errors';
import { closeIfAbandoned, sendJson } from './http-io';

/**
 * Streams a request to the emulator behind the router and its answer back, holding neither body in
 * memory (or sends `body` instead, when the router had to read and change it); resolves with the
 * answer's status once it is sent. `answerStatus` corrects a status the emulator gets wrong.
 */
export function proxyTo(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  headers: OutgoingHttpHeaders = req.headers,
  body?: Buffer,
  answerStatus: (status: number) => number = (status) => status,
): Promise<number> {
  const target = new URL(req.url ?? '/', upstream);
  return new Promise((resolve, reject) => {
    const out = request(target, { method: req.method, headers }, (answer) => {
      const status = answerStatus(answer.statusCode ?? 502);
      const { status: _werkzeugStatus, ...answerHeaders } = answer.headers;
      res.writeHead(status, answerHeaders);
      answer.pipe(res);
      answer.once('end', () => resolve(status));
      answer.once('error', reject);
    });
    out.once('error', reject);
    if (body) out.end(body);
    else req.pipe(out);
  });
}

/** Name of an S3 REST-XML call, for fault rules and counters (path-style addressing). */
export function s3Operation(method: string, url: string): string {
  const { pathname, searchParams } = new URL(url, 'http://sandbox');
  const hasKey = pathname.split('/').filter(Boolean).length > 1;
  if (hasKey) {
    if (method === 'GET') return 'GetObject';
    if (method === 'HEAD') return 'HeadObject';
    if (method === 'DELETE') return searchParams.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    if (method === 'PUT') return searchParams.has('uploadId') ? 'UploadPart' : 'PutObject';
    if (method === 'POST') return searchParams.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
  }
  if (method === 'GET') return searchParams.get('list-type') === '2' ? 'ListObjectsV2' : pathname === '/' ? 'ListBuckets' : 'ListObjects';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'HEAD') return 'HeadBucket';
  return method === 'POST' && searchParams.has('delete') ? 'DeleteObjects' : `${method}Bucket`;
}

/**
 * moto sends some JSON 1.1 client errors as 404 (Secrets Manager's ResourceNotFoundException) where AWS sends 400:
 * neither Glue's nor Secrets Manager's model gives any error an httpStatusCode, so each is the protocol's 400.
 */
export const json11ErrorStatus = (status: number): number => (status >= 400 && status < 500 ? 400 : status);

/** Name of a JSON 1.1 call from its `X-Amz-Target` (`AWSGlue.CreateTable`, `secretsmanager.GetSecretValue`). */
export function json11Operation(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split('.').pop() ?? 'Unknown';
}

/** An injected fault or refused request in S3's REST-XML error format (throttling is S3's 503 SlowDown, an oversize body its 400 MaxMessageLengthExceeded). */
export function sendS3Error(res: ServerResponse, err: SandboxError): void {
  const throttle = err.status === 429;
  const tooLarge = err.status === 413;
  const code = throttle ? 'SlowDown' : tooLarge ? 'MaxMessageLengthExceeded' : err.status >= 500 ? 'InternalError' : err.type;
  const status = throttle ? 503 : tooLarge ? 400 : err.status;
  const requestId = randomUUID();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${err.message}</Message><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId, ...closeIfAbandoned(res) });
  res.end(body);
}

/** An injected fault or a refused request in the JSON 1.1 error format (`__type`, the message under the member the service's model names). */
export function sendJson11Error(res: ServerResponse, err: SandboxError, service: string): void {
  const body = conformJson11Error(service, { __type: err.type, message: err.message });
  sendJson(res, err.status === 429 ? 400 : err.status, body, { 'x-amzn-requestid': randomUUID() });
}
