import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { conformJson11Error, conformJson11Output } from '../models/conform-json11-answer';
import { json11InputError } from '../models/json11-validation';
import { GLUE_PAGED_LISTS, glueListPage, wholeListInput } from '../services/glue-paging';
import { SandboxError } from './errors';
import { readBody } from './http-io';
import { json11ErrorStatus, sendJson11Error } from './proxy';

const JSON11 = 'application/x-amz-json-1.1';

/** The request's headers for a body the sandbox sends in place of the caller's. */
function headersFor(req: IncomingMessage, body: Buffer): IncomingHttpHeaders {
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return { ...headers, 'content-length': String(body.length) };
}

/** The emulator's whole answer to `body`, read into memory (JSON 1.1 answers are small). */
function exchange(req: IncomingMessage, upstream: string, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = request(new URL(req.url ?? '/', upstream), { method: req.method, headers: headersFor(req, body) }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.once('error', reject);
    });
    out.once('error', reject);
    out.end(body);
  });
}

/** The body as JSON, or undefined when it is not JSON (an emulator's HTML error page). */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: Buffer, requestId: string): void {
  res.writeHead(status, { 'content-type': JSON11, 'content-length': body.length, 'x-amzn-requestid': requestId });
  res.end(body);
}

/**
 * A Glue or Secrets Manager call, checked against its operation's service model before moto sees it,
 * and moto's answer sent as AWS would send it (see conform-json11-answer.ts). Glue's list operations
 * whose MaxResults moto ignores are paged here from moto's whole answer.
 */
export async function forwardJson11(req: IncomingMessage, res: ServerResponse, service: string, operation: string, upstream: string): Promise<void> {
  try {
    const body = await readBody(req);
    const refused = json11InputError(service, operation, body);
    if (refused) return sendJson11Error(res, refused, service);
    const listMember = service === 'glue' ? GLUE_PAGED_LISTS[operation] : undefined;
    const input = (parseJson(body) ?? {}) as Record<string, unknown>;
    const answer = await exchange(req, upstream, listMember ? Buffer.from(JSON.stringify(wholeListInput(input))) : body);
    const requestId = String(answer.headers['x-amzn-requestid'] ?? '');
    const parsed = parseJson(answer.body);
    if (answer.status !== 200) {
      const error = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Buffer.from(JSON.stringify(conformJson11Error(service, parsed as Record<string, unknown>))) : answer.body;
      return send(res, json11ErrorStatus(answer.status), error, requestId);
    }
    const whole = listMember ? glueListPage(listMember, input, parsed as Record<string, unknown>) : parsed;
    send(res, 200, Buffer.from(JSON.stringify(conformJson11Output(service, operation, whole))), requestId);
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    sendJson11Error(res, err, service);
  }
}
