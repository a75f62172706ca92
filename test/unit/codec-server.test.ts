import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_ENCODING_KEY, defaultPayloadConverter, str } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../worker/codec/codec-server';
import type { CodecKeyring } from '../../worker/codec/keyring';

const UI_ORIGIN = 'http://localhost:8233';
const SECRET = 'bob@example.com';
const key = randomBytes(32);
const keyring: CodecKeyring = { current: { id: 'k1', key }, byId: { k1: key } };

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

function toJson(value: unknown): JsonPayload {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

const metadataValue = (p: JsonPayload, k: string) => str(Buffer.from(p.metadata[k] ?? '', 'base64'));

describe('codec server', () => {
  let server: CodecServer;
  let secured: CodecServer;
  const warnings: object[] = [];
  const logger = { info: () => undefined, warn: (_msg: string, meta?: object) => void warnings.push(meta ?? {}) };

  const post = (base: CodecServer, path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base.url}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });

  beforeAll(async () => {
    server = await startCodecServer({ keyring, port: 0, corsOrigins: [UI_ORIGIN], logger });
    secured = await startCodecServer({ keyring, port: 0, corsOrigins: [UI_ORIGIN], authToken: 's3cret-token', logger });
  });
  afterAll(async () => {
    await Promise.all([server?.close(), secured?.close()]);
  });

  it('listens on the real port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('round-trips payloads through /encode and /decode', async () => {
    const payloads = [toJson({ email: SECRET }), toJson('plain string')];
    const encodeRes = await post(server, '/encode', JSON.stringify({ payloads }));
    expect(encodeRes.status).toBe(200);
    expect(encodeRes.headers.get('content-type')).toBe('application/json');
    const encoded = (await encodeRes.json()) as { payloads: JsonPayload[] };
    expect(encoded.payloads).toHaveLength(2);
    expect(metadataValue(encoded.payloads[0]!, METADATA_ENCODING_KEY)).toBe('binary/encrypted');
    expect(metadataValue(encoded.payloads[0]!, 'encryption-key-id')).toBe('k1');
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').includes(SECRET)).toBe(false);

    const decodeRes = await post(server, '/decode', JSON.stringify(encoded));
    expect(decodeRes.status).toBe(200);
    const decoded = (await decodeRes.json()) as { payloads: JsonPayload[] };
    expect(decoded.payloads).toEqual(payloads);
    expect(JSON.stringify(warnings)).not.toContain(SECRET);
  });

  it('answers the CORS preflight for an allowed origin', async () => {
    const res = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Namespace, Authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('sets the allowed origin on POST responses', async () => {
    const res = await post(server, '/decode', JSON.stringify({ payloads: [] }), { Origin: UI_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  it('refuses an unlisted origin', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post(server, '/decode', JSON.stringify({ payloads: [] }), { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 with a JSON error for a malformed body', async () => {
    const badJson = await post(server, '/encode', '{ not json');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not valid JSON/);

    const badShape = await post(server, '/decode', JSON.stringify({ payloads: [{ data: 'not base64!' }] }));
    expect(badShape.status).toBe(400);
    expect(await badShape.json()).toHaveProperty('error');
  });

  it('answers 400 naming the key id when a payload cannot be decrypted', async () => {
    const encoded = (await (await post(server, '/encode', JSON.stringify({ payloads: [toJson(SECRET)] }))).json()) as {
      payloads: JsonPayload[];
    };
    const foreign = { ...encoded.payloads[0]!, metadata: { ...encoded.payloads[0]!.metadata, 'encryption-key-id': Buffer.from('gone').toString('base64') } };
    const res = await post(server, '/decode', JSON.stringify({ payloads: [foreign] }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('"gone"');
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    expect((await post(server, '/other', '{}')).status).toBe(404);
    const get = await fetch(`${server.url}/decode`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('answers 413 above 4 MiB', async () => {
    const res = await post(server, '/encode', JSON.stringify({ payloads: [{ data: 'A'.repeat(4 * 1024 * 1024 + 4) }] }));
    expect(res.status).toBe(413);
  });

  it('enforces the bearer token when one is configured', async () => {
    const body = JSON.stringify({ payloads: [toJson(1)] });
    expect((await post(secured, '/encode', body)).status).toBe(401);
    expect((await post(secured, '/encode', body, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(secured, '/encode', body, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
    const preflight = await fetch(`${secured.url}/encode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
  });
});
