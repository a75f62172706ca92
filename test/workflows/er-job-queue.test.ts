import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { erJobQueue } from '../../workflows/er-job-queue/er-job-queue';
import { queueStatusQuery, releaseTurnSignal, requestTurnSignal, type ErJobQueueStatus } from '../../workflows/er-job-queue/er-job-queue-messages';
import { uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';

/**
 * The turn queue of one ER workflow, driven directly on the dev server. Its requesters are open runs
 * of another workflow (approval waits that never end), so a turn can be granted, held, and lost by
 * terminating its holder; the queue checks its holder every second here instead of every 15 minutes.
 */
let dev: TestWorkflowEnvironment;
beforeAll(async () => {
  dev = await connectDevServer();
});
afterAll(async () => {
  await dev?.teardown();
});

async function until(read: () => Promise<ErJobQueueStatus>, done: (s: ErJobQueueStatus) => boolean): Promise<ErJobQueueStatus> {
  let status = await read();
  // Bounded: a holder check runs every second.
  for (let i = 0; i < 100 && !done(status); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await read();
  }
  return status;
}

/** A worker for the queue and its requesters: approval waits that stay open (their subscription stays pending). */
function requesterWorker(taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: dev.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: {
      ...createWorkflowCoordinationActivities({ temporal: dev.client }),
      findUid2ProviderService: async () => uid2Provider,
      checkUid2Entitlement: async () => {
        throw ApplicationFailure.create({ type: UID2_SUBSCRIPTION_PENDING, message: 'pending', category: ApplicationFailureCategory.BENIGN });
      },
      resolveUid2ApiAsset: async () => ({ assetArn: uid2AssetArn, source: 'GetAsset' as const }),
    },
  });
}

describe('erJobQueue', () => {
  it('grants turns first come first served, queues a repeated request once, skips a requester that is gone, and passes on the turn of a terminated holder', async () => {
    const taskQueue = `er-job-queue-${Date.now()}`;
    const worker = await requesterWorker(taskQueue);
    const queueId = `er-job-queue/test-${Date.now()}`;
    const { status, afterTerminate, result } = await worker.runUntil(async () => {
      const requester = async (label: string) => {
        const handle = await dev.client.workflow.start(uid2SubscriptionApproval, { taskQueue, workflowId: `requester-${label}-${Date.now()}`, args: [{ input: {} }] });
        return { requestId: label, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      };
      const [a, b] = [await requester('a'), await requester('b')];
      const gone = { requestId: 'gone', workflowId: `never-started-${Date.now()}`, runId: '00000000-0000-4000-8000-000000000000' };
      const queue = await dev.client.workflow.signalWithStart(erJobQueue, {
        taskQueue,
        workflowId: queueId,
        args: [{ erWorkflowName: 'test', holderCheckInterval: '1 second', idleTimeout: '1 second' }],
        signal: requestTurnSignal,
        signalArgs: [a],
      });
      await queue.signal(requestTurnSignal, gone);
      await queue.signal(requestTurnSignal, b);
      await queue.signal(requestTurnSignal, b);
      const status = await until(() => queue.query(queueStatusQuery), (s) => s.holder?.requestId === 'a' && s.waiting.length === 2);

      await dev.client.workflow.getHandle(a.workflowId).terminate('holder lost');
      const afterTerminate = await until(() => queue.query(queueStatusQuery), (s) => s.holder?.requestId === 'b');
      await queue.signal(releaseTurnSignal, { requestId: 'b' });
      const result = await queue.result();
      await dev.client.workflow.getHandle(b.workflowId).terminate('test over');
      return { status, afterTerminate, result };
    });

    expect(status.holder?.requestId).toBe('a');
    expect(status.waiting.map((r) => r.requestId)).toEqual(['gone', 'b']);
    // 'gone' could not be signalled, so the turn went to 'b' once the terminated 'a' was noticed.
    expect(afterTerminate.holder?.requestId).toBe('b');
    expect(afterTerminate.waiting).toEqual([]);
    expect(result).toEqual({ served: 1 });
  });

  it('continues as new past maxHistoryEvents, carrying who waits and how many were served, so its history stays bounded', async () => {
    const taskQueue = `er-job-queue-bounded-${Date.now()}`;
    const worker = await requesterWorker(taskQueue);
    const queueId = `er-job-queue/bounded-${Date.now()}`;
    const maxHistoryEvents = 30;
    const { result, runs } = await worker.runUntil(async () => {
      const requesters = await Promise.all(
        ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map(async (label) => {
          const handle = await dev.client.workflow.start(uid2SubscriptionApproval, { taskQueue, workflowId: `bounded-requester-${label}-${Date.now()}`, args: [{ input: {} }] });
          return { requestId: label, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
        }),
      );
      const queue = await dev.client.workflow.signalWithStart(erJobQueue, {
        taskQueue,
        workflowId: queueId,
        args: [{ erWorkflowName: 'bounded', holderCheckInterval: '1 minute', idleTimeout: '1 second', maxHistoryEvents }],
        signal: requestTurnSignal,
        signalArgs: [requesters[0]!],
      });
      for (const request of requesters.slice(1)) await queue.signal(requestTurnSignal, request);
      for (const request of requesters) {
        await until(() => dev.client.workflow.getHandle(queueId).query(queueStatusQuery), (s) => s.holder?.requestId === request.requestId);
        await dev.client.workflow.getHandle(queueId).signal(releaseTurnSignal, { requestId: request.requestId });
      }
      const result = await dev.client.workflow.getHandle<typeof erJobQueue>(queueId).result();
      for (const request of requesters) await dev.client.workflow.getHandle(request.workflowId).terminate('test over');
      const runs: { status: string; events: number }[] = [];
      for await (const execution of dev.client.workflow.list({ query: `WorkflowId = '${queueId}'` })) {
        const history = await dev.client.workflow.getHandle(queueId, execution.runId).fetchHistory();
        runs.push({ status: execution.status.name, events: history.events?.length ?? 0 });
      }
      return { result, runs };
    });

    // Every request was served once, in order, across the runs.
    expect(result).toEqual({ served: 10 });
    // Unbounded, one run would hold about 150 events; past the bound a run ends after the job it serves,
    // so it holds at most that job's events and the requests signalled meanwhile beyond it.
    expect(runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(run.events).toBeLessThanOrEqual(maxHistoryEvents + 40);
  });
});
