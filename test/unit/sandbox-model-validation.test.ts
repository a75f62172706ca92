import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SandboxError } from '../../sandbox/protocols/errors';
import type { RestJsonRequest, RestJsonRoute } from '../../sandbox/protocols/rest-json';
import { withModelValidation } from '../../sandbox/models/model-validation';
import { loadServiceModel } from '../../sandbox/models/service-model';
import { validateInput, validationMessage, type ParsedRequest } from '../../sandbox/models/validate-input';
import { validateOutput } from '../../sandbox/models/validate-output';

const er = loadServiceModel('entityresolution');
const dx = loadServiceModel('dataexchange');
const request = (body: unknown, params: Record<string, string> = {}, query = ''): ParsedRequest => ({ params, query: new URLSearchParams(query), body });
const fieldBounds = er.shapes.SchemaInputAttributes!;
const fields = (count: number) => [{ fieldName: 'unique_id', type: 'UNIQUE_ID' }, ...Array.from({ length: count - 1 }, (_, i) => ({ fieldName: `f${i}`, type: 'STRING' }))];
const minimalSchemaMapping = { schemaName: 'customers', mappedInputFields: fields(2) };

describe('botocore service models', () => {
  it('give each operation its HTTP route and its modelled errors with their status', () => {
    const op = er.operations.get('CreateSchemaMapping')!;
    expect(op).toMatchObject({ method: 'POST', requestUri: '/schemas', input: 'CreateSchemaMappingInput' });
    expect(op.errors).toContainEqual({ name: 'ConflictException', status: 400 });
    expect(op.errors).toContainEqual({ name: 'ValidationException', status: 400 });
    expect(dx.operations.get('GetDataSet')).toMatchObject({ method: 'GET', requestUri: '/v1/data-sets/{DataSetId}' });
  });

  it('say clearly how to install them when they are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-botocore-'));
    expect(() => loadServiceModel('entityresolution', empty)).toThrow(/npm run setup/);
  });
});

describe('input validation from the model', () => {
  it('accepts a valid minimal input', () => {
    expect(validateInput(er, 'CreateSchemaMapping', request(minimalSchemaMapping))).toEqual([]);
  });

  it('refuses a missing required member, naming it', () => {
    expect(validateInput(er, 'CreateSchemaMapping', request({ mappedInputFields: fields(2) }))).toEqual([{ path: 'schemaName', constraint: 'Member must not be null' }]);
  });

  it('refuses a description over 255 characters without echoing the value', () => {
    const description = 'secret-'.repeat(40);
    const violations = validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, description }));
    expect(violations).toEqual([{ path: 'description', constraint: 'Member must have length less than or equal to 255' }]);
    expect(validationMessage(violations)).toBe("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 255");
    expect(validationMessage(violations)).not.toContain('secret');
  });

  it('refuses maxResults out of the range the model gives ListMatchingWorkflows, read from the query string', () => {
    const max = er.shapes.ListMatchingWorkflowsInputMaxResultsInteger!.max!;
    expect(validateInput(er, 'ListMatchingWorkflows', request({}, {}, `maxResults=${max}`))).toEqual([]);
    expect(validateInput(er, 'ListMatchingWorkflows', request({}, {}, `maxResults=${max + 1}`))).toEqual([{ path: 'maxResults', constraint: `Member must have value less than or equal to ${max}` }]);
    expect(validateInput(er, 'ListMatchingWorkflows', request({}, {}, 'maxResults=many'))).toEqual([{ path: 'maxResults', constraint: 'Member must be of type integer' }]);
  });

  it('refuses a value outside an enum inside a list, naming the element', () => {
    const body = { ...minimalSchemaMapping, mappedInputFields: [...fields(2), { fieldName: 'x', type: 'SHOE_SIZE' }] };
    const [violation] = validateInput(er, 'CreateSchemaMapping', request(body));
    expect(violation!.path).toBe('mappedInputFields.3.member.type');
    expect(violation!.constraint).toMatch(/^Member must satisfy enum value set: \[.*UNIQUE_ID.*\]$/);
  });

  it(`bounds mappedInputFields as the model does (${fieldBounds.min}–${fieldBounds.max})`, () => {
    const check = (count: number) => validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, mappedInputFields: fields(count) }));
    expect(check(fieldBounds.max!)).toEqual([]);
    expect(check(fieldBounds.max! + 1)).toEqual([{ path: 'mappedInputFields', constraint: `Member must have length less than or equal to ${fieldBounds.max}` }]);
    expect(check(fieldBounds.min! - 1)).toEqual([{ path: 'mappedInputFields', constraint: `Member must have length greater than or equal to ${fieldBounds.min}` }]);
  });

  it('refuses a name that breaks the pattern, matched against the whole value', () => {
    expect(validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, schemaName: 'bad name!' }))).toEqual([
      { path: 'schemaName', constraint: `Member must satisfy regular expression pattern: ${er.shapes.EntityName!.pattern}` },
    ]);
  });

  it('checks path labels against their shapes', () => {
    expect(validateInput(er, 'GetSchemaMapping', request({}, { schemaName: 'x'.repeat(256) }))).toEqual([{ path: 'schemaName', constraint: 'Member must have length less than or equal to 255' }]);
  });

  it('refuses a body that is not an object, null list items and wrong types', () => {
    expect(validateInput(er, 'CreateSchemaMapping', request(null))).toEqual([{ path: 'body', constraint: 'Request body must be a JSON object' }]);
    expect(validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, mappedInputFields: [...fields(2), null] }))).toEqual([
      { path: 'mappedInputFields.3.member', constraint: 'Member must not be null' },
    ]);
    expect(validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, schemaName: 7 }))).toEqual([{ path: 'schemaName', constraint: 'Member must be of type string' }]);
  });

  it('names a map member by the map, never by its key', () => {
    const violations = validateInput(er, 'CreateSchemaMapping', request({ ...minimalSchemaMapping, tags: { 'alice@example.com': 'v'.repeat(257) } }));
    expect(violations).toEqual([{ path: 'tags.value', constraint: 'Member must have length less than or equal to 256' }]);
  });

  it('validates Data Exchange inputs too', () => {
    expect(validateInput(dx, 'ListDataSets', request({}, {}, 'maxResults=0'))[0]).toMatchObject({ path: 'MaxResults' });
    expect(validateInput(dx, 'ListDataSets', request({}, {}, 'origin=ENTITLED'))).toEqual([]);
  });
});

describe('withModelValidation', () => {
  const route = (overrides: Partial<RestJsonRoute> = {}): RestJsonRoute => ({ operation: 'CreateSchemaMapping', method: 'POST', path: '/schemas', handle: vi.fn(() => ({ ok: true })), ...overrides });
  const req = (body: unknown): RestJsonRequest => ({ params: {}, query: new URLSearchParams(), body: body as Record<string, unknown>, region: 'us-east-1' });

  it('refuses an invalid input with the modelled ValidationException before the handler runs', async () => {
    const handler = vi.fn(() => ({ ok: true }));
    const [wrapped] = withModelValidation('entityresolution', [route({ handle: handler })], er);
    const err: unknown = await Promise.resolve(wrapped!.handle(req({ mappedInputFields: fields(2) }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect(err).toMatchObject({ status: 400, type: 'ValidationException', message: "1 validation error detected: Value at 'schemaName' failed to satisfy constraint: Member must not be null" });
    expect(handler).not.toHaveBeenCalled();
  });

  it('fails at start for a route the model does not state', () => {
    expect(() => withModelValidation('entityresolution', [route({ operation: 'MakeCoffee' })], er)).toThrow(/not an operation/);
    expect(() => withModelValidation('entityresolution', [route({ method: 'PUT' })], er)).toThrow(/service model says POST \/schemas/);
  });
});

describe('withModelValidation on the way out', () => {
  const schemaArn = 'arn:aws:entityresolution:us-east-1:000000000000:schemamapping/customers';
  const DataSetId = 'a'.repeat(32);
  const created = { ...minimalSchemaMapping, schemaArn, description: '' };
  const wrap = (handle: RestJsonRoute['handle'], model = er, operation = 'CreateSchemaMapping', method = 'POST', path = '/schemas') =>
    withModelValidation(model.service, [{ operation, method, path, handle }], model)[0]!;
  const call = (route: RestJsonRoute, body: unknown = minimalSchemaMapping, params: Record<string, string> = {}) =>
    Promise.resolve(route.handle({ params, query: new URLSearchParams(), body: body as Record<string, unknown>, region: 'us-east-1' }));

  it('passes an answer that keeps to the output shape', async () => {
    await expect(call(wrap(() => created))).resolves.toEqual(created);
  });

  it('turns an answer outside the output shape into a fault of the sandbox, naming the member, never the value', async () => {
    const err = await call(wrap(() => ({ ...created, schemaArn: 'arn:aws:entityresolution:us-east-1:123:schemamapping/x', secret: 'jane@example.com' }))).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(SandboxError);
    expect((err as Error).message).toMatch(/CreateSchemaMapping answered outside its output shape: 2 validation errors/);
    expect((err as Error).message).toContain("Value at 'schemaArn' failed to satisfy constraint: Member must satisfy regular expression pattern");
    expect((err as Error).message).toContain("Value at 'secret' failed to satisfy constraint: Member is not in the shape");
    expect((err as Error).message).not.toContain('jane@example.com');
    await expect(call(wrap(() => ({ schemaName: 'customers', schemaArn, mappedInputFields: fields(2) })))).rejects.toThrow("Value at 'description' failed to satisfy constraint: Member must not be null");
  });

  it('sends a modelled error at the status its model gives, and refuses to send one the operation does not list', async () => {
    const dxGet = (handle: RestJsonRoute['handle']) => wrap(handle, dx, 'GetDataSet', 'GET', '/v1/data-sets/{DataSetId}');
    // Data Exchange's ResourceNotFoundException is 404 in its model: a handler's hand-set status is overridden.
    await expect(call(dxGet(() => { throw new SandboxError(400, 'ResourceNotFoundException', 'no such data set'); }), {}, { DataSetId })).rejects.toMatchObject({ status: 404, type: 'ResourceNotFoundException' });
    const unlisted = await call(dxGet(() => { throw new SandboxError(409, 'ConflictException', 'busy'); }), {}, { DataSetId }).catch((e: unknown) => e);
    expect(unlisted).not.toBeInstanceOf(SandboxError);
    expect((unlisted as Error).message).toBe('dataexchange GetDataSet answered ConflictException, which its service model does not list for it');
  });

  it('checks timestamps as each model writes them: epoch seconds in Entity Resolution, ISO 8601 in Data Exchange', () => {
    const mapping = { ...created, hasWorkflows: false, createdAt: 1796593288.1, updatedAt: 1796593288 };
    expect(validateOutput(er, 'GetSchemaMapping', mapping)).toEqual([]);
    expect(validateOutput(er, 'GetSchemaMapping', { ...mapping, createdAt: '2026-12-06T21:00:00Z' })).toEqual([{ path: 'createdAt', constraint: 'Member must be a timestamp in epoch seconds' }]);
    const dataSet = { Id: DataSetId, CreatedAt: '2026-12-06T21:00:00.000Z' };
    expect(validateOutput(dx, 'GetDataSet', dataSet)).toEqual([]);
    expect(validateOutput(dx, 'GetDataSet', { ...dataSet, CreatedAt: 1796593288 })).toEqual([{ path: 'CreatedAt', constraint: 'Member must be an ISO 8601 timestamp' }]);
  });

  it('answers with the response code the model gives the operation', () => {
    expect(wrap(() => created).responseCode).toBe(200);
    expect(withModelValidation('dataexchange', [], dx)).toEqual([]);
    expect(dx.operations.get('CreateDataSet')!.responseCode).toBe(201);
    expect(dx.operations.get('DeleteDataSet')!.responseCode).toBe(204);
  });
});
