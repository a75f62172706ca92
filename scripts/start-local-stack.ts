import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_TOKEN_ENV } from '../sandbox/admin/admin-guard';
import { faultsFromEnv } from '../sandbox/admin/faults';
import { startSandbox } from '../sandbox/server';
import { DEV_CODEC_KEY_FILE, ensureDevCodecKey } from '../temporal-client/codec/keyring';
import { logger } from '../temporal-client/logger';
import { runCodecServer } from '../temporal-client/codec/run-codec-server';
import { runWorker } from '../worker/run-worker';
import { awsTarget, useSandboxAws } from './local-stack/aws-target';
import { resolveAwsIdentity, type AwsIdentity } from './local-stack/aws-identity';
import { startDemo } from './demo';
import { stackBanner } from './local-stack/banner';
import { stopLeftovers } from './local-stack/leftovers';
import { StackLifetime } from './local-stack/lifetime';
import { describeProcess } from './local-stack/processes';
import { PROJECT_ROOT, temporalCliPath } from '../toolchain/paths';
import { stopChild } from '../toolchain/stop-child';
import { devServerArgs, waitForTemporal } from '../toolchain/temporal-dev-server';

/**
 * `npm start`: with TEMPORAL_ADDRESS set, only a worker against that cluster. Otherwise the whole
 * local stack: Temporal dev server (SQLite under .data/, Web UI on :8233, search attributes
 * registered), the codec server the UI decrypts payloads with, a worker, and the sandbox with a
 * demo run — or real AWS when asked for with IDENTITY_WORKFLOWS_AWS=aws / --aws.
 * Ctrl-C stops the worker gracefully first, then the rest.
 */
const DATA_DIR = process.env.IDENTITY_WORKFLOWS_DATA_DIR ?? join(PROJECT_ROOT, '.data');
/** The processes this start launched, for the reaper and the next start (see local-stack/leftovers.ts). */
const STACK_FILE = join(DATA_DIR, 'stack-processes.json');
let lifetime: StackLifetime | undefined;
const target = awsTarget(process.env, process.argv);
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const ports: Record<string, number> = {
  frontend: Number(process.env.TEMPORAL_PORT ?? 7233),
  ui: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
  codec: Number(process.env.CODEC_SERVER_PORT ?? 8234),
  ...(target === 'sandbox' ? { sandbox: Number(process.env.SANDBOX_PORT ?? 4566) } : {}),
};

async function main(): Promise<void> {
  const identity = target === 'aws' ? await resolveAwsIdentity(region) : undefined;
  if (process.env.TEMPORAL_ADDRESS) {
    if (!identity) {
      throw new Error(
        'TEMPORAL_ADDRESS is set, so npm start runs only a worker against that cluster, and such a worker works on real AWS: ' +
          'set IDENTITY_WORKFLOWS_AWS=aws (or pass --aws) to confirm, or unset TEMPORAL_ADDRESS for the local stack on the sandbox.',
      );
    }
    logger.info(`TEMPORAL_ADDRESS is set: running only the worker against ${process.env.TEMPORAL_ADDRESS}, on ${describeAws(identity)}`);
    await runWorker({ ...process.env, AWS_REGION: region });
    return;
  }
  ensureToolchain();
  mkdirSync(DATA_DIR, { recursive: true });
  const stopped = await stopLeftovers(STACK_FILE);
  if (stopped.length > 0) {
    logger.warn(`Stopped what an earlier npm start left running when it ended without shutting down: ${stopped.map(describeProcess).join(', ')}`);
  }
  if (process.argv.includes('--reset')) {
    rmSync(DATA_DIR, { recursive: true, force: true });
    mkdirSync(DATA_DIR, { recursive: true });
    logger.info('--reset: local Temporal state removed');
  }
  await assertPortsFree();
  if (!process.env.TEMPORAL_CODEC_KEY) ensureDevCodecKey(DEV_CODEC_KEY_FILE);

  lifetime = new StackLifetime(STACK_FILE);
  const sandbox =
    target === 'sandbox'
      ? await startSandbox({
          port: ports.sandbox!,
          dataDir: join(DATA_DIR, 'sandbox'),
          faults: faultsFromEnv(process.env),
          adminToken: process.env[ADMIN_TOKEN_ENV],
        })
      : undefined;
  lifetime.record();
  // The worker's SDK clients read the sandbox's endpoint and keys like any AWS setting: no code path differs from real AWS.
  if (sandbox) useSandboxAws(process.env, sandbox.url);
  const uiUrl = `http://localhost:${ports.ui}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.frontend}`,
    TEMPORAL_UI_URL: uiUrl,
    CODEC_SERVER_PORT: String(ports.codec),
    CODEC_SERVER_CORS_ORIGINS: process.env.CODEC_SERVER_CORS_ORIGINS ?? `${uiUrl},http://127.0.0.1:${ports.ui}`,
    AWS_REGION: region,
  };

  const devServer = startDevServer(`http://127.0.0.1:${ports.codec}`);
  lifetime.record();
  let stopDemo: () => void = () => undefined;
  try {
    await waitForTemporal(env.TEMPORAL_ADDRESS!, devServer);
    const codecServer = await runCodecServer(env);
    try {
      await runWorker(env, () => {
        console.log(stackBanner({ env, dataDir: DATA_DIR, codecUrl: codecServer.url, aws: sandbox ? { sandboxUrl: sandbox.url } : { identity: identity! } }));
        if (sandbox && !process.argv.includes('--no-demo')) {
          startDemo(env, sandbox.url).then(
            (stop) => (stopDemo = stop),
            (err: unknown) => logger.warn(`demo not started: ${(err as Error).message}`),
          );
        }
      });
    } finally {
      stopDemo();
      await codecServer.close();
    }
  } finally {
    await stopChild(devServer, { graceMs: 10_000 });
    await sandbox?.close();
  }
  lifetime.release();
}

function describeAws(identity: AwsIdentity): string {
  return `AWS account ${identity.account} in ${identity.region} as ${identity.arn}`;
}

function ensureToolchain(): void {
  const setup = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'setup-toolchain.mjs'), '--quiet'], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('The Temporal toolchain is not installed and could not be installed: run `npm run setup` to see why.');
}

const PORT_SETTINGS: Record<string, string> = { frontend: 'TEMPORAL_PORT', ui: 'TEMPORAL_UI_PORT', codec: 'CODEC_SERVER_PORT', sandbox: 'SANDBOX_PORT' };

/** Runs after the leftovers of an earlier start are stopped: whatever still holds a port is not ours. */
async function assertPortsFree(): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) {
      const holder = listenerOf(port);
      throw new Error(
        `Port ${port} (${name}, ${PORT_SETTINGS[name]}) is in use by another program${holder ? `, ${holder}` : ''}: not a process an earlier npm start left running. ` +
          `Stop it, choose other ports (TEMPORAL_PORT, TEMPORAL_UI_PORT, CODEC_SERVER_PORT, SANDBOX_PORT), ` +
          'or run only the worker against an existing cluster with TEMPORAL_ADDRESS=host:port.',
      );
    }
  }
}

/** Which process listens on the port, where lsof can tell (same user, lsof installed). */
function listenerOf(port: number): string | undefined {
  const lsof = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { encoding: 'utf8' });
  const pid = /^p(\d+)$/m.exec(lsof.stdout ?? '')?.[1];
  const command = /^c(.+)$/m.exec(lsof.stdout ?? '')?.[1];
  return pid ? `pid ${pid}${command ? ` (${command})` : ''}` : undefined;
}

function startDevServer(codecEndpoint: string): ChildProcess {
  const args = devServerArgs({ port: ports.frontend!, uiPort: ports.ui!, dbFile: join(DATA_DIR, 'temporal.db'), codecEndpoint });
  // Own process group: Ctrl-C reaches this process only, which stops the worker before the server.
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return child;
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    logger.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
    const stopped = (await lifetime?.stopAll()) ?? [];
    if (stopped.length > 0) logger.error(`Stopped the processes it had started: ${stopped.map(describeProcess).join(', ')}`);
    lifetime?.release();
    process.exit(1);
  },
);
