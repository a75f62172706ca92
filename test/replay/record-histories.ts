/**
 * Records the workflow histories replayed by test/replay (run `npm run record-histories` after an
 * intended, compatible change; commit the JSON). Runs on the time-skipping server with stubbed
 * activities (amcIdMapping and audienceUpload: a dev server and the sandbox), no codec, and made-up ids and values only,
 * so the fixtures hold no secrets and no PII.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Uid2SubscriptionActivities as Activities } from '../../activities';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createEntityResolutionActivities } from '../../activities/entity-resolution/entity-resolution';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { workflowIds } from '../../schemas/temporal-names';
import { uid2Matching, uid2MatchingStatusQuery } from '../../workflows/uid2-matching/uid2-matching';
import { FakeAws } from '../workflows/fake-entity-resolution';
import { temporalTestServerPath } from '../../toolchain/paths';
import { workflowBundleOptions } from '../../worker/workflow-bundle-options';
import { approveUpdate, checkNowSignal, uid2SubscriptionApprovalStatusQuery, uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';
import type { Activities as AllActivities } from '../../activities';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { emptyCounts } from '../../pii/prep/run/prep-counts';
import { PREP_INPUT_ERROR, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { prepRulesSchema } from '../../schemas/preparation/prep';
import { prepareIdentityData, prepStatusQuery } from '../../workflows/preparation/prepare-identity-data';
import { erJobQueue } from '../../workflows/er-job-queue/er-job-queue';
import { queueStatusQuery, releaseTurnSignal, requestTurnSignal } from '../../workflows/er-job-queue/er-job-queue-messages';
import { recordAmcIdMapping } from './record-amc-id-mapping';
import { recordAudienceUpload } from './record-audience-upload';

const DAY = 86_400_000;

function save(name: string, history: unknown): void {
  const file = join(__dirname, 'histories', `${name}.json`);
  const json = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, enums: String, bytes: String });
  writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  console.log(`recorded ${(json.events as unknown[] | undefined)?.length ?? 0} events to ${file}`);
}

/** Names of the histories to record (all when none is given): `npm run record-histories -- prepare-identity-data`. */
const wanted = process.argv.slice(2);
const recording = (name: string) => wanted.length === 0 || wanted.some((w) => name.startsWith(w));

async function main(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        IdentityPipeline: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        IdentityStage: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        IdentityErWorkflow: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      },
    });
    const workflowBundle = await bundleWorkflowCode(workflowBundleOptions());
    if (recording('prepare-identity-data')) await recordPreparation(env, workflowBundle);
    if (recording('er-job-queue-continued')) await recordJobQueueContinued(env, workflowBundle);
    // On a dev server with the production worker against the sandbox, whose AMC stand-in keeps its own clock.
    if (recording('amc-id-mapping')) save('amc-id-mapping', await recordAmcIdMapping(workflowBundle));
    if (recording('audience-upload')) {
      const { created, delta } = await recordAudienceUpload(workflowBundle);
      save('audience-upload-created', created);
      save('audience-upload-delta', delta);
    }
    if (!['uid2-subscription-approval', 'uid2-subscription-approval-by-update', 'uid2-matching', 'uid2-matching-prepared'].some(recording)) return;
    const since = await env.currentTimeMs();
    const activities: Activities = {
      findUid2ProviderService: async () => uid2Provider,
      checkUid2Entitlement: async ({ dataSetId }) => {
        const now = await env.currentTimeMs();
        if (now < since + 3 * DAY) {
          throw ApplicationFailure.create({ type: UID2_SUBSCRIPTION_PENDING, message: 'pending', category: ApplicationFailureCategory.BENIGN });
        }
        return { dataSetId, checkedAt: new Date(now).toISOString(), attempt: Context.current().info.attempt };
      },
      resolveUid2ApiAsset: async () => ({ assetArn: uid2AssetArn, source: 'GetAsset' }),
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record', workflowBundle, activities });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(uid2SubscriptionApproval, {
        taskQueue: 'record',
        workflowId: 'uid2-subscription-approval/111122223333',
        args: [{ input: { account: '111122223333' } }],
      });
      await handle.query(uid2SubscriptionApprovalStatusQuery);
      await handle.signal(checkNowSignal);
      await handle.query(uid2SubscriptionApprovalStatusQuery);
      await handle.result();
      return handle.fetchHistory();
    });
    if (recording('uid2-subscription-approval')) save('uid2-subscription-approval', history);

    // uid2SubscriptionApproval decided by an operator's approve Update: one refused by the validator (no trace in history), one accepted.
    const pendingActivities: Activities = {
      ...activities,
      checkUid2Entitlement: async () => {
        throw ApplicationFailure.create({ type: UID2_SUBSCRIPTION_PENDING, message: 'pending', category: ApplicationFailureCategory.BENIGN });
      },
    };
    const updateWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record-update', workflowBundle, activities: pendingActivities });
    const decided = await updateWorker.runUntil(async () => {
      const handle = await env.client.workflow.start(uid2SubscriptionApproval, {
        taskQueue: 'record-update',
        workflowId: 'uid2-subscription-approval/444455556666',
        args: [{ input: { account: '444455556666' } }],
      });
      await handle.query(uid2SubscriptionApprovalStatusQuery);
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'not an operator id', reason: 'refused' }] }).catch(() => undefined);
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops-7', reason: 'UID2 team confirmed the approval' }] });
      await handle.result();
      return handle.fetchHistory();
    });
    if (recording('uid2-subscription-approval-by-update')) save('uid2-subscription-approval-by-update', decided);

    // uid2Matching: both identifiers, a 2-hour job each, with the real Entity Resolution activities on a fake AWS.
    const aws = new FakeAws(() => env.currentTimeMs());
    aws.jobDurationMs = 2 * 3_600_000;
    const matchingActivities = withAwsFailureMapping({
      findUid2ProviderService: async () => uid2Provider,
      readUid2Entitlement: async () => ({ entitled: true }),
      describeInputTable: async () => ({ tableArn: 'arn:aws:glue:us-east-1:111122223333:table/crm/customers', columns: { uniqueId: 'customer_id', email: 'email', phone: 'phone' } }),
      ...createEntityResolutionActivities(aws),
      ...createWorkflowCoordinationActivities({ temporal: env.client }),
    });
    const matchingWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record-matching', workflowBundle, activities: matchingActivities });
    const matchingHistory = await matchingWorker.runUntil(async () => {
      const handle = await env.client.workflow.start(uid2Matching, {
        taskQueue: 'record-matching',
        workflowId: workflowIds.uid2Matching('Recorded_UID2_Matching', '2026-11-24'),
        args: [
          {
            name: 'Recorded_UID2_Matching',
            data: { glueTable: { database: 'crm', table: 'customers' } },
            uniqueIdColumn: 'customer_id',
            emailColumn: 'email',
            phoneColumn: 'phone',
            output: { s3Path: 's3://recorded-output/uid2/' },
            roleArn: 'arn:aws:iam::111122223333:role/EntityResolutionUid2',
          },
        ],
      });
      await handle.query(uid2MatchingStatusQuery);
      await handle.result();
      for (const name of ['Recorded_UID2_Matching_email', 'Recorded_UID2_Matching_phone']) await env.client.workflow.getHandle(workflowIds.erJobQueue(name)).result();
      return handle.fetchHistory();
    });
    if (recording('uid2-matching')) save('uid2-matching', matchingHistory);

    // uid2Matching with preparation (version 2): each identifier prepared by a prepareIdentityData child, cataloged, then matched.
    if (recording('uid2-matching-prepared')) save('uid2-matching-prepared', await recordPreparedMatching(env, workflowBundle));
  } finally {
    await env.teardown();
  }
}

/** uid2Matching, version 2: both identifiers prepared (104 rows in, 4 rejected, 100 sent), then a 2-hour job each on a fake AWS. */
async function recordPreparedMatching(env: TestWorkflowEnvironment, workflowBundle: { code: string }): Promise<unknown> {
  const aws = new FakeAws(() => env.currentTimeMs());
  aws.jobDurationMs = 2 * 3_600_000;
  const counts = (column: string) => {
    const c = { ...emptyCounts({ [column]: 'PHONE' }), rowsIn: 104, rowsOut: 100, rowsRejected: 4 };
    c.columns[column] = { type: 'PHONE', normalized: 100, rewritten: 60, passedThrough: 0, empty: 3, rejected: 1, reasons: { 'not a phone number in E.164 or a US national format': 1 } };
    return c;
  };
  const activities = withAwsFailureMapping({
    findUid2ProviderService: async () => uid2Provider,
    readUid2Entitlement: async () => ({ entitled: true }),
    describePreparationSource: async () => ({ input: 's3://recorded-input/customers/', format: 'csv' as const, columns: { uniqueId: 'customer_id', email: 'email', phone: 'phone' } }),
    planDatasetPreparation: async ({ input }) => [{ index: 0, input: `${input}customers.csv`, format: 'csv' as const, rowOffset: 0 }],
    prepareDataset: async ({ rules }) => ({
      profile: 'uid2',
      columns: rules.columns,
      outputFormat: 'csv',
      inputs: [{ uri: 's3://recorded-input/customers/customers.csv', format: 'csv' }],
      outputs: [{ uri: 's3://recorded-output/uid2/prepared/x/run-x/data/part-0.csv', bytes: 100, sha256: '0'.repeat(64), md5: '0'.repeat(32) }],
      rejects: [],
      counts: counts(Object.keys(rules.columns)[0]!),
    }),
    writePrepManifest: async ({ manifests, outputPrefix }) => ({
      manifestUri: `${outputPrefix}manifest.json`,
      dataPrefix: `${outputPrefix}run-x/data/`,
      rejectsPrefix: `${outputPrefix}run-x/rejects/`,
      counts: manifests[0]!.counts,
      outputObjects: 1,
      rejectObjects: 1,
      removedObjects: 0,
    }),
    catalogS3Prefix: async ({ database, table }) => ({ name: `${database}.${table}`, arn: `arn:aws:glue:us-east-1:111122223333:table/${database}/${table}`, action: 'created' as const, drift: [] }),
    describeInputTable: async ({ database, table, columns }) => ({ tableArn: `arn:aws:glue:us-east-1:111122223333:table/${database}/${table}`, columns }),
    ...createEntityResolutionActivities(aws),
    ...createWorkflowCoordinationActivities({ temporal: env.client }),
  } satisfies Partial<AllActivities>);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record-matching-prepared', workflowBundle, activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(uid2Matching, {
      taskQueue: 'record-matching-prepared',
      workflowId: workflowIds.uid2Matching('Recorded_UID2_Prepared', '2026-12-06'),
      args: [
        {
          version: 2,
          name: 'Recorded_UID2_Prepared',
          data: { glueTable: { database: 'crm', table: 'customers' } },
          uniqueIdColumn: 'customer_id',
          emailColumn: 'email',
          phoneColumn: 'phone',
          output: { s3Path: 's3://recorded-output/uid2/' },
          roleArn: 'arn:aws:iam::111122223333:role/EntityResolutionUid2',
        },
      ],
    });
    await handle.query(uid2MatchingStatusQuery);
    await handle.result();
    for (const name of ['Recorded_UID2_Prepared_email', 'Recorded_UID2_Prepared_phone']) await env.client.workflow.getHandle(workflowIds.erJobQueue(name)).result();
    return handle.fetchHistory();
  });
}

/** prepareIdentityData: two tasks published; and a run whose second task fails on bad input, cancelling the first and discarding what it wrote. */
async function recordPreparation(env: TestWorkflowEnvironment, workflowBundle: { code: string }): Promise<void> {
  const rules = prepRulesSchema.parse({ profile: 'uid2', columns: { email: 'EMAIL' } });
  const manifest = (index: number): PrepManifest => ({
    profile: 'uid2',
    columns: rules.columns,
    outputFormat: 'csv',
    inputs: [{ uri: 's3://recorded-input/customers.csv', format: 'csv', range: { start: index * 1000, end: (index + 1) * 1000 } }],
    outputs: [{ uri: `s3://recorded-output/prep/run-x/data/part-${index}.csv`, bytes: 100, sha256: '0'.repeat(64), md5: '0'.repeat(32) }],
    rejects: [],
    counts: { ...emptyCounts(rules.columns), rowsIn: 10, rowsOut: 10 },
  });
  for (const failing of [false, true]) {
    const activities: Partial<AllActivities> = {
      planDatasetPreparation: async () => [0, 1].map((index) => ({ index, input: 's3://recorded-input/customers.csv', format: 'csv' as const, rowOffset: index * 10 })),
      prepareDataset: async ({ task }) => {
        if (failing && task.index === 1) throw ApplicationFailure.create({ type: PREP_INPUT_ERROR, message: 'a record at byte 1000 is longer than 16 MiB', nonRetryable: true });
        // The sibling task runs until the workflow cancels it (an activity hears of that through its heartbeats).
        for (; failing; ) {
          Context.current().heartbeat();
          await Context.current().sleep(100);
        }
        return manifest(task.index);
      },
      writePrepManifest: async ({ manifests, outputPrefix }) => ({
        manifestUri: `${outputPrefix}manifest.json`,
        dataPrefix: `${outputPrefix}run-x/data/`,
        rejectsPrefix: `${outputPrefix}run-x/rejects/`,
        counts: manifests[0]!.counts,
        outputObjects: manifests.length,
        rejectObjects: 0,
        removedObjects: 0,
      }),
      discardPrepRun: async () => ({ published: false, removedObjects: 1 }),
    };
    const taskQueue = `record-prep-${failing ? 'failed' : 'done'}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(prepareIdentityData, {
        taskQueue,
        workflowId: workflowIds.prepareIdentityData(`s3://recorded-output/prep-${failing ? 'failed' : 'done'}/`),
        args: [{ input: 's3://recorded-input/customers.csv', output: `s3://recorded-output/prep-${failing ? 'failed' : 'done'}/`, rules }],
      });
      await handle.query(prepStatusQuery);
      await handle.result().catch(() => undefined);
      return handle.fetchHistory();
    });
    save(`prepare-identity-data-${failing ? 'failed' : 'published'}`, history);
  }
}

/**
 * erJobQueue serving five turns with a bound of 30 events, so it continues as new: the first run's
 * history. Its requesters are open approval waits (they ignore the grant), released by the recorder.
 */
async function recordJobQueueContinued(env: TestWorkflowEnvironment, workflowBundle: { code: string }): Promise<void> {
  const activities: Activities = {
    findUid2ProviderService: async () => uid2Provider,
    checkUid2Entitlement: async () => {
      throw ApplicationFailure.create({ type: UID2_SUBSCRIPTION_PENDING, message: 'pending', category: ApplicationFailureCategory.BENIGN });
    },
    resolveUid2ApiAsset: async () => ({ assetArn: uid2AssetArn, source: 'GetAsset' }),
  };
  const taskQueue = 'record-er-job-queue';
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: { ...activities, ...createWorkflowCoordinationActivities({ temporal: env.client }) } });
  const queueId = workflowIds.erJobQueue('Recorded_Queue');
  const history = await worker.runUntil(async () => {
    const requesters = [];
    for (const label of ['a', 'b', 'c', 'd', 'e']) {
      const handle = await env.client.workflow.start(uid2SubscriptionApproval, { taskQueue, workflowId: `recorded-requester-${label}`, args: [{ input: { account: '111122223333' } }] });
      requesters.push({ requestId: label, workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
    }
    const queue = await env.client.workflow.signalWithStart(erJobQueue, {
      taskQueue,
      workflowId: queueId,
      args: [{ erWorkflowName: 'Recorded_Queue', idleTimeout: '1 minute', maxHistoryEvents: 30 }],
      signal: requestTurnSignal,
      signalArgs: [requesters[0]!],
    });
    for (const request of requesters.slice(1)) await queue.signal(requestTurnSignal, request);
    for (const request of requesters) {
      for (let i = 0; i < 200 && (await env.client.workflow.getHandle(queueId).query(queueStatusQuery)).holder?.requestId !== request.requestId; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await env.client.workflow.getHandle(queueId).signal(releaseTurnSignal, { requestId: request.requestId });
    }
    await env.client.workflow.getHandle(queueId).result();
    for (const request of requesters) await env.client.workflow.getHandle(request.workflowId).terminate('recorded');
    return env.client.workflow.getHandle(queueId, queue.signaledRunId).fetchHistory();
  });
  save('er-job-queue-continued', history);
}

void main();
