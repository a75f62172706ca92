import type { Logger } from 'pino';
import { redactPii } from '../../pii/redact';

/**
 * Logs a failure inside the sandbox (a bug, never an injected fault) with where it happened. Its text
 * is redacted: a handler's error can quote the record it was reading.
 */
export function logInternalFailure(logger: Logger, err: unknown, context: { service?: string; operation?: string; method?: string; requestId: string }): void {
  const error = err instanceof Error ? err : new Error(String(err));
  logger.error(
    { ...context, status: 500, error: { type: error.name, message: redactPii(error.message), stack: redactPii(error.stack ?? '') } },
    'the sandbox failed to answer a request',
  );
}
