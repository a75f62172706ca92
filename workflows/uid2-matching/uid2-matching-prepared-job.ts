import { ParentClosePolicy, executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { workflowIds } from '../../schemas/temporal-names';
import type { MatchingJobStatus, PrepareOptions, Uid2IdentifierResult, Uid2MatchingConfig, Uid2SkippedIdentifier } from '../../schemas/uid2-matching/uid2-matching';
import { identifierCounts } from '../../schemas/uid2-matching/uid2-matching-counts';
import { uid2MatchingWorkflow, uid2PreparedTable, uid2PrepareInput, uid2SchemaMapping, type PreparationSource } from '../../schemas/uid2-matching/uid2-matching-resources';
import { CONTROL_PLANE } from '../support/activity-options';
import type { WithErJobTurn } from '../support/er-job-turn';
import { prepareIdentityData } from '../preparation/prepare-identity-data';
import { runJobToResult, settleJobs } from './uid2-matching-job';
import { matchingJobProgress } from './uid2-matching-status';

const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);
/** Reading a header or a manifest from S3 may take longer than a control-plane call. */
const cataloging = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface PreparedJobContext {
  config: Uid2MatchingConfig;
  source: PreparationSource;
  prepare: PrepareOptions;
  providerServiceArn: string;
  withErJobTurn: WithErJobTurn;
}

/** Every identifier type's preparation and job, side by side (see `settleJobs`). */
export function runPreparedMatchingJobs(jobs: MatchingJobStatus[], context: PreparedJobContext): Promise<(Uid2IdentifierResult | Uid2SkippedIdentifier)[]> {
  return settleJobs(jobs, (job) => runPreparedMatchingJob(job, context));
}

/**
 * One identifier type's matching on prepared data, all in its ER workflow's turn: a publish replaces the
 * data a queued or running job of another run of the same ER workflow would read, so no two runs prepare,
 * catalog and match for it at once. The identifier is prepared (prepareIdentityData, as a child), its
 * published data cataloged as the identifier's fixed Glue table, the schema mapping and matching workflow
 * ensured on that table, and the job run, polled to its end, and its output listed.
 */
async function runPreparedMatchingJob(job: MatchingJobStatus, { config, source, prepare, providerServiceArn, withErJobTurn }: PreparedJobContext): Promise<Uid2IdentifierResult | Uid2SkippedIdentifier> {
  const progress = matchingJobProgress(job, Date.now);
  const workflowName = job.erWorkflow;
  const identifier = job.identifier;
  const prepared = uid2PreparedTable(config, identifier, prepare);
  try {
    progress.enter('queued');
    const queuedSince = job.queuedSince!;
    return await withErJobTurn(workflowName, async (grant) => {
      progress.enter('preparing');
      const summary = await executeChild(prepareIdentityData, {
        workflowId: workflowIds.prepareIdentityData(prepared.output),
        args: [uid2PrepareInput(source, identifier, prepare, prepared.output)],
        // A cancelled matching run lets the preparation discard what it wrote.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });

      const column = source.columns[identifier]!;
      if (summary.counts.rowsOut === 0) {
        // Entity Resolution has nothing to match, and a job on an empty table is not documented.
        const counts = identifierCounts(summary.counts, column, { inputRecords: 0, totalRecordsProcessed: 0, recordsNotProcessed: 0 });
        Object.assign(job, { counts, preparation: { manifestUri: summary.manifestUri, rejectsPrefix: summary.rejectsPrefix } });
        progress.enter('skipped');
        return { identifier, skipped: 'no usable values', counts, preparation: { manifestUri: summary.manifestUri, rejectsPrefix: summary.rejectsPrefix } };
      }

      progress.enter('cataloging-prepared');
      const columns = { uniqueId: source.columns.uniqueId!, [identifier]: source.columns[identifier]! };
      const table = { database: prepared.database, table: prepared.table, account: prepared.account };
      await cataloging.catalogS3Prefix({ ...table, prefix: prepared.output, format: 'csv', requiredColumns: Object.values(columns) });
      const described = await controlPlane.describeInputTable({ ...table, columns });
      const preparation = { manifestUri: summary.manifestUri, rejectsPrefix: summary.rejectsPrefix, preparedTableArn: described.tableArn };
      job.preparation = preparation;

      progress.enter('ensuring-resources');
      const schemaMapping = await controlPlane.ensureSchemaMapping(uid2SchemaMapping(config, identifier, described));
      const spec = uid2MatchingWorkflow(config, identifier, described, providerServiceArn, { prepared: true });
      const erWorkflow = await controlPlane.ensureMatchingWorkflow({ spec, onDrift: config.onDrift });

      const result = await runJobToResult(
        { config, providerServiceArn, withErJobTurn, progress, workflowName, notBefore: grant.grantedAt, identifier, erWorkflow, schemaMapping, queuedSince },
        // Shown by `status` as soon as the job has ended.
        (finished) => void (job.counts = identifierCounts(summary.counts, column, finished.metrics)),
      );
      return { ...result, counts: job.counts!, preparation };
    });
  } catch (err) {
    progress.failed();
    throw err;
  }
}
