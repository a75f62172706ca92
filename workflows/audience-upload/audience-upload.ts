import { ApplicationFailure, ParentClosePolicy, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { AUDIENCE_COLUMNS_INVALID, AwsFailureType } from '../../schemas/failures';
import { PIPELINES } from '../../schemas/search-attributes';
import { jobQueueLabels, workflowIds } from '../../schemas/temporal-names';
import type { Activities } from '../../activities';
import type { AudienceLedger, SnapshotDiff } from '../../activities/audience-upload/audience-snapshots';
import { checkAudienceColumns, describeColumnMismatch } from '../../schemas/audience-upload/audience-columns';
import {
  audienceLocations,
  audienceUploadInputSchema,
  perTypePrepareInput,
  type AudienceUploadConfig,
  type AudienceUploadInput,
  type AudienceUploadResult,
} from '../../schemas/audience-upload/audience-upload';
import { applyPlan, findAudiences, targetOf, waitUntilProcessed, type ApplyContext } from './audience-upload-apply';
import { audienceTargets, planAudienceChanges } from './audience-upload-plan';
import { runProtectedQuery } from './audience-upload-query';
import { audienceUploadStatus, audienceUploadStatusQuery, type AudienceStage, type AudienceUploadState } from './audience-upload-status';
import { invalidInput } from '../support/invalid-input';
import { prepareIdentityData } from '../preparation/prepare-identity-data';
import { CONTROL_PLANE } from '../support/activity-options';
import { erJobTurns } from '../support/er-job-turn';
import { endedBy, stageTracker } from '../support/stage-tracking';

export { audienceUploadStatusQuery } from './audience-upload-status';

const control = proxyActivities<Activities>(CONTROL_PLANE);
const heavy = proxyActivities<Activities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '2 minutes', retry: { maximumAttempts: 5 } });

/**
 * A TikTok custom audience kept in step with an S3 file or a Clean Rooms query result (issue 20):
 * prepared and hashed for TikTok, snapshotted as sorted distinct hashes per identifier type, compared
 * with the ledger of what was applied before, then created or updated exactly once per file. Runs on
 * one audience take turns; a re-run of the same input ends `unchanged`.
 */
export async function audienceUpload(input: AudienceUploadInput): Promise<AudienceUploadResult> {
  const parsed = audienceUploadInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('audienceUpload', parsed.error);
  const config = parsed.data;
  const state: AudienceUploadState = {
    stage: 'waiting-for-turn',
    startedAt: new Date(Date.now()).toISOString(),
    mode: config.audience.mode,
    source: { kind: config.source.kind },
    files: { planned: 0, uploaded: 0, applied: 0 },
    filePaths: {},
    applied: [],
    audienceIds: {},
  };
  const enter = stageTracker(PIPELINES.audienceUpload, state);
  setHandler(audienceUploadStatusQuery, (asOf) => audienceUploadStatus(state, asOf ? Date.parse(asOf) : Date.now()));
  const withTurn = erJobTurns();
  try {
    enter('waiting-for-turn');
    return await withTurn(jobQueueLabels.audience(config.audience.name), () => run(config, state, enter));
  } catch (err) {
    enter(endedBy(err));
    throw err;
  }
}

async function run(config: AudienceUploadConfig, state: AudienceUploadState, enter: (stage: AudienceStage) => void): Promise<AudienceUploadResult> {
  const runKey = workflowInfo().firstExecutionRunId;
  const where = audienceLocations(config, runKey);
  const source = config.source;

  enter('checking');
  await control.checkTiktokCredentials({ tiktok: targetOf(config) });
  if (source.kind === 'cleanRoomsQuery') {
    const membership = await control.checkQueryMembership({ membershipId: source.membershipId });
    if (!membership.canQuery) {
      throw ApplicationFailure.create({ type: AwsFailureType.accessDenied, nonRetryable: true, message: `Clean Rooms membership ${source.membershipId} may not run queries (no CAN_QUERY ability)` });
    }
  }

  let sourceUri = source.kind === 's3' ? source.uri : '';
  let query: AudienceUploadResult['query'];
  if (source.kind === 'cleanRoomsQuery') {
    enter('querying');
    const done = await runProtectedQuery(source, runKey, state);
    sourceUri = done.resultUri;
    query = { id: done.queryId, durationMs: done.durationMs };
  }
  const format = source.kind === 's3' ? source.format : source.resultFormat === 'CSV' ? 'csv' : 'parquet';

  enter('checking-columns');
  const described = await control.describeAudienceSource({ uri: sourceUri, format });
  const mismatch = describeColumnMismatch(checkAudienceColumns(config.columns, described.header));
  if (mismatch) throw ApplicationFailure.create({ type: AUDIENCE_COLUMNS_INVALID, nonRetryable: true, message: `${sourceUri}: ${mismatch}` });

  enter('preparing');
  const prepared = await executeChild(prepareIdentityData, {
    workflowId: workflowIds.prepareIdentityData(where.prepared),
    args: [perTypePrepareInput(config, sourceUri, format, where.prepared)],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });
  state.rows = { in: prepared.counts.rowsIn, out: prepared.counts.rowsOut, rejected: prepared.counts.rowsRejected };

  enter('building-snapshot');
  const snapshot = await heavy.buildAudienceSnapshot({ preparedManifestUri: prepared.manifestUri, snapshotPrefix: where.snapshot, maxFileBytes: config.output.maxFileBytes });
  state.identifiers = snapshot.counts;

  enter('planning');
  const ledger = await control.readAudienceLedger({ current: where.current, pending: where.pending });
  let diff: SnapshotDiff | undefined;
  if (config.audience.mode === 'delta' && ledger?.snapshotManifestUri) {
    diff = await heavy.diffAudienceSnapshots({
      previousManifestUri: ledger.snapshotManifestUri,
      currentManifestUri: snapshot.manifestUri,
      outPrefix: where.delta,
      maxFileBytes: config.output.maxFileBytes,
    });
  }
  // Planned once before any TikTok call (the refusals), again once TikTok has said which audiences exist: a run whose
  // snapshot is unchanged still checks that its audiences are there, and makes one again that was deleted on TikTok.
  planAudienceChanges({ config, snapshot, ledger, diff });
  enter('finding-audience');
  const found = await findAudiences(config, audienceTargets(config, snapshot).map((t) => t.name));
  const plan = planAudienceChanges({ config, snapshot, ledger, diff, found });
  for (const target of plan.targets) if (target.audienceId) for (const type of target.types) state.audienceIds[type] = target.audienceId;
  // A type whose audience is fresh (made, adopted or made again) was given the whole snapshot, whatever the delta says.
  const freshTypes = plan.targets.filter((t) => t.fresh).flatMap((t) => t.types);
  const wholeSnapshot = (counts: AudienceUploadResult['added']) => Object.fromEntries(freshTypes.map((type) => [type, counts[type] ?? 0]));
  const result = (outcome: AudienceUploadResult['outcome'], created: boolean): AudienceUploadResult => ({
    outcome,
    audienceIds: { ...state.audienceIds },
    created,
    mode: config.audience.mode,
    identifiers: snapshot.counts,
    added: { ...countsOf(diff, 'added', outcome === 'applied' && !diff ? snapshot.counts : {}), ...(outcome === 'applied' ? wholeSnapshot(snapshot.counts) : {}) },
    removed: { ...countsOf(diff, 'removed', {}), ...(outcome === 'applied' ? wholeSnapshot({}) : {}) },
    files: { uploaded: state.files.uploaded, applied: state.files.applied },
    rows: state.rows!,
    rejectsPrefix: prepared.rejectsPrefix,
    snapshotUri: snapshot.manifestUri,
    query,
  });

  if (plan.outcome === 'unchanged') {
    enter('completed');
    return { ...result('unchanged', false), since: ledger?.runKey };
  }
  state.plan = { add: sum(plan.targets.map((t) => t.added)), remove: sum(plan.targets.map((t) => t.removed)), steps: sum(plan.targets.map((t) => t.steps.length)) };
  state.files.planned = new Set(plan.targets.flatMap((t) => t.steps.flatMap((s) => s.files.map((f) => f.md5)))).size;

  // append keeps every file ever sent; the other modes only this snapshot's and this delta's (a pending run's included).
  const relevant = new Set([...snapshot.files, ...(diff?.additions ?? []), ...(diff?.removals ?? [])].map((f) => f.md5));
  const applied: AudienceLedger['applied'] = Object.fromEntries(Object.entries(ledger?.applied ?? {}).filter(([md5]) => config.audience.mode === 'append' || relevant.has(md5)));
  const ledgerOf = (): AudienceLedger => ({ version: 1, runKey, audienceIds: { ...state.audienceIds }, snapshotManifestUri: snapshot.manifestUri, counts: snapshot.counts, applied: { ...applied } });
  const ctx: ApplyContext = {
    config,
    state,
    enter,
    // The baseline stays the previous ledger's snapshot until this run is recorded: a run that resumes after this one diffs against it.
    recordPending: (soFar) =>
      control.recordAudiencePending({
        pending: where.pending,
        ledger: { ...ledgerOf(), snapshotManifestUri: ledger?.snapshotManifestUri ?? '', counts: ledger?.counts ?? {}, applied: { ...(ledger?.applied ?? {}), ...soFar } },
      }),
  };
  if (config.audience.mode === 'replace') {
    for (const target of plan.targets) if (target.audienceId && target.steps.length > 0) await waitUntilProcessed(ctx, target.audienceId);
  }
  const created = await applyPlan(ctx, plan, applied);

  enter('waiting-for-audience');
  const audienceIds = [...new Set(Object.values(state.audienceIds))];
  const details = [];
  for (const id of audienceIds) details.push(await waitUntilProcessed(ctx, id));

  enter('recording');
  await control.writeAudienceLedger({ current: where.current, ledger: ledgerOf(), keep: config.output.keepSnapshots });
  enter('completed');
  return { ...result('applied', created), audience: details.length === 1 ? details[0] : undefined };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function countsOf(diff: SnapshotDiff | undefined, field: 'added' | 'removed', otherwise: AudienceUploadResult['added']): AudienceUploadResult['added'] {
  return diff ? Object.fromEntries(Object.entries(diff.counts).map(([type, c]) => [type, c[field]])) : otherwise;
}
