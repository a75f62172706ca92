import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  defineQuery,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { MatchingWorkflowSpec } from '../activities/entity-resolution';
import { durationToMs } from '../schemas/duration';
import { UID2_MATCHING_FAILED } from '../schemas/failures';
import { workflowIds } from '../schemas/temporal-names';
import type { Uid2SubscriptionApprovalConfig } from '../schemas/uid2-subscription';
import {
  UID2_ATTRIBUTE_TYPE,
  erResourceName,
  identifiersOf,
  uid2MatchingInputSchema,
  type MatchingJobStatus,
  type Uid2Identifier,
  type Uid2IdentifierResult,
  type Uid2MatchingConfig,
  type Uid2MatchingInput,
  type Uid2MatchingResult,
  type Uid2MatchingStage,
  type Uid2MatchingStatus,
} from '../schemas/uid2-matching';
import { releaseTurnSignal, turnGrantedSignal, type JobTurnGrant } from './er-job-queue-messages';
import { invalidInput } from './invalid-input';
import { uid2MatchingStatus } from './uid2-matching-status';
import { uid2SubscriptionApproval } from './uid2-subscription-approval';
import { showErWorkflows, showStage } from './visibility';

/** `asOf` (ISO time, optional): the instant to report poll progress for; the caller's clock, since a query cannot read the current time. */
export const uid2MatchingStatusQuery = defineQuery<Uid2MatchingStatus, [asOf?: string]>('status');

const PIPELINE = 'uid2-matching';

const controlPlane = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Reading a header or a Parquet footer from S3 may take longer than a control-plane call. */
const cataloging = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Polled jobs: one attempt per look, the retry policy waits in between, so history stays O(1) in the job's duration. */
function jobActivities(poll: Uid2MatchingConfig['jobPoll']) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: poll.timeout,
    retry: { initialInterval: poll.initialInterval, backoffCoefficient: poll.backoffCoefficient, maximumInterval: poll.maximumInterval },
  });
}

function approvalWaiter(subscription: Uid2SubscriptionApprovalConfig) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: subscription.deadline,
    retry: {
      initialInterval: subscription.poll.initialInterval,
      backoffCoefficient: subscription.poll.backoffCoefficient,
      maximumInterval: subscription.poll.maximumInterval,
    },
  }).awaitUid2Approval;
}

/**
 * Maps the emails and/or phone numbers of one table to raw UID2s through Entity Resolution (seed 000):
 * subscription first, then the input table (cataloged from S3 when asked), then per identifier type one
 * schema mapping + PROVIDER matching workflow, ensured, and one job, run in its ER workflow's turn.
 */
export async function uid2Matching(input: Uid2MatchingInput): Promise<Uid2MatchingResult> {
  const parsed = uid2MatchingInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('uid2Matching', parsed.error);
  const config = parsed.data;
  const identifiers = identifiersOf(config);
  const status: Omit<Uid2MatchingStatus, 'nextAction'> = {
    stage: 'checking-subscription',
    startedAt: new Date(Date.now()).toISOString(),
    jobs: identifiers.map(({ identifier }) => ({ identifier, erWorkflow: erResourceName(config.name, identifier), stage: 'pending' })),
  };
  const grants = new Map<string, JobTurnGrant>();
  setHandler(turnGrantedSignal, (grant) => void grants.set(grant.requestId, grant));
  setHandler(uid2MatchingStatusQuery, (asOf) => uid2MatchingStatus(status, asOf ? Date.parse(asOf) : Date.now()));
  const enter = (stage: Uid2MatchingStage) => {
    status.stage = stage;
    showStage(PIPELINE, stage);
  };
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

    const account = config.roleArn.split(':')[4]!;
    const columns: Record<string, string> = { uniqueId: config.uniqueIdColumn, ...Object.fromEntries(identifiers.map((i) => [i.identifier, i.column])) };
    let table: { database: string; table: string };
    if ('s3' in config.data) {
      enter('cataloging-input');
      const { s3 } = config.data;
      table = { database: s3.glueDatabase, table: s3.glueTable ?? config.name.toLowerCase().replace(/-/g, '_') };
      await cataloging.catalogS3Prefix({ prefix: s3.prefix, format: s3.format, ...table, requiredColumns: Object.values(columns), account });
    } else {
      table = config.data.glueTable;
    }
    enter('checking-input');
    const described = await controlPlane.describeInputTable({ ...table, account, columns });
    status.inputTableArn = described.tableArn;

    enter('matching');
    const settled = await Promise.allSettled(
      status.jobs.map((job) => matchOne(job, described.tableArn, described.columns, provider.providerServiceArn)),
    );
    const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ identifier: status.jobs[i]!.identifier, error: s.reason as unknown }] : []));
    const cancelled = failed.find((f) => isCancellation(f.error));
    if (cancelled) throw cancelled.error;
    if (failed.length > 0) throw matchingFailed(failed, done);
    enter('completed');
    return { name: config.name, inputTableArn: described.tableArn, providerServiceArn: provider.providerServiceArn, subscription, identifiers: done };
  } catch (err) {
    enter(isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
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
      await approvalWaiter(subscription)({ dataSetId, approvalWorkflowId });
    }
  }

  async function matchOne(job: MatchingJobStatus, tableArn: string, tableColumns: Record<string, string>, providerServiceArn: string): Promise<Uid2IdentifierResult> {
    const name = job.erWorkflow;
    const uniqueId = tableColumns.uniqueId!;
    const column = tableColumns[job.identifier]!;
    job.stage = 'ensuring-resources';
    const schemaMapping = await controlPlane.ensureSchemaMapping({
      schemaName: name,
      description: `UID2 ${job.identifier} input of ${config.name} (identity-workflows)`,
      mappedInputFields: [
        { fieldName: uniqueId, type: 'UNIQUE_ID' },
        { fieldName: column, type: UID2_ATTRIBUTE_TYPE[job.identifier] },
      ],
    });
    const spec = matchingWorkflowSpec(job.identifier, name, tableArn, uniqueId, column, providerServiceArn);

    job.stage = 'queued';
    job.queuedSince = new Date(Date.now()).toISOString();
    const requestId = uuid4();
    const { workflowId, runId } = workflowInfo();
    const jobs = jobActivities(config.jobPoll);
    try {
      await controlPlane.requestErJobTurn({ erWorkflowName: name, request: { requestId, workflowId, runId } });
      await condition(() => grants.has(requestId));
      const grant = grants.get(requestId)!;

      // Inside the turn: no other run's job reads this ER workflow while it is updated.
      const erWorkflow = await controlPlane.ensureMatchingWorkflow({ spec, onDrift: config.onDrift });
      job.stage = 'starting-job';
      const { jobId } = await jobs.startMatchingJob({ workflowName: name, notBefore: grant.grantedAt });
      job.jobId = jobId;
      job.stage = 'job-running';
      job.polling = {
        since: new Date(Date.now()).toISOString(),
        initialIntervalMs: durationToMs(config.jobPoll.initialInterval),
        backoffCoefficient: config.jobPoll.backoffCoefficient,
        maximumIntervalMs: durationToMs(config.jobPoll.maximumInterval),
      };
      const finished = await jobs.checkMatchingJob({ workflowName: name, jobId });
      job.polling = undefined;
      job.checks = finished.checks;
      job.lastCheckAt = new Date(Date.now()).toISOString();
      job.jobStartedAt = finished.startedAt;
      job.metrics = finished.metrics;

      job.stage = 'listing-output';
      const output = await controlPlane.listJobOutput({ outputS3Path: config.output.s3Path, workflowName: name, jobId });
      job.stage = 'succeeded';
      return {
        identifier: job.identifier,
        erWorkflow,
        schemaMapping,
        jobId,
        status: finished.status,
        metrics: finished.metrics,
        outputObjects: output.objects,
        outputPrefix: output.prefix,
        startedAt: finished.startedAt,
        endedAt: finished.endedAt,
        durationMs: Date.parse(finished.endedAt) - Date.parse(finished.startedAt),
        queuedMs: Date.parse(grant.grantedAt) - Date.parse(job.queuedSince),
      };
    } catch (err) {
      job.polling = undefined;
      job.stage = 'failed';
      throw err;
    } finally {
      // Also when cancelled: the next run in the queue must not wait on this one.
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(workflowIds.erJobQueue(name))
          .signal(releaseTurnSignal, { requestId })
          .catch(() => undefined),
      );
    }
  }

  function matchingWorkflowSpec(identifier: Uid2Identifier, name: string, tableArn: string, uniqueId: string, column: string, providerServiceArn: string): MatchingWorkflowSpec {
    const normalized = config.output.format === 'normalized';
    const listed = (list: string[], c: string) => list.some((l) => l.toLowerCase() === c.toLowerCase());
    return {
      workflowName: name,
      description: config.description ?? `UID2 ${identifier} matching of ${config.name} (identity-workflows)`,
      inputSourceConfig: [{ inputSourceARN: tableArn, schemaName: name, applyNormalization: normalized }],
      outputSourceConfig: [
        {
          outputS3Path: config.output.s3Path,
          KMSArn: config.output.kmsKeyArn,
          applyNormalization: normalized,
          output: [uniqueId, column].filter((c) => !listed(config.output.exclude, c)).map((c) => ({ name: c, hashed: listed(config.output.hash, c) })),
        },
      ],
      resolutionTechniques: { resolutionType: 'PROVIDER', providerProperties: { providerServiceArn } },
      roleArn: config.roleArn,
    };
  }
}

/** The innermost application failure of an activity or child failure: the one whose type and message say what happened. */
function rootFailure(err: unknown): ApplicationFailure | undefined {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) cause = cause.cause;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** One failure for the run, typed after its first cause, naming each identifier that failed; the jobs that succeeded are in its details. */
function matchingFailed(failed: { identifier: Uid2Identifier; error: unknown }[], done: Uid2IdentifierResult[]): ApplicationFailure {
  const first = rootFailure(failed[0]!.error);
  const message = failed.map(({ identifier, error }) => `${identifier}: ${rootFailure(error)?.message ?? (error as Error).message}`).join(' | ');
  return ApplicationFailure.create({
    type: first?.type ?? UID2_MATCHING_FAILED,
    message,
    nonRetryable: true,
    cause: failed[0]!.error as Error,
    details: [{ succeeded: done }],
  });
}
