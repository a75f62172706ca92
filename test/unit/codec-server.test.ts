import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_ENCODING_KEY, defaultPayloadConverter, str } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../temporal-client/codec/codec-server';
import type { CodecKeyring } from '../../temporal-client/codec/keyring';

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
    expect(server.keyIds).toEqual(['k1']);
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
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Namespace, Authorization, Authorization-Extras');
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

  describe('reads the body as proto3 JSON of a Payloads message, as Temporal clients send it', () => {
    const encode = async (body: unknown) => {
      const res = await post(server, '/encode', JSON.stringify(body));
      return { status: res.status, body: (await res.json()) as { payloads: Partial<JsonPayload>[]; error?: string } };
    };

    it('takes {} (no arguments: the Temporal CLI sends it for a query or signal without input) as an empty list', async () => {
      expect(await encode({})).toEqual({ status: 200, body: { payloads: [] } });
      expect(await encode({ payloads: null })).toEqual({ status: 200, body: { payloads: [] } });
    });

    it('takes absent or null metadata and data as empty, and leaves empty fields out of its answer', async () => {
      const encoded = await encode({ payloads: [{ metadata: { encoding: Buffer.from('binary/null').toString('base64') } }, { data: null, metadata: null }, {}] });
      expect(encoded.status).toBe(200);
      const decoded = (await (await post(server, '/decode', JSON.stringify(encoded.body))).json()) as { payloads: Partial<JsonPayload>[] };
      expect(decoded.payloads).toEqual([{ metadata: { encoding: Buffer.from('binary/null').toString('base64') } }, {}, {}]);
    });

    it('takes URL-safe and unpadded base64', async () => {
      const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01]);
      const urlSafe = bytes.toString('base64url');
      expect(urlSafe).toMatch(/[-_]/);
      const encoded = await encode({ payloads: [{ metadata: { encoding: Buffer.from('binary/plain').toString('base64url') }, data: urlSafe }] });
      expect(encoded.status).toBe(200);
      const decoded = (await (await post(server, '/decode', JSON.stringify(encoded.body))).json()) as { payloads: JsonPayload[] };
      expect(Buffer.from(decoded.payloads[0]!.data, 'base64').equals(bytes)).toBe(true);
    });

    it('keeps externalPayloads, given by JSON or proto field name', async () => {
      for (const field of ['externalPayloads', 'external_payloads']) {
        const encoded = await encode({ payloads: [{ ...toJson('x'), [field]: [{ sizeBytes: '2048' }] }] });
        expect(encoded.status).toBe(200);
        const decoded = (await (await post(server, '/decode', JSON.stringify(encoded.body))).json()) as { payloads: object[] };
        expect(decoded.payloads).toEqual([{ ...toJson('x'), externalPayloads: [{ sizeBytes: '2048' }] }]);
      }
    });

    it('refuses unknown fields, bad base64 and a body that is not an object with 400, naming the field', async () => {
      const unknown = await encode({ payload: [] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toBe('invalid Payloads JSON at body: unknown field(s) "payload"');
      const badBytes = await encode({ payloads: [{ data: 'abcde' }] });
      expect(badBytes.status).toBe(400);
      expect(badBytes.body.error).toBe('invalid Payloads JSON at payloads.0.data: expected base64');
      expect((await encode([])).body.error).toBe('invalid Payloads JSON at body: expected a JSON object');
      expect((await encode({ payloads: [null] })).status).toBe(400);
    });
  });

  it('serves /encode and /decode under any path prefix (only the last segment counts), e.g. /default/decode or //decode', async () => {
    for (const path of ['/default/encode', '//encode', '/codec/default/encode']) {
      const res = await post(server, path, JSON.stringify({ payloads: [toJson(1)] }));
      expect(res.status, path).toBe(200);
    }
    expect((await post(server, '/default/decode', '{}')).status).toBe(200);
  });

  it('answers the Web UI as it calls: preflight for its headers, then POST with X-Namespace and credentials', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,authorization-extras,content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    for (const header of ['authorization', 'authorization-extras', 'content-type', 'x-namespace']) expect(allowed).toContain(header);

    const encoded = (await (await post(server, '/encode', JSON.stringify({ payloads: [toJson({ email: SECRET })] }))).json()) as object;
    const res = await post(server, '/decode', JSON.stringify(encoded), { Origin: UI_ORIGIN, 'X-Namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(((await res.json()) as { payloads: JsonPayload[] }).payloads).toEqual([toJson({ email: SECRET })]);
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
