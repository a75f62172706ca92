import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, temporalCliPath } from '../../toolchain/paths';
import { stopChild } from '../../toolchain/stop-child';
import { checkTemporalAnswers, devServerArgs } from '../../toolchain/temporal-dev-server';

/**
 * The soak's own stack, one process group per component so a kill takes a component down whole (the
 * sandbox with its emulator, the worker with its threads), as a crash or an OOM kill would.
 */
export class Component {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    /** Read at each start: a restart may change it (the sandbox's faults). */
    readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const log = openSync(this.logFile, 'a', 0o600);
    const child = spawn(this.command, this.args, { cwd: PROJECT_ROOT, env: this.env, stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** SIGKILL to the whole group: no shutdown hook runs. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM to the whole group, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child) await stopChild(this.child, { graceMs, group: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.child) return;
    this.signalGroup(signal);
    await this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      if (this.child?.pid) process.kill(-this.child.pid, signal);
    } catch {
      // the group is gone already
    }
  }
}

export interface StackPorts {
  temporal: number;
  sandbox: number;
}

export interface SoakStack {
  temporal: Component;
  sandbox: Component;
  worker: Component;
  temporalAddress: string;
  sandboxUrl: string;
}

const tsx = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export function soakStack(opts: { dir: string; ports: StackPorts; taskQueue: string; workerEnv: NodeJS.ProcessEnv; sandboxEnv: NodeJS.ProcessEnv }): SoakStack {
  const temporalAddress = `127.0.0.1:${opts.ports.temporal}`;
  const sandboxUrl = `http://127.0.0.1:${opts.ports.sandbox}`;
  const temporal = new Component(
    'temporal',
    temporalCliPath(),
    devServerArgs({ port: opts.ports.temporal, dbFile: join(opts.dir, 'temporal.db') }),
    process.env,
    join(opts.dir, 'temporal.log'),
  );
  const sandbox = new Component(
    'sandbox',
    process.execPath,
    [tsx, 'sandbox/main.ts'],
    { ...process.env, ...opts.sandboxEnv, SANDBOX_PORT: String(opts.ports.sandbox), SANDBOX_DATA_DIR: join(opts.dir, 'sandbox') },
    join(opts.dir, 'sandbox.log'),
  );
  const worker = new Component(
    'worker',
    process.execPath,
    ['--single-threaded-gc', tsx, 'worker/main.ts'],
    { ...process.env, ...opts.workerEnv, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: opts.taskQueue, AWS_ENDPOINT_URL: sandboxUrl },
    join(opts.dir, 'worker.log'),
  );
  return { temporal, sandbox, worker, temporalAddress, sandboxUrl };
}

/** Polls until `ready` holds, failing when the component dies or `timeoutMs` passes. */
export async function waitUntil(component: Component, what: string, ready: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!component.running) throw new Error(`${component.name} exited while waiting for ${what}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${component.name}: ${what} not reached within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const temporalAnswers = (address: string) => async () => {
  await checkTemporalAnswers(address);
  return true;
};

export const sandboxAnswers = (url: string) => async () => (await fetch(`${url}/_sandbox/health`)).ok;
