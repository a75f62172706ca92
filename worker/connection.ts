import { NativeConnection } from '@temporalio/worker';
import { connectionOptions } from '../temporal-client/connection';
import type { TemporalConfig } from '../temporal-client/config';

/** The worker's own connection; kept out of temporal-client/ so the starters never load @temporalio/worker. */
export async function connectWorkerConnection(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
