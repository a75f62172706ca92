import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../sandbox/emulators/child-process';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { PROJECT_ROOT, npmScriptNodeFlags, temporalCliPath } from '../../toolchain/paths';
import { stopChild } from '../../toolchain/stop-child';
import { devServerArgs, waitForTemporal } from '../../toolchain/temporal-dev-server';

export interface ScaleStack {
  /** What a starter or the worker of this stack is run with: the server, task queue, codec key and sandbox. */
  env: Record<string, string>;
  sandbox: Sandbox;
  server: ChildProcess;
  worker: ChildProcess;
  /** Rejects, with the end of its output, if the worker exits before `stop`. */
  workerExited: Promise<never>;
  stop(): Promise<void>;
}

/**
 * The local stack as `npm start` runs it, each part its own process so their memory and CPU can be
 * read apart: a Temporal dev server with its SQLite file, the sandbox (with its S3 and Glue), and one
 * worker run as `npm run worker` runs it (the compiled code).
 */
export async function startScaleStack(opts: { maxCachedWorkflows?: number; workerNodeFlags?: string[] }): Promise<ScaleStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const started: Array<() => Promise<void>> = [() => Promise.resolve(rmSync(dir, { recursive: true, force: true }))];
  const children: ChildProcess[] = [];
  // Whatever ends this process, the server and the worker do not outlive it.
  const killChildren = () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  process.once('exit', killChildren);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const undo of started.reverse()) await undo().catch(() => undefined);
    process.off('exit', killChildren);
  };
  try {
    const sandbox = await startSandbox({ port: 0, dataDir: join(dir, 'sandbox') });
    started.push(() => sandbox.close());
    const port = await freePort();
    const server = spawn(temporalCliPath(), devServerArgs({ port, dbFile: join(dir, 'temporal.db') }), { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(server);
    started.push(() => stopChild(server, { graceMs: 10_000 }));
    const serverOutput = lastLines(server);
    await waitForTemporal(`127.0.0.1:${port}`, server).catch((err: Error) => {
      throw new Error(`${err.message}\n${serverOutput()}`);
    });
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: 'bench-scale',
      TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'),
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      LOG_LEVEL: 'warn',
      ...(opts.maxCachedWorkflows ? { WORKER_MAX_CACHED_WORKFLOWS: String(opts.maxCachedWorkflows) } : {}),
    };
    const worker = spawn(process.execPath, [...npmScriptNodeFlags('worker'), ...(opts.workerNodeFlags ?? []), join(PROJECT_ROOT, 'dist/bin/worker.js')], {
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    started.push(() => stopChild(worker, { graceMs: 20_000 }));
    const output = lastLines(worker);
    const workerExited = new Promise<never>((_, reject) =>
      worker.once('exit', (code, signal) => !stopping && reject(new Error(`the worker exited (${signal ?? `code ${code}`}); its last output:\n${output()}`))),
    );
    await Promise.race([untilPolling(worker), workerExited]);
    return { env, sandbox, server, worker, workerExited, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves at the worker's `worker polling` log line. */
async function untilPolling(worker: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    const seen = (chunk: Buffer) => {
      if (!chunk.toString().includes('"worker polling"')) return;
      worker.stdout!.off('data', seen);
      resolve();
    };
    worker.stdout!.on('data', seen);
  });
}

/** Reads a child's output as it comes (so it never blocks) and keeps its last 40 lines. */
function lastLines(child: ChildProcess): () => string {
  let lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines = [...lines, ...chunk.toString().split('\n')].slice(-40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}
