import pino from 'pino';

/**
 * Process logger for the worker, codec server and local stack. Never log payloads, keys or connection secrets.
 * The Temporal SDK puts errors under `error` (pino serializes only `err` by default, so they printed as `{}`).
 */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level: process.env.LOG_LEVEL ?? 'info',
    base: undefined,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();
