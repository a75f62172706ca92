import { ApplicationFailure } from '@temporalio/workflow';
import type { ZodError } from 'zod';

import { INVALID_INPUT } from '../schemas/failures';

/** A non-retryable failure naming each bad field; values are left out so no PII reaches the history. */
export function invalidInput(workflow: string, error: ZodError): ApplicationFailure {
  const fields = error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
  return ApplicationFailure.nonRetryable(`Invalid input for ${workflow}: ${fields}`, INVALID_INPUT);
}
