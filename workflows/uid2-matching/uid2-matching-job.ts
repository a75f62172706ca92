import { ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { FinishedJob } from '../../activities/entity-resolution/entity-resolution';
import type { MatchingJobStatus, Uid2Identifier, Uid2IdentifierResult, Uid2MatchingConfig } from '../../schemas/uid2-matching/uid2-matching';
import { uid2MatchingWorkflow, uid2SchemaMapping, type DescribedInputTable } from '../../schemas/uid2-matching/uid2-matching-resources';
import { arnAccount, arnRegion } from '../../schemas/arn';
import { UID2_MATCHING_FAILED } from '../../schemas/failures';
import { jobQueueLabels } from '../../schemas/temporal-names';
import { unpreparedCounts } from '../../schemas/uid2-matching/uid2-matching-counts';
import { CONTROL_PLANE } from '../support/activity-options';
import type { WithErJobTurn } from '../support/er-job-turn';
import { pollingActivityOptions, pollSchedule } from '../support/polling';
import { rootFailure } from '../support/root-failure';
import { slotRefusalsReturned, startWhenSlotFree } from '../support/slot-wait';
import { matchingJobProgress } from './uid2-matching-status';

const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);

export interface MatchingJobContext {
  config: Uid2MatchingConfig;
  table: DescribedInputTable;
  providerServiceArn: string;
  withErJobTurn: WithErJobTurn;
}

/** Every identifier type's job on the table as it is, side by side (see `settleJobs`). */
export async function runMatchingJobs(jobs: MatchingJobStatus[], context: MatchingJobContext): Promise<Uid2IdentifierResult[]> {
  const done = await settleJobs(jobs, (job) => runMatchingJob(job, context));
  return done.map((result) => ({ ...result, counts: unpreparedCounts(result.metrics) }));
}

/**
 * Runs every identifier type's job side by side. A cancelled run rethrows the cancellation; otherwise any
 * failure fails the run, naming each identifier that failed, with the jobs that succeeded in its details.
 */
export async function settleJobs<R>(jobs: MatchingJobStatus[], run: (job: MatchingJobStatus) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(jobs.map(run));
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ identifier: jobs[i]!.identifier, error: s.reason as unknown }] : []));
  const cancelled = failed.find((f) => isCancellation(f.error));
  if (cancelled) throw cancelled.error;
  if (failed.length > 0) throw matchingFailed(failed, done);
  return done;
}

/**
 * One identifier type's matching: its schema mapping; then, in its ER workflow's turn, the matching
 * workflow (no other run's job reads it while it is updated), the job, polled to its end, and its output.
 * The job's start waits out the Region's job slot (see startAndAwaitJob).
 */
async function runMatchingJob(job: MatchingJobStatus, { config, table, providerServiceArn, withErJobTurn }: MatchingJobContext): Promise<Uid2IdentifierResult> {
  const progress = matchingJobProgress(job, Date.now);
  const workflowName = job.erWorkflow;
  try {
    progress.enter('ensuring-resources');
    const schemaMapping = await controlPlane.ensureSchemaMapping(uid2SchemaMapping(config, job.identifier, table));
    const spec = uid2MatchingWorkflow(config, job.identifier, table, providerServiceArn);
    progress.enter('queued');
    const queuedSince = job.queuedSince!;
    return await withErJobTurn(workflowName, async (grant) => {
      const erWorkflow = await controlPlane.ensureMatchingWorkflow({ spec, onDrift: config.onDrift });
      return runJobToResult({ config, providerServiceArn, withErJobTurn, progress, workflowName, notBefore: grant.grantedAt, identifier: job.identifier, erWorkflow, schemaMapping, queuedSince });
    });
  } catch (err) {
    progress.failed();
    throw err;
  }
}

export interface JobStart {
  config: Uid2MatchingConfig;
  providerServiceArn: string;
  withErJobTurn: WithErJobTurn;
  progress: ReturnType<typeof matchingJobProgress>;
  workflowName: string;
  /** When the ER workflow's turn was granted: a job started since is this run's (see startMatchingJob). */
  notBefore: string;
}

/**
 * Starts the ER workflow's job once the Region's job slot allows it, and polls it to its end; with
 * jobQueue 'account-region', both inside the account + Region's turn (always taken inside the ER
 * workflow's, so no two runs wait on each other).
 */
export async function startAndAwaitJob({ config, providerServiceArn, withErJobTurn, progress, workflowName, notBefore }: JobStart): Promise<{ jobId: string; finished: FinishedJob }> {
  const pollOptions = pollingActivityOptions(config.jobPoll, config.jobPoll.timeout);
  const jobs = proxyActivities<Activities>(pollOptions);
  const starts = proxyActivities<Activities>(slotRefusalsReturned(pollOptions));
  const startAndPoll = async () => {
    progress.enter('starting-job');
    const { jobId } = await startWhenSlotFree(() => starts.startMatchingJob({ workflowName, notBefore }), {
      poll: config.jobPoll,
      giveUpAfter: config.jobPoll.timeout,
      onRefused: progress.waitingForSlot,
    });
    progress.running(jobId, pollSchedule(config.jobPoll, Date.now()));
    return { jobId, finished: await jobs.checkMatchingJob({ workflowName, jobId }) };
  };
  if (config.jobQueue !== 'account-region') return startAndPoll();
  progress.queuedForRegion();
  return withErJobTurn(jobQueueLabels.providerServiceJobs(arnAccount(config.roleArn), arnRegion(providerServiceArn)), startAndPoll);
}

export interface JobRun extends JobStart {
  identifier: Uid2Identifier;
  erWorkflow: Uid2IdentifierResult['erWorkflow'];
  schemaMapping: Uid2IdentifierResult['schemaMapping'];
  /** When the job joined its ER workflow's queue. */
  queuedSince: string;
}

/** The job started and polled to its end (see startAndAwaitJob), and its output listed: the identifier's result. */
export async function runJobToResult(run: JobRun, onFinished: (finished: FinishedJob) => void = () => undefined): Promise<Uid2IdentifierResult> {
  const { jobId, finished } = await startAndAwaitJob(run);
  run.progress.finished(finished);
  onFinished(finished);
  run.progress.enter('listing-output');
  const output = await controlPlane.listJobOutput({ outputS3Path: run.config.output.s3Path, workflowName: run.workflowName, jobId });
  run.progress.enter('completed');
  return {
    identifier: run.identifier,
    erWorkflow: run.erWorkflow,
    schemaMapping: run.schemaMapping,
    jobId,
    status: finished.status,
    metrics: finished.metrics,
    outputObjects: output.objects,
    outputPrefix: output.prefix,
    startedAt: finished.startedAt,
    endedAt: finished.endedAt,
    durationMs: Date.parse(finished.endedAt) - Date.parse(finished.startedAt),
    queuedMs: Date.parse(run.notBefore) - Date.parse(run.queuedSince),
  };
}

/** One failure for the run, typed after its first cause, naming each identifier that failed; the jobs that succeeded are in its details. */
function matchingFailed(failed: { identifier: Uid2Identifier; error: unknown }[], done: unknown[]): ApplicationFailure {
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
