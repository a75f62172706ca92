/**
 * Records the workflow histories replayed by test/replay (run `npm run record-histories` after an
 * intended, compatible change; commit the JSON). Runs on the time-skipping server with stubbed
 * activities, no codec, and made-up ids only, so the fixtures hold no secrets and no PII.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Uid2SubscriptionActivities as Activities } from '../../activities';
import { temporalTestServerPath } from '../../scripts/toolchain';
import { FAILURE_CONVERTER_PATH } from '../../worker/codec/data-converter';
import { WORKFLOWS_PATH } from '../../worker/create-worker';
import { checkNowSignal, statusQuery, uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';

const DAY = 86_400_000;

async function main(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        IdentityPipeline: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        IdentityStage: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      },
    });
    const since = await env.currentTimeMs();
    const activities: Activities = {
      findUid2ProviderService: async () => uid2Provider,
      checkUid2Entitlement: async ({ dataSetId }) => {
        const now = await env.currentTimeMs();
        if (now < since + 3 * DAY) {
          throw ApplicationFailure.create({ type: 'Uid2SubscriptionPending', message: 'pending', category: ApplicationFailureCategory.BENIGN });
        }
        return { dataSetId, checkedAt: new Date(now).toISOString(), attempt: Context.current().info.attempt };
      },
      resolveUid2ApiAsset: async () => ({ assetArn: uid2AssetArn, source: 'GetAsset' }),
    };
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record', workflowBundle, activities });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(uid2SubscriptionApproval, {
        taskQueue: 'record',
        workflowId: 'uid2-subscription-approval/111122223333',
        args: [{ input: { account: '111122223333' } }],
      });
      await handle.query(statusQuery);
      await handle.signal(checkNowSignal);
      await handle.query(statusQuery);
      await handle.result();
      return handle.fetchHistory();
    });
    const file = join(__dirname, 'histories', 'uid2-subscription-approval.json');
    const json = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, enums: String, bytes: String });
    writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
    console.log(`recorded ${history.events?.length ?? 0} events to ${file}`);
  } finally {
    await env.teardown();
  }
}

void main();
