import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanRoomsRoutes } from '../../sandbox/services/clean-rooms';
import { Faults } from '../../sandbox/admin/faults';
import { dataExchangeRoutes } from '../../sandbox/services/data-exchange';
import { entityResolutionRoutes } from '../../sandbox/services/entity-resolution';
import type { MatchingJobs } from '../../sandbox/services/entity-resolution/matching-jobs';
import { StateStore } from '../../sandbox/state';
import { PROJECT_ROOT, motoPythonPath } from '../../toolchain/paths';
import { adminCall, useSandbox } from '../helpers/sandbox';

/**
 * botocore, not our SDK, drives every operation the sandbox implements and checks each answer
 * against the official service models (test/independent-client/).
 */
const ctx = useSandbox();
const CHECKER = join(PROJECT_ROOT, 'test', 'independent-client', 'check_sandbox_with_botocore.py');

interface CheckerRun {
  exitCode: number;
  deviations: string[];
  summary: { operations: number; calls: number; checks: number; deviations: number; called: string[] };
}

function runChecker(endpoint: string): Promise<CheckerRun> {
  return new Promise((resolve, reject) => {
    execFile(motoPythonPath(), [CHECKER, endpoint], { timeout: 180_000 }, (err, stdout, stderr) => {
      const lines = stdout.trim().split('\n');
      try {
        const summary = JSON.parse(lines.at(-1) ?? '') as CheckerRun['summary'];
        resolve({ exitCode: typeof err?.code === 'number' ? err.code : 0, deviations: lines.slice(0, -1), summary });
      } catch {
        reject(new Error(`the checker printed no summary (${err?.message ?? 'exit 0'}): ${stderr.slice(-2000)}`));
      }
    });
  });
}

/** Glue and Secrets Manager calls moto answers behind the sandbox: the ones the project makes and their neighbours. */
const EMULATED_OPERATIONS = [
  ...['CreateDatabase', 'CreateTable', 'DeleteTable', 'GetDatabase', 'GetDatabases', 'GetTable', 'GetTables', 'UpdateTable'].map((op) => `glue:${op}`),
  ...['CreateSecret', 'DeleteSecret', 'DescribeSecret', 'GetSecretValue', 'PutSecretValue'].map((op) => `secretsmanager:${op}`),
];

/** The operations the sandbox serves itself, as `<signing name>:<operation>`, read from its route tables. */
function implementedOperations(): string[] {
  const store = new StateStore();
  const er = entityResolutionRoutes(store, {} as MatchingJobs, () => Promise.resolve({}));
  return [...er.map((r) => `entityresolution:${r.operation}`), ...dataExchangeRoutes(store).map((r) => `dataexchange:${r.operation}`), ...cleanRoomsRoutes(store, { faults: new Faults(), data: () => ({}) as never }).map((r) => `cleanrooms:${r.operation}`)];
}

describe('sandbox: checked by an independent AWS client (botocore)', () => {
  it('answers every implemented operation as the official service models say', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/job-durations', { queuedMs: 50, runningMs: 100 });
    const run = await runChecker(ctx.sandbox.url);

    expect(run.deviations).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.summary.deviations).toBe(0);
    expect(run.summary.called).toEqual([...implementedOperations(), ...EMULATED_OPERATIONS].sort());
    expect(run.summary.operations).toBe(51);
    expect(run.summary.calls).toBeGreaterThanOrEqual(140);
    expect(run.summary.checks).toBeGreaterThanOrEqual(4500);
  }, 240_000);
});
