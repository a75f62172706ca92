import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { logger } from '../temporal-client/logger';

let installed = false;

/** Routes the Temporal SDK's logs (workflow `log.*` included) through pino at the chosen level; once per process. */
export function installSdkLogger(level: LogLevel): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta ?? {};
      const fn = entry.level === 'ERROR' ? logger.error : entry.level === 'WARN' ? logger.warn : entry.level === 'INFO' ? logger.info : logger.debug;
      fn.call(logger, meta, entry.message);
    }),
  });
}
