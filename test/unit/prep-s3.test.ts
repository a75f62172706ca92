import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareFile } from '../../pii/prep/run/prepare-file';
import { PrepInputError } from '../../pii/prep/read/input-errors';
import { adminCall, useSandboxBuckets } from '../helpers/sandbox';
import { parseCsv, rules, useTempDir } from '../fixtures/prep/harness';

/** prepareFile from and to S3 on the local sandbox (versitygw behind it): ranged reads, multipart uploads, checksums. */
const ctx = useSandboxBuckets('raw');
const tmp = useTempDir();
let s3: S3Client;
beforeAll(() => {
  s3 = ctx.aws.s3;
});

const uid2 = rules({ profile: 'uid2', columns: { email: 'EMAIL', phone: 'PHONE' } });

/** ~17 MB of CSV, every 1000th email invalid; prepared, it is over the 8 MiB part size, so it is uploaded in parts. */
function customers(rows = 230_000): Buffer {
  const lines = ['customer_id,email,phone,signup_note'];
  for (let i = 1; i <= rows; i++) {
    const email = i % 1000 === 0 ? `broken${i}@` : `Customer.${i}@Example.com`;
    lines.push(`${i},${email},(415) 555-${String(i % 10_000).padStart(4, '0')},"joined ${i}, via ""web"""`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function getObject(bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const counters = async () => (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;

describe('prepareFile on S3', () => {
  it('prepares a 17 MB s3:// CSV into an s3:// output uploaded in parts, with the rejects beside it', { timeout: 120_000 }, async () => {
    const input = customers();
    expect(input.length).toBeGreaterThan(16 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'in/customers.csv', Body: input }));
    await s3.send(new CreateBucketCommand({ Bucket: 'clean' }));
    await adminCall(ctx.sandbox, 'DELETE', '/counters');

    const manifest = await prepareFile({ input: 's3://raw/in/customers.csv', output: 's3://clean/out/customers.csv', s3, rules: uid2 });

    expect(manifest.counts).toMatchObject({ rowsIn: 230_000, rowsOut: 230_000, rowsRejected: 0 });
    expect(manifest.counts.columns.email).toMatchObject({ normalized: 229_770, rejected: 230 });
    const output = await getObject('clean', 'out/customers.csv');
    expect(output.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(manifest.outputs).toEqual([{ uri: 's3://clean/out/customers.csv', bytes: output.length, sha256: sha256(output) }]);
    const calls = await counters();
    expect(calls['s3:CreateMultipartUpload']).toBeGreaterThanOrEqual(1);
    expect(calls['s3:UploadPart']).toBeGreaterThanOrEqual(2);
    expect(calls['s3:CompleteMultipartUpload']).toBeGreaterThanOrEqual(1);

    const rejects = await getObject('clean', 'out/customers.rejects.csv');
    expect(manifest.rejects).toEqual([{ uri: 's3://clean/out/customers.rejects.csv', bytes: rejects.length, sha256: sha256(rejects) }]);
    const rejectRows = parseCsv(rejects.toString('utf8'));
    expect(rejectRows[0]).toEqual(['row_number', 'rejected_columns', 'reasons', 'customer_id', 'email', 'phone', 'signup_note']);
    expect(rejectRows.slice(1).map((r) => [r[0], r[3]])).toEqual(Array.from({ length: 230 }, (_, i) => [String((i + 1) * 1000), String((i + 1) * 1000)]));

    // The same bytes prepared from a local file give the same output object.
    await writeFile(tmp.path('customers.csv'), input);
    const local = await prepareFile({ input: tmp.path('customers.csv'), output: tmp.path('customers.out.csv'), rules: uid2 });
    expect(local.outputs[0]!.sha256).toBe(manifest.outputs[0]!.sha256);
  });

  it('leaves no object and no open multipart upload when the input turns out bad half-way', { timeout: 120_000 }, async () => {
    const tooLong = Buffer.alloc(17 * 1024 * 1024, 'x');
    const input = Buffer.concat([customers(), Buffer.from('230001,'), tooLong, Buffer.from('@example.com,,\n')]);
    await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'in/bad.csv', Body: input }));
    await adminCall(ctx.sandbox, 'DELETE', '/counters');

    const error = await prepareFile({ input: 's3://raw/in/bad.csv', output: 's3://raw/out/bad.csv', s3, rules: uid2 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PrepInputError);
    expect((error as Error).message).toMatch(/^a record longer than 16 MiB starts at byte \d+/);
    const calls = await counters();
    expect(calls['s3:UploadPart']).toBeGreaterThanOrEqual(1);
    expect(calls['s3:AbortMultipartUpload']).toBeGreaterThanOrEqual(1);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'raw', Prefix: 'out/' }));
    expect(listed.Contents ?? []).toEqual([]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'raw' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('fails, rather than waits for ever, when the output cannot be uploaded, and names the missing bucket', { timeout: 120_000 }, async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'in/customers.csv', Body: customers() }));
    const error = await prepareFile({ input: 's3://raw/in/customers.csv', output: 's3://no-such-bucket/out.csv', s3, rules: uid2 }).catch((e: unknown) => e);
    expect(error).toEqual(new PrepInputError('s3://no-such-bucket/out.csv cannot be written: bucket no-such-bucket does not exist'));
  });

  it('names an input object that does not exist', async () => {
    const error = await prepareFile({ input: 's3://raw/in/missing.csv', output: 's3://raw/out/x.csv', s3, rules: uid2 }).catch((e: unknown) => e);
    expect(error).toEqual(new PrepInputError('s3://raw/in/missing.csv does not exist'));
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'raw', Key: 'out/x.csv' }))).rejects.toThrow();
  });
});
