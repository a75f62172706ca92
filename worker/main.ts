import { logger } from '../temporal-client/logger';
import { runWorker } from './run-worker';

runWorker().catch((err: unknown) => {
  logger.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
