import { CreateDatabaseCommand, CreateTableCommand, GetDatabasesCommand, GetTablesCommand, GlueClient, paginateGetTables } from '@aws-sdk/client-glue';
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSandbox } from '../helpers/sandbox';

/** Glue and Secrets Manager (JSON 1.1, served by moto) checked against their service models, and Glue's list paging, through the real SDK clients. */
const ctx = useSandbox();
let glue: GlueClient;
let secrets: SecretsManagerClient;

beforeAll(() => {
  glue = new GlueClient({ region: 'us-east-1' });
  secrets = new SecretsManagerClient({ region: 'us-east-1' });
});

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } });

async function tables(database: string, count: number): Promise<void> {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  for (let i = 1; i <= count; i++) await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: { Name: `t${i}` } }));
}

describe('sandbox: JSON 1.1 inputs checked against the service models', () => {
  it('answers a Glue MaxResults out of the model range with ValidationException naming the member', async () => {
    const err = await errorOf(glue.send(new GetTablesCommand({ DatabaseName: 'identity', MaxResults: 101 })));
    expect(err?.name).toBe('ValidationException');
    expect(err?.$metadata.httpStatusCode).toBe(400);
    expect(err?.message).toBe("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
    expect((await errorOf(glue.send(new GetDatabasesCommand({ MaxResults: 0 }))))?.name).toBe('ValidationException');
  });

  it('names a nested member in lowerCamelCase and never quotes its value', async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
    const long = 'x'.repeat(256);
    const err = await errorOf(glue.send(new CreateTableCommand({ DatabaseName: 'identity', TableInput: { Name: long } })));
    expect(err?.name).toBe('ValidationException');
    expect(err?.message).toBe("1 validation error detected: Value at 'tableInput.name' failed to satisfy constraint: Member must have length less than or equal to 255");
  });

  it('checks Secrets Manager inputs the same way', async () => {
    expect((await errorOf(secrets.send(new ListSecretsCommand({ MaxResults: 101 }))))?.message).toMatch(/^1 validation error detected: Value at 'maxResults' /);
    const err = await errorOf(secrets.send(new CreateSecretCommand({ Name: 'n'.repeat(513), SecretString: 'not echoed' })));
    expect(err?.name).toBe('ValidationException');
    expect(err?.message).toContain("Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 512");
    expect(err?.message).not.toContain('not echoed');
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    const res = await fetch(ctx.sandbox.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSGlue.GetDatabases',
        authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/glue/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{"MaxResults":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});

describe('sandbox: Glue list paging', () => {
  it('pages GetTables by MaxResults with a NextToken, every table once', async () => {
    await tables('paged', 5);
    const first = await glue.send(new GetTablesCommand({ DatabaseName: 'paged', MaxResults: 2 }));
    expect(first.TableList).toHaveLength(2);
    expect(first.NextToken).toBeTruthy();
    const names: string[] = [];
    for await (const page of paginateGetTables({ client: glue, pageSize: 2 }, { DatabaseName: 'paged' })) {
      expect(page.TableList!.length).toBeLessThanOrEqual(2);
      names.push(...page.TableList!.map((t) => t.Name!));
    }
    expect(names.sort()).toEqual(['t1', 't2', 't3', 't4', 't5']);
    const whole = await glue.send(new GetTablesCommand({ DatabaseName: 'paged' }));
    expect(whole.TableList).toHaveLength(5);
    expect(whole.NextToken).toBeUndefined();
  });

  it('pages GetDatabases, and refuses a NextToken it did not issue with InvalidInputException', async () => {
    for (const Name of ['a', 'b', 'c']) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name } }));
    const first = await glue.send(new GetDatabasesCommand({ MaxResults: 2 }));
    const second = await glue.send(new GetDatabasesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect([...first.DatabaseList!, ...second.DatabaseList!].map((d) => d.Name).sort()).toEqual(['a', 'b', 'c']);
    expect(second.NextToken).toBeUndefined();
    const err = await errorOf(glue.send(new GetDatabasesCommand({ NextToken: 'not-ours' })));
    expect(err?.name).toBe('InvalidInputException');
    expect(err?.$metadata.httpStatusCode).toBe(400);
  });

  it('answers an unknown database as moto does, at the protocol status', async () => {
    const err = await errorOf(glue.send(new GetTablesCommand({ DatabaseName: 'missing', MaxResults: 1 })));
    expect(err?.name).toBe('EntityNotFoundException');
    expect(err?.$metadata.httpStatusCode).toBe(400);
  });
});
