import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteObjects, deleteUnder, listObjects, listSubPrefixes, objectPagesUnder } from '../../storage/s3-objects';
import { useSandboxBuckets } from '../helpers/sandbox';

/** Listing and deleting under a prefix on the sandbox's S3 (versitygw behind it). */
const ctx = useSandboxBuckets('data');
let s3: S3Client;
beforeAll(() => {
  s3 = ctx.aws.s3;
});

const put = (Key: string, body = 'x') => s3.send(new PutObjectCommand({ Bucket: 'data', Key, Body: Buffer.from(body) }));
const keysIn = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

describe('listObjects', () => {
  it('lists every page in key order, with each object\'s key, URI and size', async () => {
    for (const key of ['in/c.csv', 'in/a.csv', 'in/e.csv', 'in/b.csv', 'in/d.csv', 'in-2/f.csv', 'other/g.csv']) await put(key, key);
    let pages = 0;
    const listed = await listObjects(s3, 's3://data/in/', { pageSize: 2, onPage: () => pages++ });
    expect(listed.map((o) => o.key)).toEqual(['in/a.csv', 'in/b.csv', 'in/c.csv', 'in/d.csv', 'in/e.csv']);
    expect(listed[0]).toEqual({ key: 'in/a.csv', uri: 's3://data/in/a.csv', size: 'in/a.csv'.length });
    expect(pages).toBe(3);
    // The prefix is S3's: without a trailing '/' it also takes in keys that merely begin with it.
    expect((await listObjects(s3, 's3://data/in')).map((o) => o.key)).toEqual(['in-2/f.csv', 'in/a.csv', 'in/b.csv', 'in/c.csv', 'in/d.csv', 'in/e.csv']);
  });

  it('reads past 1,000 keys, the most one ListObjectsV2 answer holds', async () => {
    const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 20) await Promise.all(keys.slice(i, i + 20).map((key) => put(key)));
    let pages = 0;
    expect((await listObjects(s3, 's3://data/many/', { onPage: () => pages++ })).map((o) => o.key)).toEqual(keys);
    expect(pages).toBe(2);
  }, 30_000); // 1,003 PUTs to a local S3: seconds on a busy 2-core machine

  it('keeps folder markers (keys ending in /) unless asked to skip them', async () => {
    for (const key of ['in/', 'in/a.csv', 'in/sub/', 'in/sub/b.csv']) await put(key, '');
    expect((await listObjects(s3, 's3://data/in/')).map((o) => o.key)).toEqual(['in/', 'in/a.csv', 'in/sub/', 'in/sub/b.csv']);
    expect((await listObjects(s3, 's3://data/in/', { skipFolderMarkers: true })).map((o) => o.uri)).toEqual(['s3://data/in/a.csv', 's3://data/in/sub/b.csv']);
  });

  it('finds nothing under an empty prefix, and the whole bucket under its root', async () => {
    await put('a/one.csv');
    await put('b/two.csv');
    expect(await listObjects(s3, 's3://data/nothing/')).toEqual([]);
    expect((await listObjects(s3, 's3://data/')).map((o) => o.key)).toEqual(['a/one.csv', 'b/two.csv']);
    expect((await listObjects(s3, 's3://data')).map((o) => o.key)).toEqual(['a/one.csv', 'b/two.csv']);
  });

  it('fails on a missing bucket, as S3 does', async () => {
    await expect(listObjects(s3, 's3://no-such-bucket/in/')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('stops listing when its pages\' reader stops', async () => {
    for (const key of ['p/1', 'p/2', 'p/3', 'p/4', 'p/5']) await put(key);
    let requests = 0;
    const counted = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    counted.middlewareStack.add((next) => (args) => (requests++, next(args)), { step: 'initialize' });
    const seen: string[] = [];
    for await (const page of objectPagesUnder(counted, 's3://data/p/', { pageSize: 2 })) {
      seen.push(...page.map((o) => o.key));
      break;
    }
    counted.destroy();
    expect(seen).toEqual(['p/1', 'p/2']);
    expect(requests).toBe(1);
  });
});

describe('listSubPrefixes', () => {
  it('names the prefixes one level down, not the objects beside them', async () => {
    for (const key of ['out/manifest.json', 'out/run-a/data/p.csv', 'out/run-b/rejects/r.csv', 'out/run-b/data/q.csv', 'elsewhere/run-c/x']) await put(key);
    expect(await listSubPrefixes(s3, 's3://data/out/')).toEqual(['s3://data/out/run-a/', 's3://data/out/run-b/']);
  });
});

describe('deleteObjects', () => {
  it('deletes 1,000 keys a request, bucket by bucket, and counts what it was asked to delete', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'data-2' }));
    await put('keep.csv');
    await put('gone/1.csv');
    await s3.send(new PutObjectCommand({ Bucket: 'data-2', Key: 'gone/2.csv', Body: 'x' }));
    // Keys that are not there delete without error, as S3 answers them: 2,001 keys are three requests.
    const uris = ['s3://data/gone/1.csv', ...Array.from({ length: 1999 }, (_, i) => `s3://data/never/${i}`), 's3://data-2/gone/2.csv'];
    let requests = 0;
    expect(await deleteObjects(s3, uris, () => requests++)).toBe(2001);
    expect(requests).toBe(3);
    expect(await keysIn('')).toEqual(['keep.csv']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'data-2' }))).Contents ?? []).toEqual([]);
  });

  it('fails naming the count, the first key S3 could not delete and its error code', async () => {
    const mocked = mockClient(S3Client);
    mocked.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'locked/a.csv', Code: 'AccessDenied' }, { Key: 'locked/b.csv', Code: 'AccessDenied' }] });
    try {
      const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await expect(deleteObjects(client, ['s3://data/locked/a.csv', 's3://data/locked/b.csv'])).rejects.toThrow(
        'could not delete 2 objects in s3://data/, the first locked/a.csv (AccessDenied)',
      );
    } finally {
      mocked.restore();
    }
  });
});

describe('deleteUnder', () => {
  it('deletes everything under the prefix, folder markers too, and nothing beside it', async () => {
    for (const key of ['run-a/', 'run-a/data/', 'run-a/data/p.csv', 'run-ab/q.csv']) await put(key, '');
    expect(await deleteUnder(s3, 's3://data/run-a/')).toBe(3);
    expect(await keysIn('')).toEqual(['run-ab/q.csv']);
  });
});
