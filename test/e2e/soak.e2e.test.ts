import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../toolchain/paths';

/**
 * `npm run soak`, short: its own stack under faults, at least one kill -9 and restart, then every output
 * compared with an undisturbed run's. Keeps the soak itself from rotting; docs/soak.md has a 30-minute run.
 */
describe('npm run soak (short)', () => {
  it('finishes every run with nothing lost, duplicated or leaked across kills', { timeout: 12 * 60_000 }, async () => {
    const args = ['--runs', '4', '--minutes', '1.5', '--rows', '20000', '--kill-every', '20-30', '--drain-minutes', '6', '--seed', '3'];
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'test/soak/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const last = output.trimEnd().split('\n').at(-1) ?? '';
    expect(last.startsWith('{'), output).toBe(true);
    const summary = JSON.parse(last) as Record<string, number>;
    expect(summary, output).toMatchObject({ runs: 4, completed: 4, failed: 0, duplicates: 0, rows_lost: 0, corrupt_objects: 0, pii_hits: 0 });
    expect(summary.kills).toBeGreaterThanOrEqual(1);
    expect(summary.histories_scanned).toBeGreaterThanOrEqual(7);
    expect(code).toBe(0);
  });
});
