import type { ActivityOptions } from '@temporalio/workflow';
import { durationToMs, type DurationInput } from '../../schemas/duration';
import type { PollIntervals, PollSchedule } from '../../schemas/poll-schedule';

/**
 * Options of an infrequently polled activity: one attempt per check, the retry policy waits in between (no
 * attempt limit), so history stays O(1) in the wait; `giveUpAfter` bounds the whole wait.
 */
export function pollingActivityOptions(poll: PollIntervals, giveUpAfter: DurationInput): ActivityOptions {
  return {
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: giveUpAfter,
    retry: {
      initialInterval: poll.initialInterval,
      backoffCoefficient: poll.backoffCoefficient,
      maximumInterval: poll.maximumInterval,
    },
  };
}

/** The schedule of a poll round starting at `sinceMs`, from which the `status` query derives checks made and the next check. */
export function pollSchedule(poll: PollIntervals, sinceMs: number): PollSchedule {
  return {
    since: new Date(sinceMs).toISOString(),
    initialIntervalMs: durationToMs(poll.initialInterval),
    backoffCoefficient: poll.backoffCoefficient,
    maximumIntervalMs: durationToMs(poll.maximumInterval),
  };
}
