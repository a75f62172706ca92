import { logger } from '../temporal-client/logger';
import { runCodecServer } from '../temporal-client/codec/run-codec-server';

runCodecServer(process.env)
  .then((server) => {
    logger.info({ url: server.url, keyIds: server.keyIds }, 'codec server listening; point the Temporal UI at it (Data Encoder settings or --ui-codec-endpoint)');
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    logger.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
