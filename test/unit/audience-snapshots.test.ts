import { createHash } from 'node:crypto';
import { PREP_INPUT_ERROR } from '../../schemas/failures';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createAudienceSnapshotActivities, type AudienceLedger, type AudienceSnapshotActivities } from '../../activities/audience-upload/audience-snapshots';
import { sha256Hex } from '../../pii/hash';
import { prepareParts } from '../../pii/prep/run/prepare-parts';
import { chunkExecutor } from '../../pii/prep/threads/chunk-executor';
import { rules, useTempDir } from '../fixtures/prep/harness';

/** The activities on local paths (storage/ takes both): the S3 client is never asked for. As properties, as the worker takes them. */
const activities: { [K in keyof AudienceSnapshotActivities]: AudienceSnapshotActivities[K] } = createAudienceSnapshotActivities({ s3: undefined as unknown as S3Client });
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);
const tmp = useTempDir();

/** Prepares rows of emails and phones with the per-type layout, as the workflow's prepare step does, and writes its manifest. */
async function prepared(dir: string, rows: [email: string, phone: string][]): Promise<string> {
  const input = tmp.path(`${dir}-in.csv`);
  await writeFile(input, `age,email,phone\n${rows.map(([email, phone], i) => `${i},${email},${phone}`).join('\n')}\n`);
  const executor = chunkExecutor(0);
  const manifest = await prepareParts({
    task: { index: 0, input, format: 'csv', rowOffset: 0 },
    outputPrefix: tmp.path(`${dir}/`),
    outputFormat: 'csv',
    outputLayout: 'per-type',
    rules: rules({ profile: 'tiktok', columns: { email: 'EMAIL', phone: 'PHONE' }, keepUnmapped: false, outputHeader: 'none' }),
    partRows: 1000,
    executor,
    onCommit: () => undefined,
  }).finally(() => executor.close());
  const uri = tmp.path(`${dir}/manifest.json`);
  await writeFile(uri, JSON.stringify(manifest));
  return uri;
}

const people = (from: number, to: number): [string, string][] =>
  Array.from({ length: to - from }, (_, i) => [` Person${from + i}@Example.com`, `(415) 555-${String((from + i) % 10_000).padStart(4, '0')}`]);

describe('audience snapshot activities', () => {
  it('builds a snapshot from a prepared per-type output: counts, files and MD5s, no values in what it returns', async () => {
    const manifestUri = await prepared('prep', [...people(0, 1500), ...people(0, 100)]);
    const summary = await run(activities.buildAudienceSnapshot, { preparedManifestUri: manifestUri, snapshotPrefix: tmp.path('snap/run-1/'), maxFileBytes: 32 * 1024 });
    expect(summary.counts).toEqual({ EMAIL_SHA256: 1500, PHONE_SHA256: 1500 });
    expect(summary.manifestUri).toBe(tmp.path('snap/run-1/manifest.json'));
    for (const file of summary.files) expect(file.md5).toBe(createHash('md5').update(await readFile(file.uri)).digest('hex'));
    expect(new Set(summary.files.map((f) => f.type))).toEqual(new Set(['EMAIL_SHA256', 'PHONE_SHA256']));
    const text = JSON.stringify(summary);
    expect(text).not.toContain(sha256Hex('person0@example.com'));
    expect(text).not.toMatch(/person/i);
  });

  it('re-running the same input gives the same MD5s; a changed input gives an exact delta', async () => {
    const day1 = await prepared('day1', people(0, 1200));
    const day1Again = await prepared('day1-again', people(0, 1200).reverse());
    const day2 = await prepared('day2', people(200, 1500));
    const snap = (uri: string, key: string) => run(activities.buildAudienceSnapshot, { preparedManifestUri: uri, snapshotPrefix: tmp.path(`snap/run-${key}/`), maxFileBytes: 16 * 1024 });
    const [a, b, c] = [await snap(day1, 'a'), await snap(day1Again, 'b'), await snap(day2, 'c')];
    expect(b.files.map((f) => f.md5)).toEqual(a.files.map((f) => f.md5));

    const diff = await run(activities.diffAudienceSnapshots, { previousManifestUri: a.manifestUri, currentManifestUri: c.manifestUri, outPrefix: tmp.path('snap/run-c/delta/'), maxFileBytes: 16 * 1024 });
    expect(diff.counts).toEqual({
      EMAIL_SHA256: { added: 300, removed: 200, kept: 1000 },
      PHONE_SHA256: { added: 300, removed: 200, kept: 1000 },
      IDFA_SHA256: { added: 0, removed: 0, kept: 0 },
      GAID_SHA256: { added: 0, removed: 0, kept: 0 },
    });
    const added = (await Promise.all(diff.additions.filter((f) => f.type === 'EMAIL_SHA256').map((f) => readFile(f.uri, 'utf8')))).join('').trim().split('\n');
    expect(added).toEqual(people(1200, 1500).map(([email]) => sha256Hex(email.trim().toLowerCase())).sort());
  });

  it('refuses a prepared output of the rows layout, non-retryably', async () => {
    const uri = tmp.path('rows-manifest.json');
    await writeFile(uri, JSON.stringify({ outputs: [{ uri: tmp.path('x.csv'), bytes: 1, sha256: '', md5: '' }] }));
    await expect(run(activities.buildAudienceSnapshot, { preparedManifestUri: uri, snapshotPrefix: tmp.path('s/'), maxFileBytes: 4096 })).rejects.toMatchObject({
      type: PREP_INPUT_ERROR,
      nonRetryable: true,
      message: expect.stringContaining('prepare with outputLayout per-type') as string,
    });
  });
});

describe('the audience ledger', () => {
  const md5 = (n: number) => createHash('md5').update(String(n)).digest('hex');
  const ledger = (runKey: string, snapshot: string, applied: AudienceLedger['applied']): AudienceLedger => ({
    version: 1,
    runKey,
    audienceIds: { EMAIL_SHA256: '7001' },
    snapshotManifestUri: snapshot,
    counts: { EMAIL_SHA256: 1500 },
    applied,
  });
  const at = () => ({ current: tmp.path('snapshots/current.json'), pending: tmp.path('snapshots/pending.json') });

  it('is absent before the first run', async () => {
    expect(await run(activities.readAudienceLedger, at())).toBeUndefined();
  });

  it('merges what a run that died recorded as pending, without taking its snapshot as applied', async () => {
    await run(activities.recordAudiencePending, { pending: at().pending, ledger: ledger('r1', tmp.path('snapshots/run-r1/manifest.json'), { [md5(1)]: 'CREATE' }) });
    expect(await run(activities.readAudienceLedger, at())).toEqual({ ...ledger('r1', '', { [md5(1)]: 'CREATE' }), counts: {} });

    await run(activities.writeAudienceLedger, { current: at().current, ledger: ledger('r2', tmp.path('snapshots/run-r2/manifest.json'), { [md5(1)]: 'CREATE', [md5(2)]: 'APPEND' }), keep: 2 });
    await run(activities.recordAudiencePending, { pending: at().pending, ledger: { ...ledger('r3', '', { [md5(3)]: 'APPEND' }), audienceIds: { PHONE_SHA256: '7002' } } });
    expect(await run(activities.readAudienceLedger, at())).toMatchObject({
      runKey: 'r2',
      snapshotManifestUri: tmp.path('snapshots/run-r2/manifest.json'),
      audienceIds: { EMAIL_SHA256: '7001', PHONE_SHA256: '7002' },
      applied: { [md5(1)]: 'CREATE', [md5(2)]: 'APPEND', [md5(3)]: 'APPEND' },
    });
  });

  it('promotes a snapshot, removes pending, and keeps the newest snapshots only', async () => {
    const manifest = async (key: string) => {
      const uri = tmp.path(`snapshots/run-${key}/manifest.json`);
      await run(activities.recordAudiencePending, { pending: uri, ledger: ledger(key, '', {}) });
      return uri;
    };
    for (const key of ['r1', 'r2', 'r3']) {
      await run(activities.recordAudiencePending, { pending: at().pending, ledger: ledger(key, '', {}) });
      await run(activities.writeAudienceLedger, { current: at().current, ledger: ledger(key, await manifest(key), {}), keep: 2 });
    }
    expect((await readdir(tmp.path('snapshots'))).sort()).toEqual(['current.json', 'run-r2', 'run-r3']);
    expect(await run(activities.readAudienceLedger, at())).toMatchObject({ runKey: 'r3', history: [tmp.path('snapshots/run-r3/manifest.json'), tmp.path('snapshots/run-r2/manifest.json')] });
  });
});

describe('describeAudienceSource', () => {
  it('gives the header, objects and bytes of a prefix, and no values', async () => {
    await mkdir(tmp.path('source'));
    await writeFile(tmp.path('source/a.jsonl'), `${JSON.stringify({ age: 35, 'e-mail': 'jane@example.com' })}\n`);
    await writeFile(tmp.path('source/b.jsonl'), `${JSON.stringify({ age: 36, 'e-mail': 'bob@example.com' })}\n`);
    const described = await run(activities.describeAudienceSource, { uri: `${tmp.path('source')}/` });
    expect(described).toEqual({ header: ['age', 'e-mail'], objects: 2, bytes: expect.any(Number) as number });
    expect(JSON.stringify(described)).not.toContain('example.com');
  });
});
