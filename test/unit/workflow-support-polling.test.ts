import { describe, expect, it } from 'vitest';
import { pollProgressAt } from '../../schemas/poll-schedule';
import { AwsFailureType } from '../../schemas/failures';
import { pollSchedule, pollingActivityOptions } from '../../workflows/support/polling';
import { slotRefusalsReturned } from '../../workflows/support/slot-wait';

const MINUTE = 60_000;
const t0 = Date.parse('2026-03-01T00:00:00.000Z');
const jobPoll = { initialInterval: '1 minute', maximumInterval: '10 minutes', backoffCoefficient: 2 };

describe('pollingActivityOptions', () => {
  it('waits between checks by the retry policy, without an attempt limit, and gives up after the bound', () => {
    expect(pollingActivityOptions(jobPoll, '7 days')).toEqual({
      startToCloseTimeout: '2 minutes',
      scheduleToCloseTimeout: '7 days',
      retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '10 minutes' },
    });
  });

  it('takes the bound in milliseconds too (the time left before a deadline)', () => {
    expect(pollingActivityOptions({ initialInterval: 600_000, maximumInterval: '1 hour', backoffCoefficient: 1.5 }, 12_345).scheduleToCloseTimeout).toBe(12_345);
  });
});

describe('slotRefusalsReturned', () => {
  it('keeps the options and makes a concurrency-quota refusal come back to the workflow instead of being retried', () => {
    const options = slotRefusalsReturned(pollingActivityOptions(jobPoll, '7 days'));
    expect(options).toEqual({
      startToCloseTimeout: '2 minutes',
      scheduleToCloseTimeout: '7 days',
      retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: [AwsFailureType.concurrencyQuota] },
    });
  });
});

describe('pollSchedule', () => {
  it('is the retry policy of the same config, in milliseconds, from the given instant', () => {
    expect(pollSchedule(jobPoll, t0)).toEqual({ since: '2026-03-01T00:00:00.000Z', initialIntervalMs: MINUTE, backoffCoefficient: 2, maximumIntervalMs: 10 * MINUTE });
  });

  it('tells the status query the checks the retry policy has made: at 0, 1, 3, 7, 15, 25 minutes', () => {
    const schedule = pollSchedule(jobPoll, t0);
    const checksAt = (minutes: number) => pollProgressAt(schedule, t0 + minutes * MINUTE).checks;
    expect([0, 0.5, 1, 2.9, 3, 6.9, 7, 14.9, 15, 24.9, 25].map(checksAt)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    expect(pollProgressAt(schedule, t0 + 16 * MINUTE).nextCheckAt).toBe(new Date(t0 + 25 * MINUTE).toISOString());
  });
});
