import { ParentClosePolicy, WorkflowIdReusePolicy, defineQuery, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../../activities';
import { PIPELINES } from '../../schemas/search-attributes';
import { workflowIds } from '../../schemas/temporal-names';
import type { Uid2SubscriptionApprovalConfig } from '../../schemas/uid2-subscription-approval';
import {
  erResourceName,
  identifiersOf,
  preparationOf,
  uid2MatchingInputSchema,
  type Uid2MatchingInput,
  type Uid2MatchingResult,
  type Uid2MatchingStatus,
} from '../../schemas/uid2-matching/uid2-matching';
import { uid2InputTable } from '../../schemas/uid2-matching/uid2-matching-resources';
import { invalidInput } from '../support/invalid-input';
import { CONTROL_PLANE } from '../support/activity-options';
import { erJobTurns } from '../support/er-job-turn';
import { pollingActivityOptions } from '../support/polling';
import { endedBy, showErWorkflows, stageTracker } from '../support/stage-tracking';
import { runMatchingJobs } from './uid2-matching-job';
import { runPreparedMatchingJobs } from './uid2-matching-prepared-job';
import { uid2MatchingStatus } from './uid2-matching-status';
import { uid2SubscriptionApproval } from '../uid2-subscription-approval/uid2-subscription-approval';


/** `asOf` (ISO time, optional): the instant to report poll progress for; the caller's clock, since a query cannot read the current time. */
export const uid2MatchingStatusQuery = defineQuery<Uid2MatchingStatus, [asOf?: string]>('status');

const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);

/** Reading a header or a Parquet footer from S3 may take longer than a control-plane call. */
const cataloging = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Maps the emails and/or phone numbers of one table to raw UID2s through Entity Resolution (UID2 docs,
 * "AWS Entity Resolution Integration Guide"): subscription first, then the input table (cataloged from S3
 * when asked), then per identifier type one schema mapping + PROVIDER matching workflow, ensured, and one
 * job, run in its ER workflow's turn. Its status query and IdentityStage end in `completed`, `failed` or `cancelled`.
 */
export async function uid2Matching(input: Uid2MatchingInput): Promise<Uid2MatchingResult> {
  const parsed = uid2MatchingInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('uid2Matching', parsed.error);
  const config = parsed.data;
  const status: Omit<Uid2MatchingStatus, 'nextAction'> = {
    stage: 'checking-subscription',
    startedAt: new Date(Date.now()).toISOString(),
    jobs: identifiersOf(config).map(({ identifier }) => ({ identifier, erWorkflow: erResourceName(config.name, identifier), stage: 'pending' })),
  };
  const withErJobTurn = erJobTurns();
  setHandler(uid2MatchingStatusQuery, (asOf) => uid2MatchingStatus(status, asOf ? Date.parse(asOf) : Date.now()));
  const enter = stageTracker(PIPELINES.uid2Matching, status);
  showErWorkflows(status.jobs.map((j) => j.erWorkflow));

  try {
    enter('checking-subscription');
    const provider = await controlPlane.findUid2ProviderService({
      providerName: config.subscription.providerName,
      providerServiceName: config.subscription.providerServiceName,
    });
    let subscription: Uid2MatchingResult['subscription'] = 'entitled';
    if (!(await controlPlane.readUid2Entitlement({ dataSetId: provider.marketplace.dataSetId })).entitled) {
      enter('waiting-for-approval');
      await waitForApproval(config.subscription, provider.marketplace.dataSetId);
      subscription = 'approved-during-run';
    }

    const prepare = preparationOf(config);
    if (prepare) {
      enter('checking-input');
      const { catalogFrom, columns, database, table } = uid2InputTable(config);
      const source = await cataloging.describePreparationSource({ source: catalogFrom ?? { database, table }, columns });
      enter('matching');
      const settled = await runPreparedMatchingJobs(status.jobs, { config, source, prepare, providerServiceArn: provider.providerServiceArn, withErJobTurn });
      const identifiers = settled.flatMap((r) => ('skipped' in r ? [] : [r]));
      const skipped = settled.flatMap((r) => ('skipped' in r ? [r] : []));
      enter('completed');
      return { name: config.name, preparedFrom: source.input, providerServiceArn: provider.providerServiceArn, subscription, identifiers, ...(skipped.length > 0 ? { skipped } : {}) };
    }

    const { catalogFrom, columns, ...table } = uid2InputTable(config);
    if (catalogFrom) {
      enter('cataloging-input');
      await cataloging.catalogS3Prefix({ ...catalogFrom, database: table.database, table: table.table, requiredColumns: Object.values(columns), account: table.account });
    }
    enter('checking-input');
    const described = await controlPlane.describeInputTable({ ...table, columns });
    status.inputTableArn = described.tableArn;

    enter('matching');
    const identifiers = await runMatchingJobs(status.jobs, { config, table: described, providerServiceArn: provider.providerServiceArn, withErJobTurn });
    enter('completed');
    return { name: config.name, inputTableArn: described.tableArn, providerServiceArn: provider.providerServiceArn, subscription, identifiers };
  } catch (err) {
    enter(endedBy(err));
    throw err;
  }
}

/**
 * The subscription is not approved: wait for uid2SubscriptionApproval as a child, or, when one is already
 * running for the account (started by hand or a schedule), on that one. The approval outlives this run.
 */
async function waitForApproval(subscription: Uid2SubscriptionApprovalConfig, dataSetId: string): Promise<void> {
  const approvalWorkflowId = workflowIds.uid2SubscriptionApproval(subscription.account);
  try {
    await executeChild(uid2SubscriptionApproval, {
      workflowId: approvalWorkflowId,
      args: [{ input: subscription }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A completed approval stays on record: starting again fails, and the wait below finds it completed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const approvalWaiter = proxyActivities<Activities>(pollingActivityOptions(subscription.poll, subscription.deadline));
    await approvalWaiter.awaitUid2Approval({ dataSetId, approvalWorkflowId });
  }
}
