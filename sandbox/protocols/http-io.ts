import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyTooLarge } from './errors';

export const MAX_BODY = 16 * 1024 * 1024;
/** How long the rest of a refused body is still taken (and thrown away) after the answer, before the connection is cut. */
const LINGER_MS = 2_000;

/** Requests whose body the sandbox stopped reading: their answer closes the connection. */
const abandoned = new WeakSet<IncomingMessage>();

/**
 * The whole request body, or a 413 as soon as it passes MAX_BODY (at once when its Content-Length says so).
 * The rest of an oversize body is never read: the answer closes the connection instead (see sendJson).
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const refuse = () => {
    abandoned.add(req);
    lingerOnClose(req);
    return bodyTooLarge(MAX_BODY);
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return Promise.reject(refuse());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) return void chunks.push(chunk);
      req.off('data', onData);
      reject(refuse());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * The header that closes the connection after an answer to a request whose body was not read: Node then ends and
 * destroys the socket once the answer is sent, so a client still sending is cut off, not left waiting.
 */
export function closeIfAbandoned(res: ServerResponse): Record<string, string> {
  return abandoned.has(res.req) ? { connection: 'close' } : {};
}

/**
 * After a `Connection: close` answer Node ends the socket and destroys it, and destroying it while the client is
 * still sending makes the kernel reset the connection, which can lose the answer before the client reads it. This
 * socket instead sends its end and throws away what still arrives until the client closes, or LINGER_MS passes.
 */
function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    req.resume();
    socket.setTimeout(LINGER_MS, () => socket.destroy());
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers, ...closeIfAbandoned(res) });
  res.end(text);
}
