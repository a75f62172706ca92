import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';

/**
 * SIGTERM, then SIGKILL if the child has not exited within `graceMs`; resolves once it has exited.
 * With `group` (a child spawned `detached`), the signals go to its whole process group, and what of
 * the group outlives the leader (an emulator it started) is killed after it.
 */
export async function stopChild(child: ChildProcess, opts: { graceMs: number; group?: boolean }): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const send = (signal: NodeJS.Signals) => {
    try {
      if (opts.group) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {
      // gone already
    }
  };
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), opts.graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
  if (opts.group) send('SIGKILL');
}
