import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { stopChild } from '../../toolchain/stop-child';

/** A server process the sandbox started behind its router. */
export interface ChildServer {
  name: string;
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

const READY_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 5_000;
const SETPRIV = '/usr/bin/setpriv';

/**
 * `command` run so that the files it creates are owner-only (umask 077) and, on Linux, it gets
 * SIGTERM when the sandbox's process dies, even by SIGKILL (util-linux setpriv's parent-death signal).
 */
function guarded(command: string, args: string[]): [string, string[]] {
  const shell = ['-c', 'umask 077 && exec "$0" "$@"', command, ...args];
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'TERM', '--', '/bin/sh', ...shell]] : ['/bin/sh', shell];
}

/**
 * An emulator sees none of the user's AWS settings: a profile it cannot find (boto3 inside moto) or an
 * endpoint meant for the SDK would break it. `extra` adds the emulator's own settings.
 */
export function emulatorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return { ...env, ...extra };
}

/**
 * Starts `command` (guarded, above) and resolves once `readyUrl` (default `url`) answers HTTP. If it exits first or does not answer in
 * time, it is killed and the error names it with the end of what it wrote to stderr.
 */
export async function startChildServer(opts: { name: string; command: string; args: string[]; url: string; readyUrl?: string; env?: NodeJS.ProcessEnv }): Promise<ChildServer> {
  const [command, args] = guarded(opts.command, opts.args);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: opts.env ?? emulatorEnv() });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = () => stopChild(child, { graceMs: STOP_WITHIN_MS });
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (spawnError) throw new Error(`${opts.name} could not be started (${opts.command}): ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      throw new Error(`${opts.name} exited (${child.exitCode ?? child.signalCode}) before answering: ${stderr.trim()}`);
    }
    try {
      await fetch(opts.readyUrl ?? opts.url, { signal: AbortSignal.timeout(2_000) });
      return { name: opts.name, url: opts.url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.name} did not answer on ${opts.url} within ${READY_WITHIN_MS / 1000} s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts two servers side by side. If either fails, the other is stopped before the error (each
 * failure's reason) is thrown, so a failed start leaves no process behind.
 */
export async function startBoth<A extends ChildServer, B extends ChildServer>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  await Promise.all([first, second].map((r) => (r.status === 'fulfilled' ? r.value.stop() : Promise.resolve())));
  throw new Error([first, second].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : [])).join('; '));
}
