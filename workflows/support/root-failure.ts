import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';

/** What an activity or child failure wraps, unwrapped to the innermost cause: the one that says what happened. */
export function innermostCause(err: unknown): unknown {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) cause = cause.cause;
  return cause;
}

/** The innermost application failure, whose type and message say what happened; undefined when the cause is a timeout or similar. */
export function rootFailure(err: unknown): ApplicationFailure | undefined {
  const cause = innermostCause(err);
  return cause instanceof ApplicationFailure ? cause : undefined;
}
