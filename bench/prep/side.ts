import { fork } from 'node:child_process';
import { join } from 'node:path';
import { npmScriptNodeFlags } from '../../toolchain/paths';

/** What one side's child process reports. */
export interface SideResult {
  seconds: number;
  /** process.resourceUsage().maxRSS of the child: its whole process, worker threads included. */
  peakRssMb: number;
  rowsOut?: number;
  /** Per mapped column: values rejected / empty (ours). */
  rejected?: Record<string, number>;
  empty?: Record<string, number>;
  threads?: number;
}

export function childArgs(): { input: string; output: string; threads: number } {
  const [input, output, threads] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: <input.csv> <output.csv> [threads]');
  return { input, output, threads: Number(threads ?? 0) };
}

export function report(result: SideResult): void {
  process.send!(result);
}

/**
 * Runs bench/prep/<entry>.ts in a child process and returns its report. The child loads TypeScript with
 * tsx's CommonJS hook only (the project is CommonJS; the engine's worker threads load it compiled), not with
 * `tsx` itself, whose ESM loader adds a thread of its own (~30 MB) that is no part of the engine.
 */
export function runSide(entry: 'run-ours' | 'run-duckdb', args: string[]): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    // The Node flags `npm run prep` starts with: ours is measured as users run it.
    const execArgv = [...npmScriptNodeFlags('prep'), '--require', require.resolve('tsx/cjs')];
    const child = fork(join(__dirname, `${entry}.ts`), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    let result: SideResult | undefined;
    child.on('message', (message) => (result = message as SideResult));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`${entry} exited with code ${code}`))));
  });
}
