import pino from 'pino';

/** Process logger for the worker, codec server and local stack. Never log payloads, keys or connection secrets. */
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: undefined });
