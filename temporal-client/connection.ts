import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from './codec/data-converter';
import { DEV_CODEC_KEY_FILE, keyringFromEnv } from './codec/keyring';
import { isLocalTemporal, type TemporalConfig } from './config';

/** Address, API key and TLS: the same for the starters' client and the worker's native connection. */
export function connectionOptions(config: TemporalConfig) {
  return {
    address: config.TEMPORAL_ADDRESS,
    apiKey: config.TEMPORAL_API_KEY,
    tls: config.TEMPORAL_TLS ?? Boolean(config.TEMPORAL_API_KEY),
  };
}

/** The payload codec for this environment: TEMPORAL_CODEC_KEY, or the generated dev key for a cluster on this machine. */
export function dataConverterFromEnv(config: TemporalConfig, env: NodeJS.ProcessEnv): DataConverter {
  const devKeyFile = isLocalTemporal(config.TEMPORAL_ADDRESS) ? DEV_CODEC_KEY_FILE : undefined;
  return createDataConverter(keyringFromEnv(env, { devKeyFile }));
}

export async function connectClient(config: TemporalConfig, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
}
