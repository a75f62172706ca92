import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { prepareIdentityData, prepStatusQuery } from '../../workflows/preparation/prepare-identity-data';
import { connectTimeSkipping, workflowBundle } from '../helpers/environments';

type PrepActivities = Pick<Activities, 'planDatasetPreparation' | 'prepareDataset' | 'writePrepManifest' | 'discardPrepRun'>;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectTimeSkipping();
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

describe('prepareIdentityData (time-skipping server)', () => {
  it('a run cancelled while its task runs ends in the cancelled stage, in its status and its IdentityStage', async () => {
    const taskQueue = `${TASK_QUEUE}-prep-cancel-${Date.now()}`;
    let taskStarted!: () => void;
    const started = new Promise<void>((resolve) => (taskStarted = resolve));
    const discarded: string[] = [];
    const activities: PrepActivities = {
      planDatasetPreparation: async () => [{ index: 0, input: 's3://raw/in.csv', format: 'csv', rowOffset: 0 }],
      prepareDataset: async () => {
        taskStarted();
        const ctx = Context.current();
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(100);
        }
      },
      writePrepManifest: async () => {
        throw new Error('a cancelled run publishes nothing');
      },
      discardPrepRun: async ({ runId }) => {
        discarded.push(runId);
        return { published: false, removedObjects: 0 };
      },
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(prepareIdentityData, {
        taskQueue,
        workflowId: `prep-cancel-${Date.now()}`,
        args: [{ input: 's3://raw/in.csv', output: 's3://prepared/out/', rules: { profile: 'uid2', columns: { email: 'EMAIL' } } }],
      });
      await started;
      await handle.cancel();
      const failure = await handle.result().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((await handle.query(prepStatusQuery)).stage).toBe('cancelled');
      const attributes = (await handle.describe()).searchAttributes;
      expect(attributes[SEARCH_ATTRIBUTES.stage.name]).toEqual(['cancelled']);
      expect(discarded).toEqual([(await handle.describe()).runId]);
    });
  }, 60_000);
});
