import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { StackProcessFile } from './leftovers';
import { descendantsOf, stopProcesses, type ProcessRecord } from './processes';

/**
 * Ties the local stack's processes to the life of `npm start`: a reaper process stops them if
 * `npm start` dies without cleaning up (SIGKILL), `npm start` stops itself if its parent (npm, tsx)
 * dies, and a failed start stops everything it had started.
 */
export class StackLifetime {
  private readonly reaperPid: number | undefined;
  private readonly file: StackProcessFile;

  constructor(processFile: string) {
    // Detached: a Ctrl-C or a closed terminal reaches npm start's process group, not the reaper.
    const reaper = spawn(process.execPath, [...process.execArgv, join(__dirname, 'reaper.ts'), processFile], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    reaper.unref();
    // The pipe must not keep this process alive; it only has to close when this process ends.
    (reaper.stdin as Socket | null)?.unref();
    this.reaperPid = reaper.pid;
    this.file = new StackProcessFile(processFile, reaper.pid === undefined ? [] : [reaper.pid]);
    watchParent();
  }

  /** Records the processes started so far; call after each one starts. */
  record(): void {
    this.file.record();
  }

  /** After a failed start: stops every process this one started (the reaper aside) and says which. */
  async stopAll(): Promise<ProcessRecord[]> {
    const started = descendantsOf(process.pid).filter((p) => p.pid !== this.reaperPid);
    await stopProcesses(started);
    return started;
  }

  /** After a clean shutdown: nothing is left to reap. */
  release(): void {
    this.file.remove();
  }
}

/** Orphaned (npm or tsx above us was killed): shut down as on SIGTERM rather than run on unseen. */
function watchParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}
