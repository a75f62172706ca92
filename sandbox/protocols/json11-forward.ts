import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { json11InputError } from '../models/json11-validation';
import { GLUE_PAGED_LISTS, glueListPage, wholeListInput } from '../services/glue-paging';
import { SandboxError } from './errors';
import { readBody } from './http-io';
import { json11ErrorStatus, proxyTo, sendJson11Error } from './proxy';

const JSON11 = 'application/x-amz-json-1.1';

/** The request's headers for a body the sandbox sends in place of the caller's. */
function headersFor(req: IncomingMessage, body: Buffer): IncomingHttpHeaders {
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return { ...headers, 'content-length': String(body.length) };
}

/** The emulator's whole answer to `body`, read into memory (list answers only). */
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

/**
 * A Glue or Secrets Manager call, checked against its operation's service model before moto sees it;
 * Glue's list operations whose MaxResults moto ignores are paged here from moto's whole answer.
 */
export async function forwardJson11(req: IncomingMessage, res: ServerResponse, service: string, operation: string, upstream: string): Promise<void> {
  try {
    const body = await readBody(req);
    const refused = json11InputError(service, operation, body);
    if (refused) return sendJson11Error(res, refused);
    const listMember = service === 'glue' ? GLUE_PAGED_LISTS[operation] : undefined;
    if (!listMember) return void (await proxyTo(req, res, upstream, headersFor(req, body), body, json11ErrorStatus));

    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    const whole = await exchange(req, upstream, Buffer.from(JSON.stringify(wholeListInput(input))));
    const requestId = String(whole.headers['x-amzn-requestid'] ?? '');
    if (whole.status !== 200) {
      res.writeHead(json11ErrorStatus(whole.status), { 'content-type': JSON11, 'content-length': whole.body.length, 'x-amzn-requestid': requestId });
      return void res.end(whole.body);
    }
    const page = Buffer.from(JSON.stringify(glueListPage(listMember, input, JSON.parse(whole.body.toString('utf8')) as Record<string, unknown>)));
    res.writeHead(200, { 'content-type': JSON11, 'content-length': page.length, 'x-amzn-requestid': requestId });
    res.end(page);
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    sendJson11Error(res, err);
  }
}
