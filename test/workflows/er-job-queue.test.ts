import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { erJobQueue } from '../../workflows/er-job-queue';
import { queueStatusQuery, releaseTurnSignal, requestTurnSignal, type ErJobQueueStatus } from '../../workflows/er-job-queue-messages';
import { uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval';
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

describe('erJobQueue', () => {
  it('grants turns first come first served, queues a repeated request once, skips a requester that is gone, and passes on the turn of a terminated holder', async () => {
    const taskQueue = `er-job-queue-${Date.now()}`;
    const worker = await Worker.create({
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
});
