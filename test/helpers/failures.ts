import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
}

/** The error a call failed with (an AWS SDK client's exception, say); fails the test if the call succeeded. */
export async function errorOf(promise: Promise<unknown>): Promise<Error> {
  return (await rejectionOf(promise)) as Error;
}

/** The ApplicationFailure an activity threw. */
export async function activityFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** The innermost ApplicationFailure of a failed workflow run (through activity and child failures). */
export async function workflowFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause: unknown = (err as WorkflowFailedError).cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}
