import { describe, expect, it } from 'vitest';
import { runTsxScript } from '../helpers/run-script';

/**
 * `npm run soak`, short: its own stack under faults, at least one kill -9 and restart, then every output
 * compared with an undisturbed run's. Keeps the soak itself from rotting; docs/soak.md has a 30-minute run.
 */
describe('npm run soak (short)', () => {
  it('finishes every run with nothing lost, duplicated or leaked across kills', { timeout: 12 * 60_000 }, async () => {
    const args = ['--runs', '4', '--minutes', '1.5', '--rows', '20000', '--kill-every', '20-30', '--drain-minutes', '6', '--seed', '3'];
    const { code, output, lastLine: last } = await runTsxScript('test/soak/main.ts', args);
    expect(last.startsWith('{'), output).toBe(true);
    const summary = JSON.parse(last) as Record<string, number>;
    expect(summary, output).toMatchObject({ runs: 4, completed: 4, failed: 0, duplicates: 0, rows_lost: 0, corrupt_objects: 0, pii_hits: 0 });
    expect(summary.kills).toBeGreaterThanOrEqual(1);
    expect(summary.histories_scanned).toBeGreaterThanOrEqual(7);
    expect(code).toBe(0);
  });
});
