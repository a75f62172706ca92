import { join } from 'node:path';
import { motoPythonPath } from '../../toolchain/paths';
import { SANDBOX_ACCOUNT } from '../services/catalog';
import { emulatorEnv, freePort, startChildServer, type ChildServer } from './child-process';

/**
 * moto's server (PyPI moto[server], installed by scripts/setup-toolchain.mjs) serves Glue and
 * Secrets Manager behind the sandbox's router: a well-kept emulator of those APIs. It runs through
 * moto_with_snapshot.py, which keeps their state in `snapshotFile` (rewritten after each change)
 * when one is given, in memory otherwise. Its ARNs carry the sandbox's account, as Entity Resolution's do.
 */
export type MotoBackend = ChildServer;

export async function startMoto(opts: { snapshotFile?: string } = {}): Promise<MotoBackend> {
  const port = await freePort();
  const script = join(__dirname, 'moto_with_snapshot.py');
  const args = [script, '127.0.0.1', String(port), ...(opts.snapshotFile ? [opts.snapshotFile] : [])];
  return startChildServer({
    name: 'moto (Glue, Secrets Manager)',
    command: motoPythonPath(),
    args,
    url: `http://127.0.0.1:${port}`,
    readyUrl: `http://127.0.0.1:${port}/moto-api/`,
    env: emulatorEnv({ MOTO_ACCOUNT_ID: SANDBOX_ACCOUNT }),
  });
}

/** Forgets every Glue database and table and every secret, and deletes their snapshot. */
export async function resetMoto(moto: MotoBackend): Promise<void> {
  const res = await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset answered HTTP ${res.status}`);
}
