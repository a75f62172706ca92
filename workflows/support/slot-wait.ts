import { ApplicationFailure, sleep, type ActivityOptions } from '@temporalio/workflow';
import { durationToMs, type DurationInput } from '../../schemas/duration';
import type { ErSlotWait } from '../../schemas/uid2-matching/er-quotas';
import { AwsFailureType, ER_JOB_SLOT_WAIT_EXCEEDED } from '../../schemas/failures';
import type { PollIntervals } from '../../schemas/poll-schedule';
import { rootFailure } from './root-failure';

/** A job start's activity options: a refusal for a concurrency quota comes back to the workflow at once, which waits it out itself (`startWhenSlotFree`). */
export function slotRefusalsReturned(options: ActivityOptions): ActivityOptions {
  return { ...options, retry: { ...options.retry, nonRetryableErrorTypes: [...(options.retry?.nonRetryableErrorTypes ?? []), AwsFailureType.concurrencyQuota] } };
}

export interface SlotWaitOptions {
  /** The intervals between tries: initialInterval, ×backoffCoefficient, at most maximumInterval. */
  poll: PollIntervals;
  /** How long after the first refusal the last try is made. */
  giveUpAfter: DurationInput;
  /** Called after each refusal, before the wait: the `status` query shows it. */
  onRefused: (wait: ErSlotWait) => void;
}

/**
 * Calls `start` until the Region's job slot is free: a start refused with AwsConcurrencyQuota is tried
 * again after a durable timer (the wait is in the run's history and status, not hidden in an activity
 * retry). Refusals for `giveUpAfter` fail with ErJobSlotWaitExceeded; any other failure is rethrown.
 * With no refusal, this is exactly one call of `start`.
 */
export async function startWhenSlotFree<T>(start: () => Promise<T>, { poll, giveUpAfter, onRefused }: SlotWaitOptions): Promise<T> {
  const iso = (ms: number) => new Date(ms).toISOString();
  let intervalMs = durationToMs(poll.initialInterval);
  let sinceMs: number | undefined;
  for (let attempts = 1; ; attempts++) {
    try {
      return await start();
    } catch (err) {
      const refusal = rootFailure(err);
      if (refusal?.type !== AwsFailureType.concurrencyQuota) throw err;
      const nowMs = Date.now();
      sinceMs ??= nowMs;
      const giveUpAtMs = sinceMs + durationToMs(giveUpAfter);
      const quota = quotaOf(refusal);
      if (nowMs >= giveUpAtMs) {
        throw ApplicationFailure.create({
          type: ER_JOB_SLOT_WAIT_EXCEEDED,
          nonRetryable: true,
          message: `The job start was refused ${attempts} times from ${iso(sinceMs)} to ${iso(nowMs)} (jobPoll.timeout ${String(giveUpAfter)}) because ${quota.quotaName ? `the quota "${quota.quotaName}"` : 'a concurrency quota'} was in use: another job held the Region's slot all along. Find the runs or jobs using it, or set jobQueue to "account-region" so runs take turns`,
          details: [{ attempts, since: iso(sinceMs), ...quota }],
        });
      }
      const waitMs = Math.min(intervalMs, giveUpAtMs - nowMs);
      onRefused({ since: iso(sinceMs), attempts, nextAttemptAt: iso(nowMs + waitMs), giveUpAt: iso(giveUpAtMs), ...quota });
      await sleep(waitMs);
      intervalMs = Math.min(intervalMs * poll.backoffCoefficient, durationToMs(poll.maximumInterval));
    }
  }
}

/** The quota AWS named, from the classified failure's details (activities/support/aws-errors.ts). */
function quotaOf(refusal: ApplicationFailure): Pick<ErSlotWait, 'quotaName' | 'quotaValue'> {
  const detail = (refusal.details?.[0] ?? {}) as { quotaName?: unknown; quotaValue?: unknown };
  return {
    ...(typeof detail.quotaName === 'string' ? { quotaName: detail.quotaName } : {}),
    ...(typeof detail.quotaValue === 'number' ? { quotaValue: detail.quotaValue } : {}),
  };
}
