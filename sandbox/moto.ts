import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import { motoServerPath } from '../scripts/toolchain';

/**
 * moto's server (PyPI moto[server], installed by scripts/setup-toolchain.mjs) serves S3, Glue and
 * Secrets Manager behind the sandbox's router: a well-kept emulator of those APIs, so the sandbox
 * only implements what no emulator covers (Entity Resolution, Data Exchange, …).
 */
export interface MotoBackend {
  url: string;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

/**
 * With `recordingFile`, moto's recorder appends every request to that file and the requests are
 * replayed at the next start, so S3 objects, Glue tables and secrets survive a restart.
 */
export async function startMoto(opts: { recordingFile?: string } = {}): Promise<MotoBackend> {
  const port = await freePort();
  if (opts.recordingFile) mkdirSync(dirname(opts.recordingFile), { recursive: true });
  const env = opts.recordingFile ? { ...process.env, MOTO_ENABLE_RECORDING: 'True', MOTO_RECORDER_FILEPATH: opts.recordingFile } : process.env;
  const child: ChildProcess = spawn(motoServerPath(), ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/moto-api/data.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url} within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (opts.recordingFile && existsSync(opts.recordingFile) && statSync(opts.recordingFile).size > 0) {
    const replay = await fetch(`${url}/moto-api/recorder/replay-recording`, { method: 'POST' });
    if (!replay.ok) throw new Error(`moto could not replay ${opts.recordingFile}: HTTP ${replay.status}`);
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Forgets every S3 object, Glue table and secret, and the recording of them (the admin API's reset). */
export async function resetMoto(moto: MotoBackend): Promise<void> {
  await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
  await fetch(`${moto.url}/moto-api/recorder/reset-recording`, { method: 'POST' });
}
