import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { bearerTokenMatches } from '../bearer-token';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { CodecKeyring } from './keyring';
import { payloadsFromJson, payloadsToJson } from './payloads-json';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** What the Temporal Web UI sends: X-Namespace always, Authorization and Authorization-Extras when it passes the user's tokens. */
const CORS_ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';

export interface CodecServerLogger {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
}

export interface CodecServerOptions {
  keyring: CodecKeyring;
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Origins allowed to call from a browser, e.g. the Temporal Web UI at http://localhost:8233. */
  corsOrigins: string[];
  /** When set, every POST needs `Authorization: Bearer <authToken>`. */
  authToken?: string;
  logger?: CodecServerLogger;
}

export interface CodecServer {
  url: string;
  port: number;
  /** The key ids it decrypts (never the keys): what an operator compares with a "Cannot decrypt payload" message. */
  keyIds: string[];
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    return Promise.reject(new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const parsed = payloadsFromJson(json);
  if (!parsed.ok) throw new HttpError(400, parsed.error);
  return parsed.payloads;
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

/** Temporal codec server (POST /encode, POST /decode) for the Web UI and CLI. Payload contents are never logged. */
export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const codec = new AesGcmPayloadCodec(opts.keyring);
  const allowedOrigins = new Set(opts.corsOrigins.map((origin) => origin.replace(/\/+$/, '')));
  const host = opts.host ?? '127.0.0.1';

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Only the last path segment counts (codec protocol), so the endpoint may be mounted under a prefix such as /<namespace>.
    const pathname = (req.url ?? '/').split('?')[0]!;
    const operation = pathname.endsWith('/encode') ? '/encode' : pathname.endsWith('/decode') ? '/decode' : undefined;
    if (!operation) throw new HttpError(404, 'not found: use POST /encode or POST /decode');
    if (req.method !== 'POST' && req.method !== 'OPTIONS') {
      res.setHeader('Allow', 'POST, OPTIONS');
      throw new HttpError(405, `method ${req.method ?? ''} not allowed`);
    }

    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin !== undefined) {
      if (!allowedOrigins.has(origin)) throw new HttpError(403, 'origin not allowed');
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      send(res, 204);
      return;
    }

    if (opts.authToken !== undefined) {
      if (!bearerTokenMatches(req.headers.authorization, opts.authToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, 'missing or invalid bearer token');
      }
    }

    const payloads = parseBody(await readBody(req));
    let result: Payload[];
    try {
      result = operation === '/encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      // Codec errors name key ids and failure kinds only, never payload bytes.
      throw new HttpError(400, err instanceof Error ? err.message : 'codec failed');
    }
    send(res, 200, payloadsToJson(result));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      const path = req.url?.split('?')[0];
      opts.logger?.warn('codec server request failed', { method: req.method, path, status, error: err instanceof Error ? err.message : message });
      if (status === 413) res.setHeader('Connection', 'close');
      if (!res.headersSent) send(res, status, { error: message });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  opts.logger?.info('codec server listening', { url, corsOrigins: [...allowedOrigins], auth: opts.authToken !== undefined });

  return {
    url,
    port,
    keyIds: Object.keys(opts.keyring.byId),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
