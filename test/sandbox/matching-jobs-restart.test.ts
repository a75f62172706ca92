import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from '../../sandbox/admin/faults';
import type { JobOutcome } from '../../sandbox/matching/run-matching-job';
import { MatchingJobs } from '../../sandbox/services/entity-resolution/matching-jobs';
import { StateStore, type StoredResource } from '../../sandbox/state';

/** A matching job belongs to the service: a sandbox restart does not end it, it runs again from its start. */
const workflow = { workflowName: 'customers', outputSourceConfig: [{ outputS3Path: 's3://out/' }], roleArn: 'arn:aws:iam::000000000000:role/r', createdAt: 0, updatedAt: 0 } as StoredResource;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function storeIn(dir: string): StateStore {
  const store = new StateStore(join(dir, 'state.json'));
  store.update((s) => (s.entityResolution.matchingWorkflows.customers = workflow));
  return store;
}

function finished(store: StateStore, jobId: string): Promise<string> {
  return new Promise((resolve) => {
    const look = () => {
      const status = store.get().entityResolution.jobs[jobId]?.status;
      if (status === 'SUCCEEDED' || status === 'FAILED') resolve(status);
      else setImmediate(look);
    };
    look();
  });
}

describe('sandbox matching jobs across a restart', () => {
  it.each(['QUEUED', 'RUNNING'] as const)('runs a job cut off while %s again after the restart, and it succeeds', async (cutWhile) => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-jobs-'));
    dirs.push(dir);
    const runs: string[] = [];
    const never = () => new Promise<JobOutcome>(() => undefined);
    const running = (_w: unknown, id: string) => (runs.push(id), never());
    const before = new MatchingJobs(storeIn(dir), new Faults(), cutWhile === 'QUEUED' ? never : running, { queuedMs: cutWhile === 'QUEUED' ? 60_000 : 0, runningMs: 0 });
    const jobId = before.start(workflow);
    if (cutWhile === 'RUNNING') await new Promise<void>((resolve) => { const wait = () => (runs.length > 0 ? resolve() : setImmediate(wait)); wait(); });
    before.stop();

    const after = new StateStore(join(dir, 'state.json'));
    expect(after.get().entityResolution.jobs[jobId]?.status).toBe(cutWhile);
    const jobs = new MatchingJobs(after, new Faults(), async (_w, id) => {
      runs.push(id);
      return { status: 'SUCCEEDED', metrics: { inputRecords: 1, totalRecordsProcessed: 1, recordsNotProcessed: 0 } };
    }, { queuedMs: 0, runningMs: 0 });
    expect(await finished(after, jobId)).toBe('SUCCEEDED');
    jobs.stop();
    expect(runs.filter((id) => id === jobId).length).toBe(cutWhile === 'RUNNING' ? 2 : 1);
    expect(after.get().entityResolution.jobs[jobId]?.metrics?.inputRecords).toBe(1);
  });

  it('restarts jobs within the Region slots: the second queued job of a kind waits for the first to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-jobs-'));
    dirs.push(dir);
    const store = storeIn(dir);
    const other = { ...workflow, workflowName: 'others' } as StoredResource;
    store.update((s) => (s.entityResolution.matchingWorkflows.others = other));
    const before = new MatchingJobs(store, new Faults(), () => new Promise<JobOutcome>(() => undefined), { queuedMs: 60_000, runningMs: 0 });
    const firstId = before.start(workflow);
    const secondId = before.start(other);
    before.stop();

    const after = new StateStore(join(dir, 'state.json'));
    const ends = new Map<string, () => void>();
    const jobs = new MatchingJobs(after, new Faults(), (_w, id) => new Promise<JobOutcome>((resolve) => {
      ends.set(id, () => resolve({ status: 'SUCCEEDED', metrics: { inputRecords: 1, totalRecordsProcessed: 1, recordsNotProcessed: 0 } }));
    }), { queuedMs: 0, runningMs: 0 });
    const status = (id: string) => after.get().entityResolution.jobs[id]?.status;
    await new Promise<void>((resolve) => { const wait = () => (ends.has(firstId) ? resolve() : setImmediate(wait)); wait(); });
    expect([status(firstId), status(secondId)]).toEqual(['RUNNING', 'QUEUED']);
    expect([...ends.keys()]).toEqual([firstId]);

    ends.get(firstId)!();
    expect(await finished(after, firstId)).toBe('SUCCEEDED');
    await new Promise<void>((resolve) => { const wait = () => (ends.has(secondId) ? resolve() : setImmediate(wait)); wait(); });
    expect(status(secondId)).toBe('RUNNING');
    ends.get(secondId)!();
    expect(await finished(after, secondId)).toBe('SUCCEEDED');
    jobs.stop();
  });
});
