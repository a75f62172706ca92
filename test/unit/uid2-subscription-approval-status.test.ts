import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { uid2SubscriptionApprovalStages, type Uid2SubscriptionApprovalState } from '../../schemas/uid2-subscription-approval';
import { UID2_APPROVAL_DEADLINE_EXCEEDED } from '../../schemas/failures';
import { uid2SubscriptionApprovalStatus, deadlineExceeded } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval-status';
import { uid2Provider } from '../helpers/uid2-fixtures';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const startedAt = '2025-03-01T08:00:00.000Z';
const t0 = Date.parse(startedAt);
const iso = (ms: number) => new Date(ms).toISOString();
const roundSince = t0 + 2 * DAY;

function state(overrides: Partial<Uid2SubscriptionApprovalState> = {}): Uid2SubscriptionApprovalState {
  return {
    stage: 'waiting-for-approval',
    startedAt,
    deadlineAt: iso(t0 + 45 * DAY),
    checksBefore: 5,
    lastCheckAt: iso(roundSince - MINUTE),
    // Initial 10 min, coefficient 2, max 1 h: checks at 0, 10, 30, 70, 130… minutes into the round.
    polling: { since: iso(roundSince), initialIntervalMs: 10 * MINUTE, backoffCoefficient: 2, maximumIntervalMs: 60 * MINUTE },
    provider: uid2Provider,
    runs: 2,
    ...overrides,
  };
}

describe('uid2SubscriptionApprovalStatus', () => {
  it('adds the live poll round to the checks of earlier rounds', () => {
    const at = roundSince + 75 * MINUTE;
    expect(uid2SubscriptionApprovalStatus(state(), at)).toEqual({
      stage: 'waiting-for-approval',
      startedAt,
      deadlineAt: iso(t0 + 45 * DAY),
      checks: 5 + 4,
      lastCheckAt: iso(roundSince + 70 * MINUTE),
      nextCheckAt: iso(roundSince + 130 * MINUTE),
      asOf: iso(at),
      providerServiceArn: uid2Provider.providerServiceArn,
      dataSetId: uid2Provider.marketplace.dataSetId,
      runs: 2,
      nextAction: expect.stringContaining("'approve' update") as string,
    });
  });

  it('counts the first check of a round as soon as it starts, even when asked a moment before', () => {
    expect(uid2SubscriptionApprovalStatus(state(), roundSince).checks).toBe(6);
    const before = uid2SubscriptionApprovalStatus(state(), roundSince - 1000);
    expect(before.checks).toBe(6);
    expect(before.nextCheckAt).toBe(iso(roundSince + 10 * MINUTE));
    expect(before.asOf).toBe(iso(roundSince - 1000));
  });

  it('between rounds reports the exact counts carried in the state', () => {
    const status = uid2SubscriptionApprovalStatus(state({ polling: undefined, checksBefore: 12 }), roundSince);
    expect(status.checks).toBe(12);
    expect(status.lastCheckAt).toBe(iso(roundSince - MINUTE));
    expect(status.nextCheckAt).toBeUndefined();
  });

  it('omits nextCheckAt when the next check would come after the deadline', () => {
    const deadlineAt = iso(roundSince + 100 * MINUTE);
    const before = uid2SubscriptionApprovalStatus(state({ deadlineAt }), roundSince + 31 * MINUTE);
    expect(before.nextCheckAt).toBe(iso(roundSince + 70 * MINUTE));

    const after = uid2SubscriptionApprovalStatus(state({ deadlineAt }), roundSince + 75 * MINUTE);
    expect(after.checks).toBe(9);
    expect(after.nextCheckAt).toBeUndefined();
    expect(JSON.parse(JSON.stringify(after))).not.toHaveProperty('nextCheckAt');
  });

  it('has no provider fields before the provider is found', () => {
    const status = uid2SubscriptionApprovalStatus(state({ stage: 'finding-provider', provider: undefined, polling: undefined, checksBefore: 0, lastCheckAt: undefined }), t0);
    expect(status).toMatchObject({ stage: 'finding-provider', checks: 0 });
    expect(status.providerServiceArn).toBeUndefined();
    expect(status.dataSetId).toBeUndefined();
    expect(status.lastCheckAt).toBeUndefined();
  });

  it('gives a distinct, non-empty next action for every stage', () => {
    const actions = uid2SubscriptionApprovalStages.map((stage) => uid2SubscriptionApprovalStatus(state({ stage }), roundSince).nextAction);
    for (const action of actions) expect(action.trim().length).toBeGreaterThan(10);
    expect(new Set(actions).size).toBe(uid2SubscriptionApprovalStages.length);
    expect(uid2SubscriptionApprovalStatus(state({ stage: 'completed' }), roundSince).nextAction).toContain('IAM policy');
  });
});

describe('deadlineExceeded', () => {
  it('is a non-retryable failure naming the deadline, the data set and the approve update', () => {
    const s = state({ checksBefore: 1083 });
    const failure = deadlineExceeded(s, '123456789012');

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(UID2_APPROVAL_DEADLINE_EXCEEDED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(s.deadlineAt);
    expect(failure.message).toContain(uid2Provider.marketplace.dataSetId);
    expect(failure.message).toContain("'approve' update");
    expect(failure.message).toContain('45 days');
    expect(failure.message).toContain('1083 entitlement checks');
    expect(failure.message).toContain('123456789012');
  });

  it('carries no key material or PII', () => {
    const message = deadlineExceeded(state(), undefined).message;
    expect(message).toContain('(your account)');
    expect(message).not.toMatch(/key|secret|token|password/i);
    expect(message).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    expect(message).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/);
    expect(message).not.toContain('@');
  });

  it('says "unknown" for the data set when the provider was never found', () => {
    expect(deadlineExceeded(state({ provider: undefined }), undefined).message).toContain('data set unknown');
  });
});
