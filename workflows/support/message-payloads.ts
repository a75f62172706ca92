import { ApplicationFailure, log } from '@temporalio/workflow';
import type { z } from 'zod';
import { INVALID_OPERATOR_ACTION } from '../../schemas/failures';
import { formatIssues } from '../../schemas/format-issues';

/** Each bad field of a message's payload and why, without its value (an operator id may hold an email by mistake). */
const payloadIssues = (error: z.ZodError) => formatIssues(error, { root: 'payload', layout: 'inline' });

/** For an Update's validator: the payload, or a refusal `Invalid <what>: …` that reaches the caller and never the history. */
export function parsedOrRefused<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid ${what}: ${payloadIssues(parsed.error)}`, INVALID_OPERATOR_ACTION);
  return parsed.data;
}

/** For a signal, which cannot be refused: the payload, or undefined after a warning naming the bad fields. */
export function parsedOrIgnored<T>(schema: z.ZodType<T>, payload: unknown, signal: string): T | undefined {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) log.warn(`Ignored the '${signal}' signal: ${payloadIssues(parsed.error)}`);
  return parsed.success ? parsed.data : undefined;
}
