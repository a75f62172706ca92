import { spawn, type ChildProcess } from 'node:child_process';
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

export async function startMoto(): Promise<MotoBackend> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoServerPath(), ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
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

/** Forgets every S3 object, Glue table and secret (the admin API's reset). */
export async function resetMoto(moto: MotoBackend): Promise<void> {
  await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
}
