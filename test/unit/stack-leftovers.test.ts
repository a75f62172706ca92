import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { StackStillRunningError, readStackFile, stopLeftovers } from '../../scripts/local-stack/leftovers';
import { isRunning, processById, type ProcessRecord } from '../../scripts/local-stack/processes';
import { PROJECT_ROOT } from '../../toolchain/paths';

const dir = mkdtempSync(join(tmpdir(), 'stack-leftovers-'));
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
/** Starts the fake npm start; resolves with its process and the pid of the child it started. */
async function fakeStack(mode: 'plain' | 'reaper' | 'fail'): Promise<{ proc: ChildProcess; child: number; file: string; lines: Promise<string[]> }> {
  const file = join(dir, `stack-${++seq}.json`);
  const proc = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/fixtures/stack/fake-stack.ts'), file, mode], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(proc.pid!);
  let out = '';
  const lines = new Promise<string[]>((resolve) => proc.once('exit', () => resolve(out.trim().split('\n'))));
  const child = await new Promise<number>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const first = /\{"child":(\d+)\}/.exec(out);
      if (first) resolve(Number(first[1]));
    });
    proc.once('exit', (code) => reject(new Error(`fake stack exited (${code}) before starting its child`)));
  });
  started.push(child);
  return { proc, child, file, lines };
}

function killHard(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

const record = (pid: number): ProcessRecord => processById(pid)!;

describe('npm start leftovers', () => {
  it('the next start stops what a SIGKILLed start left running, exactly the recorded processes', async () => {
    const { proc, child, file } = await fakeStack('plain');
    const orphan = record(child);
    await killHard(proc);
    expect(isRunning(orphan)).toBe(true);

    const stopped = await stopLeftovers(file);
    expect(stopped.map((p) => p.pid)).toEqual([child]);
    expect(isRunning(orphan)).toBe(false);
    expect(readStackFile(file)).toBeUndefined();
  });

  it('leaves alone a process that now has a recorded pid but started later (pid reused)', async () => {
    const { proc, child, file } = await fakeStack('plain');
    await killHard(proc);
    const recorded = readStackFile(file)!;
    const reused = { ...recorded, children: recorded.children.map((c) => ({ ...c, startedAt: 'Thu Jan  1 00:00:00 1970' })) };
    writeFileSync(file, JSON.stringify(reused));

    expect(await stopLeftovers(file)).toEqual([]);
    expect(isRunning(record(child))).toBe(true);
  });

  it('refuses, naming the pid and how to stop it, while the earlier npm start itself still runs', async () => {
    const { proc, file } = await fakeStack('plain');
    const error = await stopLeftovers(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackStillRunningError);
    expect((error as Error).message).toContain(`kill ${proc.pid}`);
    await killHard(proc);
  });

  it('with the reaper, the children die with a SIGKILLed npm start', async () => {
    const { proc, child } = await fakeStack('reaper');
    const orphan = record(child);
    await killHard(proc);
    // The reaper acts on an event in another process: wait for its effect.
    await vi.waitUntil(() => !isRunning(orphan), { timeout: 20_000, interval: 100 });
    expect(isRunning(orphan)).toBe(false);
  });

  it('a failed start stops every process it had started and says which', async () => {
    const { child, lines, file } = await fakeStack('fail');
    const output = await lines;
    expect(output).toContain(JSON.stringify({ stopped: [child] }));
    expect(processById(child)?.command ?? '').not.toContain('setInterval');
    expect(readStackFile(file)).toBeUndefined();
  });
});
