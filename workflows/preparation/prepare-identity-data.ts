import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import { PREP_FAILED, PREP_INPUT_ERROR } from '../../schemas/failures';
import { runLocation, prepareIdentityDataInputSchema, type PrepareIdentityDataInput, type PrepStatus } from '../../schemas/preparation/prep';
import { PIPELINES } from '../../schemas/search-attributes';
import { invalidInput } from '../support/invalid-input';
import { innermostCause } from '../support/root-failure';
import { endedBy, stageTracker } from '../support/stage-tracking';

/** Stage and tasks done; takes the same optional `asOf` argument as the other status queries, unused here. */
export const prepStatusQuery = defineQuery<PrepStatus, [asOf?: string]>('status');

/** Input the data's owner must fix fails at once; anything else is retried. */
const retry: RetryPolicy = { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: [PREP_INPUT_ERROR] };

const planning = proxyActivities<Activities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '2 minutes', retry });

/**
 * Each task heartbeats per chunk (reaching the server within 5 s, the worker's throttle); a worker that dies is
 * noticed within the heartbeat timeout and the retry resumes from its last committed part. A cancelled task is
 * waited for, so nothing writes after a cleanup.
 */
const preparing = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Publishing and discarding a run delete objects, 1,000 a request, heartbeating after each: a dead worker is noticed within a minute. */
const publishing = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute', retry });

/** Runs every task; on the first failure, cancels the others and waits until they have stopped writing. */
async function allTasks<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const scope = new CancellationScope();
  return scope.run(async () => {
    const running = tasks.map((task) => task());
    try {
      return await Promise.all(running);
    } catch (error) {
      scope.cancel();
      await Promise.allSettled(running);
      throw error;
    }
  });
}

/** The message of what failed, from inside the activity failure that carries it. */
function failureMessage(error: unknown): { type: string; message: string } {
  const cause = innermostCause(error);
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? PREP_FAILED, message: cause.message };
  return { type: PREP_FAILED, message: cause instanceof Error ? cause.message : String(cause) };
}

/**
 * Normalises, validates and hashes a dataset for one destination (uid2, amc, tiktok, or Entity
 * Resolution's clean zone). Large inputs fan out: one activity per object or aligned byte range, on
 * whichever workers poll the task queue. The run writes under its own `run-<id>/` sub-prefix of the
 * output and publishes by writing manifest.json last; a run that fails removes what it wrote. Its status
 * query ends in `completed`, `failed` or `cancelled`; IdentityStage shows `done` for `completed`, as it always has.
 */
export async function prepareIdentityData(input: PrepareIdentityDataInput): Promise<PrepSummary> {
  const parsed = prepareIdentityDataInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('prepareIdentityData', parsed.error);
  const config = parsed.data;
  const status: PrepStatus = { stage: 'planning', tasks: 0, tasksDone: 0 };
  setHandler(prepStatusQuery, () => status);
  const stage = stageTracker(PIPELINES.prepareIdentityData, status);

  // The first run's id: a reset of this run goes on writing where the tasks it keeps wrote.
  const runId = workflowInfo().firstExecutionRunId;
  try {
    stage('planning');
    const tasks = await planning.planDatasetPreparation({ input: config.input, format: config.inputFormat, splitBytes: config.splitBytes, rules: config.rules });
    status.tasks = tasks.length;
    stage('preparing');
    const outputPrefix = runLocation(config.output, runId).run;
    // Only when set, so the activity input of a run that uses neither stays as it was.
    const shape = { ...(config.outputLayout ? { outputLayout: config.outputLayout } : {}), ...(config.maxOutputBytes ? { maxOutputBytes: config.maxOutputBytes } : {}) };
    const manifests = await allTasks(
      tasks.map((task) => async () => {
        const manifest = await preparing.prepareDataset({ task, outputPrefix, outputFormat: config.outputFormat, rules: config.rules, partRows: config.partRows, ...shape });
        status.tasksDone++;
        return manifest;
      }),
    );
    stage('writing-manifest');
    const summary = await publishing.writePrepManifest({ manifests, outputPrefix: config.output, runId });
    stage('completed');
    return summary;
  } catch (error) {
    // Runs recorded before the patch showed "failed" when cancelled too.
    stage(patched('prep-cancelled-stage') ? endedBy(error) : 'failed');
    throw await withoutPartialOutput(config.output, runId, error);
  }
}

/**
 * After a failure before publishing, what the run wrote is removed; if that fails too, the failure says where
 * the leftovers are (nothing reads them, and the next run into the output removes them). A failure after
 * publishing (removing earlier runs) leaves the published run as it is.
 */
async function withoutPartialOutput(output: string, runId: string, error: unknown): Promise<unknown> {
  const run = runLocation(output, runId).run;
  let outcome: string;
  try {
    const discarded = await CancellationScope.nonCancellable(() => publishing.discardPrepRun({ outputPrefix: output, runId }));
    outcome = discarded.published
      ? `; ${output} publishes this run (under ${run}), but objects of earlier runs may remain: the next run into it removes them`
      : `; what it wrote under ${run} was removed, and ${output} holds what it held before`;
  } catch {
    outcome = `; what it wrote is left under ${run}, unpublished: nothing reads it, and the next run into ${output} removes it`;
  }
  if (isCancellation(error)) return error;
  const { type, message } = failureMessage(error);
  return ApplicationFailure.create({ type, message: `${message}${outcome}`, nonRetryable: true, cause: error instanceof Error ? error : undefined });
}
