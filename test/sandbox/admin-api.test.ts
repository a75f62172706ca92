import { request } from 'node:http';
import { CreateSchemaMappingCommand, EntityResolutionClient, GetSchemaMappingCommand } from '@aws-sdk/client-entityresolution';
import { describe, expect, it } from 'vitest';
import { Faults } from '../../sandbox/admin/faults';
import { startSandbox } from '../../sandbox/server';
import { adminCall, useSandbox } from '../helpers/sandbox';

const ctx = useSandbox({ emulators: false });

/** A raw request, so the test controls Host and Origin as a browser would send them. */
function send(url: string, opts: { method: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: { error?: string; entitled?: string[] } }>((resolve, reject) => {
    const req = request(`${url}/_sandbox${opts.path}`, { method: opts.method, headers: opts.headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as object) : {} }));
    });
    req.once('error', reject);
    req.end(opts.body);
  });
}

const entitled = async () => ((await adminCall(ctx.sandbox, 'POST', '/data-exchange/revoke', { dataSetId: 'none' })) as { entitled: string[] }).entitled;

describe('sandbox admin API: cross-origin requests', () => {
  it('refuses a request from another web page and leaves the state as it was', async () => {
    const res = await send(ctx.sandbox.url, {
      method: 'POST',
      path: '/data-exchange/entitle',
      headers: { origin: 'https://attacker.example', 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('https://attacker.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await entitled()).toEqual([]);
  });

  it('answers a CORS preflight without allowing anything', async () => {
    const res = await send(ctx.sandbox.url, {
      method: 'OPTIONS',
      path: '/reset',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a DNS-rebinding request (a foreign host name resolving to 127.0.0.1)', async () => {
    const port = new URL(ctx.sandbox.url).port;
    const res = await send(ctx.sandbox.url, { method: 'POST', path: '/reset', headers: { host: `rebound.attacker.example:${port}` } });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('Host');
  });

  it("accepts its own origin, localhost, and tools that send no Origin (tests, the demo, curl)", async () => {
    const port = new URL(ctx.sandbox.url).port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const res = await send(ctx.sandbox.url, { method: 'POST', path: '/data-exchange/entitle', headers: { origin, host: `localhost:${port}` }, body: '{}' });
      expect(res.status).toBe(200);
    }
    expect(await adminCall(ctx.sandbox, 'GET', '/health')).toMatchObject({ status: 'ok' });
  });

  it('with a token configured, requires it as a bearer token', async () => {
    const sandbox = await startSandbox({ port: 0, emulators: false, adminToken: 'tok-123' });
    try {
      expect((await send(sandbox.url, { method: 'POST', path: '/reset' })).status).toBe(401);
      expect((await send(sandbox.url, { method: 'POST', path: '/reset', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await send(sandbox.url, { method: 'POST', path: '/reset', headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
      process.env.SANDBOX_ADMIN_TOKEN = 'tok-123';
      expect(await adminCall(sandbox, 'GET', '/health')).toMatchObject({ status: 'ok' });
    } finally {
      delete process.env.SANDBOX_ADMIN_TOKEN;
      await sandbox.close();
    }
  });
});

describe('sandbox admin API: fault rules', () => {
  it('rejects an unknown service with a 400 naming the field', async () => {
    const res = await send(ctx.sandbox.url, {
      method: 'PUT',
      path: '/faults',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ service: 'dynamodb', throttle: 1 }] }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^rules\.0\.service: .*entityresolution/);
  });

  it('rejects a malformed operation, a probability above 1 and an unknown field', async () => {
    for (const [rule, field] of [
      [{ service: 's3', operation: 'get data set' }, 'rules.0.operation'],
      [{ service: 's3', serverError: 1.5 }, 'rules.0.serverError'],
      [{ service: 's3', latencyMs: -1 }, 'rules.0.latencyMs'],
      [{ service: 's3', throtle: 0.5 }, 'rules.0'],
    ] as const) {
      await expect(adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [rule] })).rejects.toThrow(new RegExp(`400 .*${field.replace('.', '\\.')}`));
    }
  });

  it('"*" as the service matches every service', async () => {
    const faults = new Faults({ rules: [{ service: '*', serverError: 1 }] });
    for (const service of ['dataexchange', 's3', 'glue']) {
      await expect(faults.beforeCall(service, 'AnyOperation')).rejects.toThrow();
    }
    expect(faults.counters['s3:AnyOperation:serverError']).toBe(1);
  });

  it('lostResponse: the operation runs and its effect stays, the connection closes unanswered, and the counters say so', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'entityresolution', operation: 'CreateSchemaMapping', lostResponse: 1 }] });
    const once = new EntityResolutionClient({ region: 'us-east-1', maxAttempts: 1 });
    try {
      const fields = [
        { fieldName: 'id', type: 'UNIQUE_ID' as const },
        { fieldName: 'email', type: 'EMAIL_ADDRESS' as const },
      ];
      const err = await once.send(new CreateSchemaMappingCommand({ schemaName: 'lost', mappedInputFields: fields })).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
      expect((await once.send(new GetSchemaMappingCommand({ schemaName: 'lost' }))).schemaName).toBe('lost');
    } finally {
      once.destroy();
    }
    expect(await adminCall(ctx.sandbox, 'GET', '/counters')).toMatchObject({
      'entityresolution:CreateSchemaMapping': 1,
      'entityresolution:CreateSchemaMapping:lostResponse': 1,
      'entityresolution:GetSchemaMapping': 1,
    });
    expect(new Faults({ rules: [{ service: 'amc', lostResponse: 0.5 }] }).current().rules[0]).toMatchObject({ lostResponse: 0.5, throttle: 0 });
  });

  it('refuses lostResponse for the services forwarded to the emulators (S3, Glue, Secrets Manager)', async () => {
    await expect(adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 's3', lostResponse: 1 }] })).rejects.toThrow(/400 .*rules\.0\.lostResponse: applies to the services the sandbox answers itself/);
  });

  it('a rule without lostResponse draws no extra number: seeded throttles fall on the same calls as before', async () => {
    const draws = async (withLostCheck: boolean) => {
      const faults = new Faults({ seed: 3, rules: [{ service: 'amc', throttle: 0.5 }] });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 20; i += 1) {
        outcomes.push(await faults.beforeCall('amc', 'Op').then(() => false, () => true));
        if (withLostCheck) expect(faults.shouldLoseResponse('amc', 'Op')).toBe(false);
      }
      return outcomes;
    };
    expect(await draws(true)).toEqual(await draws(false));
  });
});
