import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createAudienceSnapshotActivities, type AudienceLedger, type AudienceSnapshotActivities } from '../../activities/audience-upload/audience-snapshots';
import { useSandboxBuckets } from '../helpers/sandbox';

/** The snapshot activities on S3 (the sandbox's versitygw), through the worker's own S3 client. */
const ctx = useSandboxBuckets('audience-work');
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);
const activities = (): { [K in keyof AudienceSnapshotActivities]: AudienceSnapshotActivities[K] } => createAudienceSnapshotActivities({ s3: ctx.aws.s3 });

const hash = (n: number) => createHash('sha256').update(`person-${n}`).digest('hex');
const put = (key: string, body: string) => ctx.aws.s3.send(new PutObjectCommand({ Bucket: 'audience-work', Key: key, Body: body }));
const keysUnder = async (prefix: string) => ((await ctx.aws.s3.send(new ListObjectsV2Command({ Bucket: 'audience-work', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

/** A prepared per-type output as prepareIdentityData publishes it: parts, and a manifest listing them with their type. */
async function prepared(run: string, values: number[]): Promise<string> {
  const half = Math.ceil(values.length / 2);
  const parts = [values.slice(0, half), values.slice(half)];
  const outputs = [];
  for (const [i, part] of parts.entries()) {
    const key = `prepared/run-${run}/data/email/part-00000-0000${i}.csv`;
    const body = part.map((n) => `${hash(n)}\n`).join('');
    await put(key, body);
    outputs.push({ uri: `s3://audience-work/${key}`, bytes: body.length, sha256: '', md5: '', type: 'EMAIL' });
  }
  await put(`prepared/run-${run}/manifest.json`, JSON.stringify({ outputs }));
  return `s3://audience-work/prepared/run-${run}/manifest.json`;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('audience snapshots on S3', () => {
  it('builds, diffs, records and prunes snapshots in a bucket', { timeout: 60_000 }, async () => {
    const snapshots = 's3://audience-work/snapshots/';
    const at = { current: `${snapshots}current.json`, pending: `${snapshots}pending.json` };
    expect(await run(activities().readAudienceLedger, at)).toBeUndefined();

    const day1 = await run(activities().buildAudienceSnapshot, { preparedManifestUri: await prepared('1', range(0, 1500)), snapshotPrefix: `${snapshots}run-1/`, maxFileBytes: 32 * 1024 });
    expect(day1.counts).toEqual({ EMAIL_SHA256: 1500 });
    for (const file of day1.files) {
      const object = await ctx.aws.s3.send(new GetObjectCommand({ Bucket: 'audience-work', Key: file.uri.slice('s3://audience-work/'.length) }));
      expect(createHash('md5').update(await object.Body!.transformToByteArray()).digest('hex')).toBe(file.md5);
    }
    const ledger = (runKey: string, manifest: string): AudienceLedger => ({ version: 1, runKey, audienceIds: { EMAIL_SHA256: '7001' }, snapshotManifestUri: manifest, counts: {}, applied: {} });
    await run(activities().recordAudiencePending, { pending: at.pending, ledger: ledger('1', day1.manifestUri) });
    await run(activities().writeAudienceLedger, { current: at.current, ledger: ledger('1', day1.manifestUri), keep: 2 });

    const day2 = await run(activities().buildAudienceSnapshot, { preparedManifestUri: await prepared('2', range(100, 1700)), snapshotPrefix: `${snapshots}run-2/`, maxFileBytes: 32 * 1024 });
    const diff = await run(activities().diffAudienceSnapshots, { previousManifestUri: day1.manifestUri, currentManifestUri: day2.manifestUri, outPrefix: `${snapshots}run-2/delta/`, maxFileBytes: 8 * 1024 });
    expect(diff.counts.EMAIL_SHA256).toEqual({ added: 200, removed: 100, kept: 1400 });
    expect(diff.additions.every((f) => f.uri.startsWith(`${snapshots}run-2/delta/additions/email_sha256/`))).toBe(true);
    await run(activities().writeAudienceLedger, { current: at.current, ledger: ledger('2', day2.manifestUri), keep: 2 });

    const day3 = await run(activities().buildAudienceSnapshot, { preparedManifestUri: await prepared('3', range(100, 1700)), snapshotPrefix: `${snapshots}run-3/`, maxFileBytes: 32 * 1024 });
    // The same set as day 2: the same files, so the same MD5s.
    expect(day3.files.map((f) => f.md5)).toEqual(day2.files.map((f) => f.md5));
    await run(activities().writeAudienceLedger, { current: at.current, ledger: ledger('3', day3.manifestUri), keep: 2 });

    const keys = await keysUnder('snapshots/');
    expect(keys.filter((k) => k.startsWith('snapshots/run-1/'))).toEqual([]);
    expect(keys).toContain('snapshots/run-2/manifest.json');
    expect(keys).toContain('snapshots/run-3/manifest.json');
    expect(keys).not.toContain('snapshots/pending.json');
    expect(await run(activities().readAudienceLedger, at)).toMatchObject({ runKey: '3', history: [day3.manifestUri, day2.manifestUri] });
  });
});
