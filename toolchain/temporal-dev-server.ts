import type { ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../schemas/search-attributes';

export interface DevServerOptions {
  /** Frontend (gRPC) port, on 127.0.0.1. */
  port: number;
  /** SQLite file the server keeps its state in. */
  dbFile: string;
  /** Web UI port; without one the server runs headless. */
  uiPort?: number;
  /** The codec server the Web UI decodes payloads with. */
  codecEndpoint?: string;
}

/**
 * Arguments of `temporal server start-dev` (run with toolchain/paths' temporalCliPath()) for a local
 * server of this project: on 127.0.0.1 only, namespace `default`, the project's search attributes registered.
 */
export function devServerArgs(opts: DevServerOptions): string[] {
  return [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    ...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    '--db-filename', opts.dbFile,
    '--namespace', 'default',
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    '--log-level', 'warn',
    ...Object.values(SEARCH_ATTRIBUTES).flatMap((a) => ['--search-attribute', `${a.name}=${a.type}`]),
  ];
}

/** Resolves once the Temporal frontend at `address` answers GetSystemInfo; rejects with why it does not. */
export async function checkTemporalAnswers(address: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

/** Resolves once the dev server at `address` answers; rejects if it exits first or does not answer within 60 s. */
export async function waitForTemporal(address: string, devServer: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (devServer.exitCode !== null) throw new Error(`The Temporal dev server exited with code ${devServer.exitCode}: see its output above.`);
    try {
      await checkTemporalAnswers(address);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`The Temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
