import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Upload } from '@aws-sdk/lib-storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { startSandbox } from '../../sandbox/server';
import { adminCall, useSandbox } from '../helpers/sandbox';

/** S3, Glue and Secrets Manager through the sandbox's router (versitygw and moto behind it), with the real SDK clients. */
const ctx = useSandbox();
let s3: S3Client;
let glue: GlueClient;
let secrets: SecretsManagerClient;

beforeAll(() => {
  s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  glue = new GlueClient({ region: 'us-east-1' });
  secrets = new SecretsManagerClient({ region: 'us-east-1' });
});

describe('sandbox: S3 (REST-XML, path-style)', () => {
  it('puts, heads, gets (whole and ranged), lists with prefix and continuation, deletes', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'raw-zone' }));
    for (let i = 0; i < 5; i++) {
      await s3.send(new PutObjectCommand({ Bucket: 'raw-zone', Key: `customers/part-${i}.csv`, Body: `id,email\n${i},x\n` }));
    }
    await s3.send(new PutObjectCommand({ Bucket: 'raw-zone', Key: 'other/readme.txt', Body: 'hello' }));

    expect((await s3.send(new HeadObjectCommand({ Bucket: 'raw-zone', Key: 'customers/part-0.csv' }))).ContentLength).toBe(13);
    const whole = await s3.send(new GetObjectCommand({ Bucket: 'raw-zone', Key: 'customers/part-3.csv' }));
    expect(await whole.Body!.transformToString()).toBe('id,email\n3,x\n');
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'raw-zone', Key: 'customers/part-3.csv', Range: 'bytes=3-7' }));
    expect(await ranged.Body!.transformToString()).toBe('email');

    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'raw-zone', Prefix: 'customers/' })) {
      pages += 1;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toBe(3);
    expect(keys).toEqual([0, 1, 2, 3, 4].map((i) => `customers/part-${i}.csv`));

    await s3.send(new DeleteObjectCommand({ Bucket: 'raw-zone', Key: 'customers/part-0.csv' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: 'raw-zone', Key: 'customers/part-0.csv' }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('takes a multipart upload from lib-storage and streams it back intact', { timeout: 60_000 }, async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'clean-zone' }));
    const data = randomBytes(12 * 1024 * 1024);
    const upload = new Upload({ client: s3, params: { Bucket: 'clean-zone', Key: 'big/part-0.parquet', Body: data }, partSize: 5 * 1024 * 1024 });
    let parts = 0;
    upload.on('httpUploadProgress', () => (parts += 1));
    await upload.done();
    expect(parts).toBeGreaterThanOrEqual(3);
    const back = await s3.send(new GetObjectCommand({ Bucket: 'clean-zone', Key: 'big/part-0.parquet' }));
    const digest = createHash('sha256');
    for await (const chunk of back.Body as AsyncIterable<Uint8Array>) digest.update(chunk);
    expect(digest.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    const counters = (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;
    expect(counters['s3:CreateMultipartUpload']).toBe(1);
    expect(counters['s3:UploadPart']).toBe(3);
    expect(counters['s3:CompleteMultipartUpload']).toBe(1);
  });

  it('serves clients configured for any region, and copies objects', async () => {
    const elsewhere = new S3Client({ region: 'eu-west-1', forcePathStyle: true });
    await elsewhere.send(new CreateBucketCommand({ Bucket: 'eu-zone', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await elsewhere.send(new PutObjectCommand({ Bucket: 'eu-zone', Key: 'a b/ü+1.csv', Body: 'id\n1\n' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'eu-zone', Key: 'copy.csv', CopySource: `eu-zone/${encodeURIComponent('a b/ü+1.csv')}` }));
    const copied = await elsewhere.send(new GetObjectCommand({ Bucket: 'eu-zone', Key: 'copy.csv' }));
    expect(await copied.Body!.transformToString()).toBe('id\n1\n');
  });

  it("answers injected throttling with S3's SlowDown, retried by the SDK", { timeout: 30_000 }, async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'slow' }));
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 's3', operation: 'PutObject', throttle: 1 }] });
    const err = (await s3.send(new PutObjectCommand({ Bucket: 'slow', Key: 'k', Body: 'v' })).catch((e: unknown) => e)) as Error & { $metadata: { attempts?: number } };
    expect(err.name).toBe('SlowDown');
    expect(err.$metadata.attempts).toBeGreaterThan(1);
  });
});

describe('sandbox: S3 requests it will not read', () => {
  it('refuses a CreateBucket body over 16 MiB with S3\'s 400 MaxMessageLengthExceeded and closes the connection', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${ctx.sandbox.url}/big-bucket`, {
        method: 'PUT',
        agent: false,
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
          'content-length': 17 * 1024 * 1024,
        },
      });
      req.once('response', (answer) => resolve(answer.resume()));
      req.once('error', reject);
      req.write('<CreateBucketConfiguration>');
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers.connection).toBe('close');
    await s3.send(new CreateBucketCommand({ Bucket: 'after-big-request' }));
  });
});

describe('sandbox: Glue Data Catalog (JSON 1.1)', () => {
  it('creates, reads, updates, lists and deletes a table', async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
    const columns = [{ Name: 'unique_id', Type: 'string' }, { Name: 'email', Type: 'string' }];
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'identity',
        TableInput: { Name: 'customers', StorageDescriptor: { Columns: columns, Location: 's3://clean-zone/customers/' } },
      }),
    );
    const table = await glue.send(new GetTableCommand({ DatabaseName: 'identity', Name: 'customers' }));
    expect(table.Table?.StorageDescriptor?.Location).toBe('s3://clean-zone/customers/');
    await glue.send(
      new UpdateTableCommand({
        DatabaseName: 'identity',
        TableInput: { Name: 'customers', StorageDescriptor: { Columns: [...columns, { Name: 'phone', Type: 'string' }], Location: 's3://clean-zone/customers/' } },
      }),
    );
    const tables = await glue.send(new GetTablesCommand({ DatabaseName: 'identity' }));
    expect(tables.TableList?.[0]?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['unique_id', 'email', 'phone']);
    await glue.send(new DeleteTableCommand({ DatabaseName: 'identity', Name: 'customers' }));
    const gone = (await glue.send(new GetTableCommand({ DatabaseName: 'identity', Name: 'customers' })).catch((e: unknown) => e)) as Error;
    expect(gone.name).toBe('EntityNotFoundException');
  });

  it('answers injected throttling with ThrottlingException', { timeout: 30_000 }, async () => {
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'glue', operation: 'GetDatabases', throttle: 1 }] });
    const err = (await glue.send(new GetDatabasesCommand({})).catch((e: unknown) => e)) as Error & { $metadata: { attempts?: number } };
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.attempts).toBeGreaterThan(1);
    await adminCall(ctx.sandbox, 'PUT', '/faults', {});
    expect((await glue.send(new GetDatabasesCommand({}))).DatabaseList).toEqual([]);
  });
});

describe('sandbox: Secrets Manager (JSON 1.1)', () => {
  it('creates, reads and rotates a secret value', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'tiktok/advertiser', SecretString: '{"access_token":"t1"}' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'tiktok/advertiser' }))).SecretString).toBe('{"access_token":"t1"}');
    await secrets.send(new PutSecretValueCommand({ SecretId: 'tiktok/advertiser', SecretString: '{"access_token":"t2"}' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'tiktok/advertiser' }))).SecretString).toBe('{"access_token":"t2"}');
  });

  it("answers a missing secret with 400, the JSON protocol's status for every error its model lists (moto sends 404)", async () => {
    const err = await secrets.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' })).then(
      () => undefined,
      (e: unknown) => e as ResourceNotFoundException,
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err?.$metadata.httpStatusCode).toBe(400);
  });
});

describe('sandbox: one account id across services', () => {
  it("gives Glue's and Secrets Manager's resources the account Entity Resolution's ARNs carry", async () => {
    const secret = await secrets.send(new CreateSecretCommand({ Name: 'uid2/api', SecretString: 'k' }));
    expect(secret.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${SANDBOX_ACCOUNT}:secret:uid2/api-`));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
    await glue.send(new CreateTableCommand({ DatabaseName: 'identity', TableInput: { Name: 'customers' } }));
    expect((await glue.send(new GetTableCommand({ DatabaseName: 'identity', Name: 'customers' }))).Table?.CatalogId).toBe(SANDBOX_ACCOUNT);
  });
});

describe('sandbox: S3 and Glue state across a restart', () => {
  it('keeps what was stored across a restart when given a data folder, and forgets it on reset', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-moto-'));
    try {
      const first = await startSandbox({ port: 0, dataDir });
      const client = (url: string) => new S3Client({ region: 'us-east-1', forcePathStyle: true, endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      await client(first.url).send(new CreateBucketCommand({ Bucket: 'kept' }));
      await client(first.url).send(new PutObjectCommand({ Bucket: 'kept', Key: 'a/b.csv', Body: 'id\n1\n' }));
      await first.close();
      const second = await startSandbox({ port: 0, dataDir });
      try {
        const back = await client(second.url).send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/b.csv' }));
        expect(await back.Body!.transformToString()).toBe('id\n1\n');
        await adminCall(second, 'POST', '/reset');
      } finally {
        await second.close();
      }
      const third = await startSandbox({ port: 0, dataDir });
      try {
        const gone = (await client(third.url).send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/b.csv' })).catch((e: unknown) => e)) as Error;
        expect(gone.name).toBe('NoSuchBucket');
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sandbox: on a machine configured for AWS', () => {
  it('keeps the user\'s AWS settings from its emulators: a profile moto cannot find does not break Glue', { timeout: 60_000 }, async () => {
    const saved = { profile: process.env.AWS_PROFILE, s3: process.env.AWS_ENDPOINT_URL_S3 };
    process.env.AWS_PROFILE = 'identity-workflows-no-such-profile';
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9';
    const configured = await startSandbox({ port: 0 });
    restore('AWS_PROFILE', saved.profile);
    restore('AWS_ENDPOINT_URL_S3', saved.s3);
    try {
      const client = new GlueClient({ region: 'us-east-1', endpoint: configured.url, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'configured_machine' } }));
      const { DatabaseList } = await client.send(new GetDatabasesCommand({}));
      expect(DatabaseList?.map((d) => d.Name)).toContain('configured_machine');
      client.destroy();
    } finally {
      await configured.close();
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
