import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT, npmScriptNodeFlags } from '../../toolchain/paths';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the first log record (pino JSON) the predicate accepts; rejects if the worker exits first. */
  logged(match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  output(): string;
  kill(): Promise<void>;
}

/** `npm run worker` as its own process, so a test can kill it with SIGKILL the way a machine dies. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  // tsx as a loader in this one process: its CLI would run the worker in a child that a SIGKILL to the CLI leaves running.
  const child = spawn(process.execPath, [...npmScriptNodeFlags('worker'), '--import', 'tsx', 'worker/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const records: Record<string, unknown>[] = [];
  const waiting = new Set<() => void>();
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
    }
    for (const check of waiting) check();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    logged: (match) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = records.find(match);
          if (found) {
            waiting.delete(check);
            resolve(found);
          }
        };
        waiting.add(check);
        check();
        void exited.then(() => reject(new Error(`the worker exited before the awaited log line:\n${output}`)));
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
