import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { stopChild } from '../../toolchain/stop-child';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A node process running `script`, resolved once it printed its first line (its signal handlers are in place). */
async function node(script: string, detached = false): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], detached });
  started.push(child);
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, firstLine: chunk.toString().trim() };
}

/** Running, not a zombie waiting for a parent that no longer reaps (`ps` state Z). */
const alive = (pid: number) => {
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && !ps.stdout.trim().startsWith('Z');
};

describe('stopChild', () => {
  it('ends a child that honours SIGTERM with SIGTERM', async () => {
    const { child } = await node("console.log('up'); setInterval(() => {}, 1000)");
    await stopChild(child, { graceMs: 60_000 });
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('kills a child that ignores SIGTERM once the grace period ends', async () => {
    const { child } = await node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)");
    await stopChild(child, { graceMs: 100 });
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('returns at once for a child that has exited', async () => {
    const { child } = await node("console.log('up')");
    if (child.exitCode === null) await once(child, 'exit');
    await stopChild(child, { graceMs: 60_000 });
    expect(child.exitCode).toBe(0);
  });

  it('with group, stops the whole process group, a grandchild ignoring SIGTERM included', async () => {
    const grandchild = "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)";
    const leader = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.once('data', () => console.log(c.pid)); setInterval(() => {}, 1000)`;
    const { child, firstLine } = await node(leader, true);
    const grandchildPid = Number(firstLine);
    expect(alive(grandchildPid)).toBe(true);
    await stopChild(child, { graceMs: 60_000, group: true });
    expect(child.signalCode).toBe('SIGTERM');
    await expect.poll(() => alive(grandchildPid)).toBe(false);
  });
});
