import { request, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import {
  ConflictException,
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  GetMatchIdCommand,
  ListSchemaMappingsCommand,
  type SchemaInputAttribute,
} from '@aws-sdk/client-entityresolution';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../helpers/sandbox';

// Every 5xx the sandbox produces is logged: this suite keeps the lines to check them.
const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { base: undefined },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  }),
);
const ctx = useSandbox({ emulators: false, logger });
const er = () => ctx.aws.entityResolution;

const authorization = (service: string) => `AWS4-HMAC-SHA256 Credential=sandbox/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

/** A REST-JSON call as any HTTP client could send it, signed just enough to be routed. */
async function rawCall(method: string, path: string, body?: string, service = 'entityresolution') {
  const res = await fetch(`${ctx.sandbox.url}${path}`, { method, body, headers: { authorization: authorization(service), 'content-type': 'application/json' } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const fields: SchemaInputAttribute[] = [
  { fieldName: 'unique_id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
];

describe('sandbox HTTP edge: malformed requests get a modelled 4xx', () => {
  it.each([
    ['a JSON body of null', 'POST', '/schemas', 'null'],
    ['a JSON array as the body', 'POST', '/schemas', '[]'],
    ['a body that is not JSON', 'POST', '/schemas', '{"schemaName": '],
    ['null items in a list member', 'POST', '/schemas', JSON.stringify({ schemaName: 'customers', mappedInputFields: [null, null] })],
    ['malformed percent-encoding in a path label', 'GET', '/schemas/%E0%A4%A', undefined],
  ])('%s → 400 ValidationException with a message, in the REST-JSON error form', async (_case, method, path, body) => {
    const res = await rawCall(method, path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('answers Data Exchange with its own message member (Message)', async () => {
    const res = await rawCall('GET', '/v1/data-sets/%ZZ', undefined, 'dataexchange');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(res.body.Message).toEqual(expect.any(String));
  });

  it('treats a null member as absent, as the SDKs do', async () => {
    const res = await rawCall('POST', '/schemas', JSON.stringify({ schemaName: 'customers', description: null, mappedInputFields: fields }));
    expect(res.status).toBe(200);
    expect(res.body.schemaName).toBe('customers');
  });
});

describe('sandbox HTTP edge: unknown operations', () => {
  it('answers a path no operation has with 404 UnknownOperationException, not a missing resource', async () => {
    const res = await rawCall('GET', '/no-such-operation');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('answers a known path with a method no operation uses the same way', async () => {
    const res = await rawCall('PATCH', '/schemas');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});

describe('sandbox HTTP edge: error statuses from the service model', () => {
  it("sends Entity Resolution's ConflictException as 400 (its model's httpStatusCode), not 409", async () => {
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }));
    const err = await er()
      .send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }))
      .catch((e: unknown) => e as ConflictException);
    expect(err).toBeInstanceOf(ConflictException);
    expect((err as ConflictException).$metadata.httpStatusCode).toBe(400);
  });
});

/** Streams `total` bytes of a JSON string member to CreateSchemaMapping until the server answers; the answer and how much was sent by then. */
function streamOversizeBody(total: number, declareLength: boolean): Promise<{ res: IncomingMessage; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: authorization('entityresolution'), 'content-type': 'application/json' };
    if (declareLength) headers['content-length'] = total;
    const req = request(`${ctx.sandbox.url}/schemas`, { method: 'POST', headers, agent: false });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    let answered = false;
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (text += part));
      res.on('end', () => resolve({ res, text, sent }));
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    req.write('{"schemaName":"big","description":"');
    pump();
  });
}

describe('sandbox HTTP edge: a body over 16 MiB', () => {
  const limit = 16 * 1024 * 1024;

  it.each([
    ['declared by Content-Length', true],
    ['sent chunked, without a length', false],
  ])('%s is answered at once with 413 and Connection: close, and the next call works', { timeout: 20_000 }, async (_case, declareLength) => {
    const total = 64 * 1024 * 1024;
    const { res, text, sent } = await streamOversizeBody(total, declareLength);
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect((JSON.parse(text) as { message: string }).message).toMatch(/16 MiB/);
    // Answered well before the client finished sending: nobody waits on a body the sandbox will not read.
    expect(sent).toBeLessThan(total);
    if (!declareLength) expect(sent).toBeGreaterThan(limit);
    const next = await er().send(new ListSchemaMappingsCommand({}));
    expect(next.schemaList).toEqual([]);
  });

  it('refuses it to the SDK at once, without retries, and its pooled connections keep working', { timeout: 20_000 }, async () => {
    const big = new CreateSchemaMappingCommand({ schemaName: 'big', description: 'a'.repeat(limit + 1), mappedInputFields: fields });
    const err = await er()
      .send(big)
      .then(() => undefined, (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number; attempts?: number } });
    expect(err?.name).toBe('RequestEntityTooLargeException');
    expect(err?.$metadata).toMatchObject({ httpStatusCode: 413, attempts: 1 });
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'small', mappedInputFields: fields }));
    expect((await er().send(new ListSchemaMappingsCommand({}))).schemaList?.map((s) => s.schemaName)).toEqual(['small']);
  });
});

describe('sandbox HTTP edge: failures of the sandbox itself', () => {
  it('answers 500 InternalServerException with a generic message and a request id, and logs service, operation and request id', async () => {
    const glueTable = 'arn:aws:glue:us-east-1:000000000000:table/identity/customers';
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }));
    await er().send(
      new CreateMatchingWorkflowCommand({
        workflowName: 'rules',
        inputSourceConfig: [{ inputSourceARN: glueTable, schemaName: 'customers' }],
        outputSourceConfig: [{ outputS3Path: 's3://out/rules/', output: [{ name: 'email' }] }],
        resolutionTechniques: { resolutionType: 'RULE_MATCHING', ruleBasedProperties: { rules: [{ ruleName: 'r1', matchingKeys: ['Email'] }], attributeMatchingModel: 'ONE_TO_ONE' } },
        roleArn: 'arn:aws:iam::000000000000:role/EntityResolutionWorkflowRole',
      }),
    );
    // This sandbox runs without S3 and Glue, so a lookup fails inside it: a real internal failure.
    logLines.length = 0;
    const res = await rawCall('POST', '/matchingworkflows/rules/matches', JSON.stringify({ record: { email: 'someone@example.com' } }));
    expect(res.status).toBe(500);
    expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerException');
    const requestId = res.headers.get('x-amzn-requestid');
    expect(requestId).toBeTruthy();
    expect(res.body.message).not.toMatch(/emulators|S3|Glue/);
    expect(res.body.message).toContain(requestId);
    const logged = logLines.filter((line) => line.requestId === requestId);
    expect(logged).toEqual([expect.objectContaining({ service: 'entityresolution', operation: 'GetMatchId', requestId, status: 500 })]);
    expect(JSON.stringify(logged)).not.toContain('someone@example.com');
    // The SDK sees the modelled server error and retries it, as it would on AWS.
    const sdkErr = await er()
      .send(new GetMatchIdCommand({ workflowName: 'rules', record: { email: 'someone@example.com' } }))
      .then(() => undefined, (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } });
    expect(sdkErr?.name).toBe('InternalServerException');
    expect(sdkErr?.$metadata.httpStatusCode).toBe(500);
  });
});
