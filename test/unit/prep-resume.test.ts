import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepActivities, type PrepHeartbeat, type PrepareDatasetTaskInput } from '../../activities/prepare-dataset';
import type { PrepManifest } from '../../pii/prep/manifest';
import { prepRulesSchema } from '../../schemas/prep';

/**
 * A prepareDataset activity stopped mid-file (here: cancelled right after its second committed part,
 * the way a dying worker stops between heartbeats) is retried with its last heartbeat, resumes from
 * the last committed part, and its final parts equal an uninterrupted run's byte for byte.
 */
let dir: string;
const activities = createPrepActivities({ s3: new S3Client({ region: 'us-east-1' }), prepThreads: 0 });
const prepareDataset = (task: PrepareDatasetTaskInput) => activities.prepareDataset(task);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prep-resume-'));
  const rows = [['id', 'email', 'phone']];
  for (let i = 0; i < 200_000; i++) rows.push([`C${i}`, i % 50 === 0 ? 'broken' : ` User${i}@Example.com`, `415-555-${String(i % 10_000).padStart(4, '0')}`]);
  await writeFile(join(dir, 'in.csv'), Papa.unparse(rows, { newline: '\n' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input = (out: string): PrepareDatasetTaskInput => ({
  task: { index: 0, input: join(dir, 'in.csv'), format: 'csv', rowOffset: 0 },
  outputPrefix: join(dir, out),
  outputFormat: 'csv',
  rules: prepRulesSchema.parse({ profile: 'tiktok', columns: { email: 'EMAIL', phone: 'PHONE' } }),
  partRows: 20_000,
});

async function filesOf(path: string): Promise<Record<string, string>> {
  const names = (await readdir(path, { recursive: true })).filter((n) => n.endsWith('.csv')).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(path, n), 'utf8')] as const)));
}

describe('prepareDataset resume', () => {
  it('resumes from the last committed part after being stopped, and ends with the same output', async () => {
    const whole: PrepManifest = await new MockActivityEnvironment().run(prepareDataset, input('whole'));

    const first = new MockActivityEnvironment();
    let last: PrepHeartbeat | undefined;
    let commits = 0;
    first.on('heartbeat', (details: PrepHeartbeat) => {
      if (details.checkpoint && details.checkpoint.nextPart !== last?.checkpoint?.nextPart) {
        commits++;
        if (commits === 2) first.cancel();
      }
      last = details;
    });
    await expect(first.run(prepareDataset, input('resumed'))).rejects.toBeInstanceOf(CancelledFailure);
    expect(last?.checkpoint?.nextPart).toBe(2);
    expect(last?.checkpoint?.counts.rowsIn).toBeLessThan(whole.counts.rowsIn);

    const resumedFrom = last!.checkpoint!;
    let resumedAtPosition: number | undefined;
    const retry = new MockActivityEnvironment({ heartbeatDetails: last, attempt: 2 });
    retry.on('heartbeat', (details: PrepHeartbeat) => (resumedAtPosition ??= details.position));
    const resumed: PrepManifest = await retry.run(prepareDataset, input('resumed'));

    // It carried on from the committed position rather than re-reading the file.
    expect(resumedAtPosition).toBeGreaterThan(resumedFrom.position);
    expect(resumed.counts).toEqual(whole.counts);
    expect(resumed.outputs.map((o) => o.sha256)).toEqual(whole.outputs.map((o) => o.sha256));
    expect(resumed.rejects.map((o) => o.sha256)).toEqual(whole.rejects.map((o) => o.sha256));
    expect(await filesOf(join(dir, 'resumed'))).toEqual(await filesOf(join(dir, 'whole')));
    expect(whole.outputs.length).toBeGreaterThanOrEqual(4);
    expect(whole.counts.rowsRejected + whole.counts.rowsOut).toBe(200_000);
  }, 60_000);
});
