import { defineQuery, proxyActivities, setHandler, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PrepSummary } from '../activities/prepare-dataset';
import { PREP_INPUT_ERROR, prepareIdentityDataInputSchema, type PrepareIdentityDataInput, type PrepStatus } from '../schemas/prep';
import { invalidInput } from './invalid-input';
import { showStage } from './visibility';

/** Stage and tasks done; takes the same optional `asOf` argument as the other status queries, unused here. */
export const prepStatusQuery = defineQuery<PrepStatus, [asOf?: string]>('status');

const PIPELINE = 'identity-data-prep';

/** Input the data's owner must fix fails at once; anything else is retried. */
const retry: RetryPolicy = { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: [PREP_INPUT_ERROR] };

const planning = proxyActivities<Activities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '2 minutes', retry });

/** Each task heartbeats per chunk; a worker that dies is noticed within the heartbeat timeout and the retry resumes from its last committed part. */
const preparing = proxyActivities<Activities>({ startToCloseTimeout: '12 hours', heartbeatTimeout: '2 minutes', retry });

/**
 * Normalises, validates and hashes a dataset for one destination (uid2, amc, tiktok, or Entity
 * Resolution's clean zone). Large inputs fan out: one activity per object or aligned byte range, on
 * whichever workers poll the task queue; their manifests are combined into one beside the output.
 */
export async function prepareIdentityData(input: PrepareIdentityDataInput): Promise<PrepSummary> {
  const parsed = prepareIdentityDataInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('prepareIdentityData', parsed.error);
  const config = parsed.data;
  const status: PrepStatus = { stage: 'planning', tasks: 0, tasksDone: 0 };
  setHandler(prepStatusQuery, () => status);
  const stage = (next: PrepStatus['stage']) => {
    status.stage = next;
    showStage(PIPELINE, next);
  };

  try {
    stage('planning');
    const tasks = await planning.planDatasetPreparation({ input: config.input, format: config.inputFormat, splitBytes: config.splitBytes, rules: config.rules });
    status.tasks = tasks.length;
    stage('preparing');
    const manifests = await Promise.all(
      tasks.map(async (task) => {
        const manifest = await preparing.prepareDataset({ task, outputPrefix: config.output, outputFormat: config.outputFormat, rules: config.rules, partRows: config.partRows });
        status.tasksDone++;
        return manifest;
      }),
    );
    stage('writing-manifest');
    const summary = await planning.writePrepManifest({ manifests, outputPrefix: config.output });
    stage('done');
    return summary;
  } catch (error) {
    stage('failed');
    throw error;
  }
}
