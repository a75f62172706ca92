import { startCodecServer, type CodecServer } from './codec-server';
import { DEV_CODEC_KEY_FILE, keyringFromEnv } from './keyring';
import { codecServerConfigFromEnv, isLocalTemporal, temporalConfigFromEnv } from '../config';
import { logger } from '../logger';

/** Starts the codec server with the same key settings as the worker (dev key file only for a local cluster). */
export async function runCodecServer(env: NodeJS.ProcessEnv): Promise<CodecServer> {
  const config = codecServerConfigFromEnv(env);
  const temporal = temporalConfigFromEnv(env);
  const keyring = keyringFromEnv(env, { devKeyFile: isLocalTemporal(temporal.TEMPORAL_ADDRESS) ? DEV_CODEC_KEY_FILE : undefined });
  return startCodecServer({
    keyring,
    port: config.CODEC_SERVER_PORT,
    host: config.CODEC_SERVER_HOST,
    corsOrigins: config.CODEC_SERVER_CORS_ORIGINS,
    authToken: config.CODEC_SERVER_AUTH_TOKEN,
    logger: { info: (msg, meta) => logger.debug(meta ?? {}, msg), warn: (msg, meta) => logger.warn(meta ?? {}, msg) },
  });
}
