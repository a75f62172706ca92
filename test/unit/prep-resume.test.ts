import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkExecutor } from '../../pii/prep/threads/chunk-executor';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { prepareParts, type PrepCheckpoint, type PreparePartsOptions } from '../../pii/prep/run/prepare-parts';
import { prepRulesSchema } from '../../schemas/preparation/prep';

/**
 * A task stopped mid-file (here: right after its second committed part, the way a worker dies after
 * a checkpoint) resumes from that checkpoint, and its final parts equal an uninterrupted run's byte
 * for byte. (That the checkpoint reaches the Temporal server: test/e2e/prepare-resume-after-kill.)
 */
let dir: string;
type Task = Pick<PreparePartsOptions, 'task' | 'outputPrefix' | 'outputFormat' | 'rules' | 'partRows'>;
async function prepare(task: Task, hooks: Pick<PreparePartsOptions, 'onCommit' | 'onProgress' | 'resume'>): Promise<PrepManifest> {
  const executor = chunkExecutor(0);
  try {
    return await prepareParts({ ...task, ...hooks, executor });
  } finally {
    await executor.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prep-resume-'));
  const rows = [['id', 'email', 'phone']];
  for (let i = 0; i < 200_000; i++) rows.push([`C${i}`, i % 50 === 0 ? 'broken' : ` User${i}@Example.com`, `415-555-${String(i % 10_000).padStart(4, '0')}`]);
  await writeFile(join(dir, 'in.csv'), Papa.unparse(rows, { newline: '\n' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input = (out: string): Task => ({
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
    const whole = await prepare(input('whole'), { onCommit: () => undefined });

    let last: PrepCheckpoint | undefined;
    const crash = new Error('the worker died');
    const stopped = prepare(input('resumed'), {
      onCommit: (checkpoint) => {
        last = checkpoint;
        if (checkpoint.nextPart === 2) throw crash;
      },
    });
    await expect(stopped).rejects.toBe(crash);
    expect(last?.nextPart).toBe(2);
    expect(last?.counts.rowsIn).toBeLessThan(whole.counts.rowsIn);

    const resumedFrom = last!;
    let resumedAtPosition: number | undefined;
    const resumed = await prepare(input('resumed'), { resume: resumedFrom, onCommit: () => undefined, onProgress: ({ position }) => (resumedAtPosition ??= position) });

    // It carried on from the committed position rather than re-reading the file.
    expect(resumedAtPosition).toBeGreaterThan(resumedFrom.position);
    expect(resumed.counts).toEqual(whole.counts);
    expect(resumed.outputs.map((o) => o.sha256)).toEqual(whole.outputs.map((o) => o.sha256));
    expect(resumed.rejects.map((o) => o.sha256)).toEqual(whole.rejects.map((o) => o.sha256));
    expect(await filesOf(join(dir, 'resumed'))).toEqual(await filesOf(join(dir, 'whole')));
    expect(whole.outputs.length).toBeGreaterThanOrEqual(4);
    expect(whole.counts.rowsRejected + whole.counts.rowsOut).toBe(200_000);
  }, 60_000);

  it('leaves no output object behind when a part cannot be opened', async () => {
    // The part's rejects object cannot be written (a directory stands at its name): its output object, opened first, is removed.
    await mkdir(join(dir, 'blocked', 'rejects', 'part-00000-00000.csv'), { recursive: true });
    await expect(prepare(input('blocked'), { onCommit: () => undefined })).rejects.toThrow(/is a directory/);
    expect(await readdir(join(dir, 'blocked', 'data'))).toEqual([]);
  });
});
