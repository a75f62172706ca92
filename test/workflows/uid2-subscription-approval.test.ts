import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DataExchangeClient, GetDataSetCommand, ListDataSetsCommand, ResourceNotFoundException } from '@aws-sdk/client-dataexchange';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Uid2SubscriptionActivities as Activities } from '../../activities';
import { createUid2SubscriptionActivities, type EntitlementCheck } from '../../activities/uid2-subscription/uid2-subscription';
import { AwsFailureType, INVALID_INPUT, INVALID_OPERATOR_ACTION, UID2_APPROVAL_CANCELLED, UID2_APPROVAL_DEADLINE_EXCEEDED, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import type { Uid2SubscriptionApprovalInput } from '../../schemas/uid2-subscription-approval';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approveUpdate,
  approvedSignal,
  cancelUpdate,
  cancelSignal,
  checkNowSignal,
  uid2SubscriptionApprovalStatusQuery,
  uid2SubscriptionApproval,
} from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { connectDevServer, connectTimeSkipping, workflowBundle } from '../helpers/environments';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';
import { workflowFailureOf } from '../helpers/failures';
import { historyText } from '../helpers/history-text';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let seq = 0;

beforeAll(async () => {
  env = await connectTimeSkipping();
});
afterAll(async () => {
  await env?.teardown();
});

interface Stub {
  activities: Activities;
  calls: { find: number; checks: number };
}

/** Activities typed as the real ones; the subscription becomes entitled `approvedAfterMs` after `since` (server time). */
function stubActivities(opts: { since: number; approvedAfterMs?: number }): Stub {
  const calls = { find: 0, checks: 0 };
  const activities: Activities = {
    findUid2ProviderService: async () => {
      calls.find += 1;
      return uid2Provider;
    },
    checkUid2Entitlement: async ({ dataSetId }): Promise<EntitlementCheck> => {
      calls.checks += 1;
      const now = await env.currentTimeMs();
      if (opts.approvedAfterMs === undefined || now < opts.since + opts.approvedAfterMs) {
        throw ApplicationFailure.create({ type: UID2_SUBSCRIPTION_PENDING, message: 'pending', category: ApplicationFailureCategory.BENIGN });
      }
      return { dataSetId, checkedAt: new Date(now).toISOString(), attempt: Context.current().info.attempt };
    },
    resolveUid2ApiAsset: async () => ({ assetArn: uid2AssetArn, source: 'GetAsset' }),
  };
  return { activities, calls };
}

async function withWorker<T>(stub: Stub, fn: (taskQueue: string) => Promise<T>, on: TestWorkflowEnvironment = env): Promise<T> {
  const taskQueue = `uid2-subscription-approval-${++seq}`;
  const worker = await Worker.create({
    connection: on.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: stub.activities,
  });
  return worker.runUntil(fn(taskQueue));
}

const start = (taskQueue: string, input: Uid2SubscriptionApprovalInput = {}, on: TestWorkflowEnvironment = env) =>
  on.client.workflow.start(uid2SubscriptionApproval, { taskQueue, workflowId: `uid2-subscription-approval-test-${seq}-${Date.now()}`, args: [{ input }] });

/** How long the run took in server time, from its own start and close. */
async function runDuration(handle: { describe(): Promise<{ startTime: Date; closeTime?: Date }> }): Promise<number> {
  const d = await handle.describe();
  return (d.closeTime?.getTime() ?? NaN) - d.startTime.getTime();
}


describe('uid2SubscriptionApproval', () => {
  it('completes when the subscription is approved on day 20, with the asset ARN and the SendApiAsset policy', async () => {
    const since = await env.currentTimeMs();
    const stub = stubActivities({ since, approvedAfterMs: 20 * DAY });
    const result = await withWorker(stub, async (tq) => (await start(tq)).result());

    expect(result.approvedVia).toBe('entitlement');
    expect(Date.parse(result.approvedAt) - since).toBeGreaterThanOrEqual(20 * DAY);
    expect(Date.parse(result.approvedAt) - since).toBeLessThan(20 * DAY + 2 * 3_600_000);
    expect(result.checks).toBe(stub.calls.checks);
    expect(result.dataSetId).toBe(uid2Provider.marketplace.dataSetId);
    expect(result.assetArn).toBe(uid2AssetArn);
    expect(result.iamPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Sid: 'DataExchangePermissions', Action: 'dataexchange:SendApiAsset', Resource: [uid2AssetArn] }],
    });
    expect(stub.calls.find).toBe(1);
  });

  it('fails on day 45 with a message that says what to do', async () => {
    const since = await env.currentTimeMs();
    const stub = stubActivities({ since });
    const { failure, took } = await withWorker(stub, async (tq) => {
      const handle = await start(tq, { account: '123456789012' });
      return { failure: await workflowFailureOf(handle.result()), took: await runDuration(handle) };
    });

    expect(failure.type).toBe(UID2_APPROVAL_DEADLINE_EXCEEDED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('was not approved by');
    expect(failure.message).toContain('account 123456789012');
    expect(failure.message).toMatch(/45 days after the wait began/);
    expect(took).toBeGreaterThanOrEqual(45 * DAY);
    expect(took).toBeLessThan(45 * DAY + 60_000);
  });

  it('honours a configured deadline', async () => {
    const since = await env.currentTimeMs();
    const { failure, took } = await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq, { deadline: '3 days' });
      return { failure: await workflowFailureOf(handle.result()), took: await runDuration(handle) };
    });
    expect(failure.type).toBe(UID2_APPROVAL_DEADLINE_EXCEEDED);
    expect(took).toBeGreaterThanOrEqual(3 * DAY);
    expect(took).toBeLessThan(3 * DAY + 60_000);
  });

  it("the 'approved' signal short-circuits the wait", async () => {
    const since = await env.currentTimeMs();
    const stub = stubActivities({ since });
    const { result, took } = await withWorker(stub, async (tq) => {
      const handle = await start(tq);
      expect((await handle.query(uid2SubscriptionApprovalStatusQuery)).stage).toMatch(/finding-provider|waiting-for-approval/);
      await handle.signal(approvedSignal, { by: 'ops-7', reason: 'UID2 team confirmed the approval' });
      return { result: await handle.result(), took: await runDuration(handle) };
    });
    expect(result.approvedVia).toBe('operator-signal');
    expect(result.approvedBy).toBe('ops-7');
    expect(took).toBeLessThan(DAY);
  });

  it("the 'approve' update ends the wait and returns the decision", async () => {
    const since = await env.currentTimeMs();
    const { decision, result } = await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq);
      const decision = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops-7', reason: 'UID2 team confirmed the approval' }] });
      return { decision, result: await handle.result() };
    });
    expect(decision).toEqual({ decision: 'approved', by: 'ops-7', reason: 'UID2 team confirmed the approval', stage: expect.stringMatching(/finding-provider|waiting-for-approval/) as string });
    expect(result.approvedVia).toBe('operator-signal');
    expect(result.approvedBy).toBe('ops-7');
  });

  it('refuses an update with an invalid payload or after a decision, leaving no trace of it in the history', async () => {
    const since = await env.currentTimeMs();
    const stub = stubActivities({ since });
    // The asset is read only once the test has sent its late update: the run is still open, and decided.
    let readAsset!: () => void;
    const assetGate = new Promise<void>((resolve) => (readAsset = resolve));
    const resolveAsset = stub.activities.resolveUid2ApiAsset;
    stub.activities.resolveUid2ApiAsset = async (input) => assetGate.then(() => resolveAsset(input));
    const { invalid, late, decision, result, history } = await withWorker(stub, async (tq) => {
      const handle = await start(tq);
      const invalid = await handle.executeUpdate(approveUpdate, { args: [{ by: 'jane@example.com', reason: 'ok' }] }).catch((err: unknown) => err);
      const decision = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops-7', reason: 'confirmed by the UID2 team' }] });
      const late = await handle.executeUpdate(cancelUpdate, { args: [{ by: 'ops-3', reason: 'too late' }] }).catch((err: unknown) => err);
      readAsset();
      return { invalid, late, decision, result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(invalid).toBeInstanceOf(WorkflowUpdateFailedError);
    const invalidCause = (invalid as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(invalidCause.type).toBe(INVALID_OPERATOR_ACTION);
    expect(invalidCause.message).toContain('by: must be an operator id');
    expect(invalidCause.message).not.toContain('jane@example.com');
    expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((late as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toBe('The wait was already approved by ops-7');
    expect(decision).toMatchObject({ decision: 'approved', by: 'ops-7' });
    expect(result.approvedBy).toBe('ops-7');
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    expect(historyText(history)).toContain('confirmed by the UID2 team'); // the accepted update's payload, read as plain text
    expect(historyText(history)).not.toContain('jane@example.com');
    expect(historyText(history)).not.toContain('too late');
  });

  it("the 'cancel' update ends the wait with who and why", async () => {
    const since = await env.currentTimeMs();
    const { decision, failure } = await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq);
      const decision = await handle.executeUpdate(cancelUpdate, { args: [{ by: 'ops-2', reason: 'contract not signed yet' }] });
      return { decision, failure: await workflowFailureOf(handle.result()) };
    });
    expect(decision).toMatchObject({ decision: 'cancelled', by: 'ops-2', reason: 'contract not signed yet' });
    expect(failure.type).toBe(UID2_APPROVAL_CANCELLED);
    expect(failure.message).toBe('The UID2 approval wait was cancelled by operator ops-2: contract not signed yet');
  });

  it("ignores an 'approved' signal carrying an email address", async () => {
    const since = await env.currentTimeMs();
    const failure = await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq, { deadline: '1 day' });
      await handle.signal(approvedSignal, { by: 'jane@example.com', reason: 'ok' });
      return workflowFailureOf(handle.result());
    });
    expect(failure.type).toBe(UID2_APPROVAL_DEADLINE_EXCEEDED);
    expect(failure.message).not.toContain('jane@example.com');
  });

  it("the 'cancel' signal ends the wait with who and why", async () => {
    const since = await env.currentTimeMs();
    const failure = await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq);
      await handle.query(uid2SubscriptionApprovalStatusQuery);
      await handle.signal(cancelSignal, { by: 'ops-2', reason: 'contract not signed yet' });
      return workflowFailureOf(handle.result());
    });
    expect(failure.type).toBe(UID2_APPROVAL_CANCELLED);
    expect(failure.message).toBe('The UID2 approval wait was cancelled by operator ops-2: contract not signed yet');
  });

  it('surfaces a permission error at once and reports the run as failed', async () => {
    const since = await env.currentTimeMs();
    const stub = stubActivities({ since });
    stub.activities.findUid2ProviderService = async () => {
      throw ApplicationFailure.nonRetryable('findUid2ProviderService: AccessDeniedException (HTTP 403): not authorized', AwsFailureType.accessDenied);
    };
    const { failure, stage, took } = await withWorker(stub, async (tq) => {
      const handle = await start(tq);
      const failure = await workflowFailureOf(handle.result());
      return { failure, stage: (await handle.query(uid2SubscriptionApprovalStatusQuery)).stage, took: await runDuration(handle) };
    });
    expect(failure.type).toBe(AwsFailureType.accessDenied);
    expect(stage).toBe('failed');
    expect(took).toBeLessThan(60_000);
  });

  // On the dev server: the time-skipping server mishandles a signal that races a continue-as-new
  // (it accepts the continue-as-new and stalls the new run for 90 s), and this needs no time skipping.
  it('continues as new when history grows, keeping deadline, checks and provider', async () => {
    const dev = await connectDevServer();
    const since = Date.now();
    const stub = stubActivities({ since });
    await withWorker(stub, async (tq) => {
      const handle = await start(tq, { maxHistoryEvents: 20 }, dev);
      const first = await handle.query(uid2SubscriptionApprovalStatusQuery);
      for (let i = 0; i < 6; i++) {
        await handle.signal(checkNowSignal);
        await handle.query(uid2SubscriptionApprovalStatusQuery);
      }
      const latest = dev.client.workflow.getHandle<typeof uid2SubscriptionApproval>(handle.workflowId);
      const status = await latest.query(uid2SubscriptionApprovalStatusQuery);
      expect((await latest.describe()).runId).not.toBe(handle.firstExecutionRunId);
      expect(status.runs).toBeGreaterThan(1);
      expect(status.startedAt).toBe(first.startedAt);
      expect(status.deadlineAt).toBe(first.deadlineAt);
      expect(status.dataSetId).toBe(uid2Provider.marketplace.dataSetId);
      expect(status.checks).toBeGreaterThanOrEqual(1);
      await latest.signal(approvedSignal, { by: 'ops-1', reason: 'done' });
      const result = await latest.result();
      expect(result.approvedVia).toBe('operator-signal');
    }, dev);
    await dev.teardown();
    expect(stub.calls.find).toBe(1);
  });

  // On the dev server, like the test above. The default 10-minute interval keeps each round to the
  // check a 'checkNow' starts, so every check is awaited as it happens.
  it('counts only checks made, across continue-as-new runs, in the status and the result', async () => {
    const dev = await connectDevServer();
    const stub = stubActivities({ since: Date.now() });
    let entitled = false;
    let checked: () => void = () => undefined;
    const pending = stub.activities.checkUid2Entitlement;
    stub.activities.checkUid2Entitlement = async (input) => {
      checked();
      if (!entitled) return pending(input);
      stub.calls.checks += 1;
      return { dataSetId: input.dataSetId, checkedAt: new Date().toISOString(), attempt: Context.current().info.attempt };
    };
    const nextCheck = () => new Promise<void>((resolve) => (checked = resolve));
    const { result, runs } = await withWorker(stub, async (tq) => {
      let check = nextCheck();
      const handle = await start(tq, { maxHistoryEvents: 20 }, dev);
      await check;
      const latest = dev.client.workflow.getHandle<typeof uid2SubscriptionApproval>(handle.workflowId);
      let runs = 1;
      for (let i = 0; i < 6; i++) {
        check = nextCheck();
        await latest.signal(checkNowSignal);
        await check;
        const status = await latest.query(uid2SubscriptionApprovalStatusQuery);
        expect({ signal: i, checks: status.checks }).toEqual({ signal: i, checks: stub.calls.checks });
        runs = status.runs;
      }
      entitled = true;
      await latest.signal(checkNowSignal);
      return { result: await latest.result(), runs };
    }, dev);
    await dev.teardown();
    expect(runs).toBeGreaterThan(1);
    expect(result.approvedVia).toBe('entitlement');
    expect(result.checks).toBe(stub.calls.checks);
  });

  // On the dev server: the time-skipping server dates a retry's attempt by the failure before it, not
  // when it falls due as the real server does. The real check, on a mocked Data Exchange client.
  it('counts only checks made when a late attempt puts the later checks behind the schedule (a lost attempt, a worker down)', async () => {
    const dev = await connectDevServer();
    const dataExchange = new DataExchangeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const dx = mockClient(dataExchange);
    dx.on(GetDataSetCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));
    dx.on(ListDataSetsCommand).resolves({ DataSets: [] });
    const real = createUid2SubscriptionActivities({ entityResolution: new EntityResolutionClient({ region: 'us-east-1' }), dataExchange });
    const made: number[] = [];
    let onCheck: () => void = () => undefined;
    const stub = stubActivities({ since: Date.now() });
    stub.activities.checkUid2Entitlement = async (input) => {
      made.push(Date.now());
      onCheck();
      const check = real.checkUid2Entitlement(input);
      if (made.length === 2) {
        // The second check is made, but the next one falls due 5 s late (the tolerance is 2.5 s), as after a lost attempt.
        await check.catch(() => undefined);
        throw ApplicationFailure.create({ type: 'LostAttempt', message: 'lost', nextRetryDelay: 15_000 });
      }
      return check;
    };
    const checks = (n: number) => new Promise<void>((resolve) => (onCheck = () => made.length >= n && resolve()));
    const { status, madeThen } = await withWorker(stub, async (tq) => {
      const fourth = checks(4);
      // 10 s between checks: seconds of slack for a loaded machine on either side of each assertion.
      const handle = await start(tq, { poll: { initialInterval: '10 seconds', maximumInterval: '10 seconds', backoffCoefficient: 1 } }, dev);
      await fourth;
      // Two seconds on: no check falls due before then, on the new round's schedule or in fact.
      const status = await handle.query(uid2SubscriptionApprovalStatusQuery, new Date(Date.now() + 2000).toISOString());
      const madeThen = made.length;
      await handle.signal(cancelSignal, { by: 'ops-1', reason: 'end of test' });
      await workflowFailureOf(handle.result());
      return { status, madeThen };
    }, dev);
    await dev.teardown();
    dx.restore();
    expect(madeThen).toBe(4);
    expect(status.checks).toBe(4);
  });

  it('keeps the same history length for a 2-day and a 40-day wait', async () => {
    const lengthFor = async (days: number) => {
      const since = await env.currentTimeMs();
      const stub = stubActivities({ since, approvedAfterMs: days * DAY });
      return withWorker(stub, async (tq) => {
        const handle = await start(tq);
        const result = await handle.result();
        const history = await handle.fetchHistory();
        return { events: history.events?.length ?? 0, checks: result.checks };
      });
    };
    const short = await lengthFor(2);
    const long = await lengthFor(40);
    expect(long.checks).toBeGreaterThan(short.checks * 10);
    expect(long.events).toBe(short.events);
  });

  it('reports checks made, last and next check as of the time asked', async () => {
    const since = await env.currentTimeMs();
    await withWorker(stubActivities({ since }), async (tq) => {
      const handle = await start(tq, { poll: { initialInterval: '1 hour', maximumInterval: '1 hour', backoffCoefficient: 1 } });
      let status = await handle.query(uid2SubscriptionApprovalStatusQuery);
      for (let i = 0; i < 50 && status.stage !== 'waiting-for-approval'; i++) status = await handle.query(uid2SubscriptionApprovalStatusQuery);
      const pollingSince = Date.parse(status.lastCheckAt ?? '');
      const later = await handle.query(uid2SubscriptionApprovalStatusQuery, new Date(pollingSince + 5.5 * 3_600_000).toISOString());
      expect(later.checks).toBe(6);
      expect(later.lastCheckAt).toBe(new Date(pollingSince + 5 * 3_600_000).toISOString());
      expect(later.nextCheckAt).toBe(new Date(pollingSince + 6 * 3_600_000).toISOString());
      expect(later.deadlineAt).toBe(status.deadlineAt);
      await handle.signal(cancelSignal, { by: 'ops-1', reason: 'end of test' });
      await workflowFailureOf(handle.result());
    });
  });

  it('fails fast on invalid input, naming the field', async () => {
    const since = await env.currentTimeMs();
    const failure = await withWorker(stubActivities({ since }), async (tq) =>
      workflowFailureOf((await start(tq, { deadline: 'soon', account: '42' })).result()),
    );
    expect(failure.type).toBe(INVALID_INPUT);
    expect(failure.message).toContain('account');
    expect(failure.message).toContain('deadline');
  });
});
