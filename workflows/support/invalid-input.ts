import { ApplicationFailure } from '@temporalio/workflow';
import type { ZodError } from 'zod';

import { INVALID_INPUT } from '../../schemas/failures';
import { formatIssues } from '../../schemas/format-issues';

/** A non-retryable failure naming each bad field; values are left out so no PII reaches the history. */
export function invalidInput(workflow: string, error: ZodError): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Invalid input for ${workflow}: ${formatIssues(error, { root: '(input)', layout: 'inline' })}`, INVALID_INPUT);
}
