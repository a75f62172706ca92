import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { chunkExecutor } from '../pii/prep/chunk-executor';
import { parseLocation } from '../pii/prep/data-location';
import { combineManifests, type PrepManifest } from '../pii/prep/manifest';
import { countsReconcile, type PrepCounts } from '../pii/prep/prep-counts';
import { planTasks } from '../pii/prep/plan-tasks';
import { prepareParts, type PrepCheckpoint, type PrepTask } from '../pii/prep/prepare-parts';
import { PrepInputError } from '../pii/prep/row-preparer';
import { recordCheckpoint } from './record-checkpoint';
import { PREP_INPUT_ERROR, type DataFormat, type OutputFormat, type PrepRules } from '../schemas/prep';

export interface PrepActivityDeps {
  s3: S3Client;
  /** Worker threads each prepareDataset activity uses (0: the activity's own thread). */
  prepThreads: number;
}

/** Bad input is the data owner's to fix: fail at once, with a message that names columns, objects and offsets, never values. */
async function failFastOnBadInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PrepInputError) throw ApplicationFailure.create({ type: PREP_INPUT_ERROR, message: error.withoutValues, nonRetryable: true });
    throw error;
  }
}

export interface PrepareDatasetTaskInput {
  task: PrepTask;
  outputPrefix: string;
  outputFormat: OutputFormat;
  rules: PrepRules;
  partRows: number;
}

/** Heartbeat details: the last committed checkpoint (what a retry resumes from) and live progress. */
export interface PrepHeartbeat {
  checkpoint?: PrepCheckpoint;
  rowsIn: number;
  position: number;
}

export interface PrepSummary {
  manifestUri: string;
  counts: PrepCounts;
  outputObjects: number;
  rejectObjects: number;
}

export function createPrepActivities(deps: PrepActivityDeps) {
  return {
    /** Lists the input objects and splits large CSV / JSON Lines objects into byte ranges aligned to records. */
    async planDatasetPreparation(input: { input: string; format?: DataFormat; splitBytes: number; rules: PrepRules }): Promise<PrepTask[]> {
      const ctx = Context.current();
      return failFastOnBadInput(() => planTasks({ ...input, s3: deps.s3, onBytes: (bytes) => ctx.heartbeat({ bytes }) }));
    },

    /**
     * Prepares one task into numbered output parts. Each committed part is recorded on the server before
     * the next one starts, so after a crash the retry resumes from the last committed part, not from zero.
     */
    async prepareDataset(input: PrepareDatasetTaskInput): Promise<PrepManifest> {
      const ctx = Context.current();
      const resume = (ctx.info.heartbeatDetails as PrepHeartbeat | undefined)?.checkpoint;
      let checkpoint = resume;
      if (resume) ctx.log.info('resuming from a committed part', { task: input.task.index, nextPart: resume.nextPart, position: resume.position });
      const executor = chunkExecutor(deps.prepThreads);
      try {
        return await failFastOnBadInput(() =>
          prepareParts({
            ...input,
            s3: deps.s3,
            executor,
            resume,
            onCommit: async (committed) => {
              checkpoint = committed;
              await recordCheckpoint({ checkpoint, rowsIn: committed.counts.rowsIn, position: committed.position } satisfies PrepHeartbeat);
              ctx.log.info('part committed', { task: input.task.index, parts: committed.nextPart, position: committed.position });
            },
            onProgress: ({ rowsIn, position }) => {
              ctx.cancellationSignal.throwIfAborted();
              ctx.heartbeat({ checkpoint, rowsIn, position } satisfies PrepHeartbeat);
            },
          }),
        );
      } finally {
        await executor.close();
      }
    },

    /** Combines the tasks' manifests into one, checks the counts reconcile, and writes it beside the output. */
    async writePrepManifest(input: { manifests: PrepManifest[]; outputPrefix: string }): Promise<PrepSummary> {
      const manifest = combineManifests(input.manifests);
      const problems = countsReconcile(manifest.counts);
      if (problems.length > 0) throw ApplicationFailure.create({ type: 'PrepCountsMismatch', message: problems.join('; '), nonRetryable: true });
      const manifestUri = `${input.outputPrefix.replace(/\/?$/, '/')}manifest.json`;
      const location = parseLocation(manifestUri);
      const body = JSON.stringify(manifest, null, 2);
      if (location.kind !== 's3') throw ApplicationFailure.create({ type: PREP_INPUT_ERROR, message: `output ${input.outputPrefix} must be an s3:// prefix`, nonRetryable: true });
      await deps.s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: 'application/json' }));
      return { manifestUri, counts: manifest.counts, outputObjects: manifest.outputs.length, rejectObjects: manifest.rejects.length };
    },
  };
}
