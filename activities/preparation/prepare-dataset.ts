import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { S3Client } from '@aws-sdk/client-s3';
import { chunkExecutor } from '../../pii/prep/threads/chunk-executor';
import { combineManifests, type PrepManifest } from '../../pii/prep/run/manifest';
import { countsReconcile, type PrepCounts } from '../../pii/prep/run/prep-counts';
import { planTasks } from '../../pii/prep/run/plan-tasks';
import { prepareParts, type PrepCheckpoint, type PrepTask } from '../../pii/prep/run/prepare-parts';
import { publishManifest, readPublishedManifest, runPrefixesUnder } from '../../pii/prep/run/published-output';
import { PrepInputError } from '../../pii/prep/read/input-errors';
import { deleteObjects, deleteUnder } from '../../storage/s3-objects';
import { recordCheckpoint } from './record-checkpoint';
import { PREP_COUNTS_MISMATCH, PREP_INPUT_ERROR } from '../../schemas/failures';
import { runLocation, type DataFormat, type OutputFormat, type OutputLayout, type PrepRules } from '../../schemas/preparation/prep';

export interface PrepActivityDeps {
  s3: S3Client;
  /** Worker threads each prepareDataset activity uses (0: the activity's own thread). */
  prepThreads: number;
}

/** Bad input is the data owner's to fix: fail at once, with a message that names columns, objects and offsets, never values. */
export async function failFastOnBadInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PrepInputError) throw ApplicationFailure.create({ type: PREP_INPUT_ERROR, message: error.message, nonRetryable: true });
    throw error;
  }
}

export interface PrepareDatasetTaskInput {
  task: PrepTask;
  /** The run's own sub-prefix of the output (`run-<id>/`). */
  outputPrefix: string;
  outputFormat: OutputFormat;
  rules: PrepRules;
  partRows: number;
  outputLayout?: OutputLayout;
  maxOutputBytes?: number;
}

/** Heartbeat details: the last committed checkpoint (what a retry resumes from) and live progress. */
export interface PrepHeartbeat {
  checkpoint?: PrepCheckpoint;
  rowsIn: number;
  position: number;
}

export interface PrepSummary {
  manifestUri: string;
  /** The published parts, and nothing else: where a table over this output points. */
  dataPrefix: string;
  /** Where the rows left out went, each with its reason (in the data owner's bucket; never read into Temporal). */
  rejectsPrefix: string;
  counts: PrepCounts;
  outputObjects: number;
  rejectObjects: number;
  /** Objects of earlier runs into the same output, removed once this one was published. */
  removedObjects: number;
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

    /**
     * Publishes a run: combines the tasks' manifests, checks the counts reconcile, writes manifest.json at the
     * output prefix (the one write readers see change), then removes what the run replaced: the other runs'
     * sub-prefixes and the objects the previous manifest listed.
     */
    async writePrepManifest(input: { manifests: PrepManifest[]; outputPrefix: string; runId: string }): Promise<PrepSummary> {
      const location = runLocation(input.outputPrefix, input.runId);
      const manifest: PrepManifest = { ...combineManifests(input.manifests), location };
      const problems = countsReconcile(manifest.counts);
      if (problems.length > 0) throw ApplicationFailure.create({ type: PREP_COUNTS_MISMATCH, message: problems.join('; '), nonRetryable: true });
      const previous = await readPublishedManifest(deps.s3, input.outputPrefix);
      const manifestUri = await publishManifest(deps.s3, input.outputPrefix, manifest);
      // Nothing the new manifest lists is removed, wherever it lies (parts a run wrote before a reset of it).
      const published = [...manifest.outputs, ...manifest.rejects].map((o) => o.uri);
      const kept = new Set(published);
      const replaced = [...(previous?.outputs ?? []), ...(previous?.rejects ?? [])].map((o) => o.uri).filter((uri) => !kept.has(uri));
      const holdsPublished = (run: string) => run === location.run || published.some((uri) => uri.startsWith(run));
      const beat = () => Context.current().heartbeat();
      let removedObjects = await deleteObjects(deps.s3, replaced, beat);
      for (const run of await runPrefixesUnder(deps.s3, input.outputPrefix)) if (!holdsPublished(run)) removedObjects += await deleteUnder(deps.s3, run, beat);
      return { manifestUri, dataPrefix: location.data, rejectsPrefix: location.rejects, counts: manifest.counts, outputObjects: manifest.outputs.length, rejectObjects: manifest.rejects.length, removedObjects };
    },

    /**
     * Removes what a failed run wrote (its `run-<id>/` sub-prefix), unless the output's manifest already
     * publishes it (the failure came after publishing): then nothing is removed.
     */
    async discardPrepRun(input: { outputPrefix: string; runId: string }): Promise<{ published: boolean; removedObjects: number }> {
      const { run } = runLocation(input.outputPrefix, input.runId);
      if ((await readPublishedManifest(deps.s3, input.outputPrefix))?.location?.run === run) return { published: true, removedObjects: 0 };
      return { published: false, removedObjects: await deleteUnder(deps.s3, run, () => Context.current().heartbeat()) };
    },
  };
}
