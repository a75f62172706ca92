import { ActivityCancellationType, ApplicationFailure, defineQuery, proxyActivities, setHandler, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ShardRef } from '../../activities/preparation/group-by-key';
import { AMC_ROWS_PER_KEY, decideCollapse, mergeShardStats } from '../../schemas/amc-id-mapping/amc-columns';
import { tableLocations } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import { GROUP_BY_KEY_FAILED } from '../../schemas/failures';
import { addReduceCounts, emptyReduceCounts, groupByKeyInputSchema, groupingLocations, type GroupManifest, type GroupByKeyInput, type GroupByKeyResult, type GroupByKeyStatus } from '../../schemas/preparation/group-by-key';
import { invalidInput } from '../support/invalid-input';
import { allLimited } from '../support/bounded-fan-out';
import { endedBy } from '../support/stage-tracking';

export const groupByKeyStatusQuery = defineQuery<GroupByKeyStatus, [asOf?: string]>('status');

const retry: RetryPolicy = { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: [GROUP_BY_KEY_FAILED] };
/** Each reads or writes up to a shard's bytes, heartbeating per object or flush: a dead worker is noticed within two minutes. */
const working = proxyActivities<Activities>({ startToCloseTimeout: '4 hours', heartbeatTimeout: '2 minutes', retry, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });

/**
 * Groups a published preparation by its key column, for input larger than memory: each prepared part's rows go to
 * the shard of their key's hash; each shard is read once for its stats (which keys have more than 25 rows, and how
 * many values they hold), the collapse widths are decided from all of them, then each shard is read again and
 * reduced into the AMC tables with per-key fingerprints. A child workflow, so its parent's history grows by one
 * child whatever the shard count. Its history: about 3 events per part and 6 per shard.
 */
export async function groupByKey(input: GroupByKeyInput): Promise<GroupByKeyResult> {
  const parsed = groupByKeyInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('groupByKey', parsed.error);
  const config = parsed.data;
  const status: GroupByKeyStatus = { stage: 'planning', shards: 0, tasks: 0, done: 0 };
  setHandler(groupByKeyStatusQuery, () => status);
  const step = (stage: GroupByKeyStatus['stage'], tasks: number) => Object.assign(status, { stage, tasks, done: 0 });
  const counted = async <T>(run: Promise<T>): Promise<T> => {
    const result = await run;
    status.done++;
    return result;
  };
  try {
    const keyColumn = config.columns.uniqueId.toLowerCase();
    const sources = Object.keys(config.columns.columns).map((c) => c.toLowerCase());
    const where = groupingLocations(config.work);
    const shardsPrefix = where.shards;
    const { shards, parts } = await working.planKeyShards({ prepared: config.prepared, targetShardBytes: config.targetShardBytes });
    status.shards = shards;

    step('sharding', parts.length);
    const sharded = await allLimited(
      parts.map((part, task) => () => counted(working.shardByKey({ part, task, keyColumn, sources, shards, shardsPrefix, bufferBytes: config.bufferBytes }))),
      config.maxParallel,
    );
    const refs: ShardRef[] = Array.from({ length: shards }, (_, shard) => ({
      shard,
      shardsPrefix,
      objectsPerTask: sharded.map((s) => s.objectsPerShard[shard]!),
      rows: sharded.reduce((sum, s) => sum + s.rowsPerShard[shard]!, 0),
      header: [keyColumn, ...sources],
      maxShardBytes: config.maxShardBytes ?? 4 * config.targetShardBytes,
    })).filter((ref) => ref.rows > 0);

    step('counting', refs.length);
    const stats = await allLimited(refs.map((ref) => () => counted(working.statShard({ ref, sources, maxRows: AMC_ROWS_PER_KEY }))), config.maxParallel);
    const decision = decideCollapse(config.columns, mergeShardStats(stats), config.maxValuesPerColumn);
    if (!decision.ok) throw ApplicationFailure.create({ type: decision.type, message: decision.message, nonRetryable: true });
    const { plan } = decision;
    const locations = tableLocations(config.tables, plan.tables.length);

    step('grouping', refs.length);
    const fingerprintsPrefix = where.fingerprints;
    const reducer = { kind: 'amc-collapse' as const, plan, maxRows: AMC_ROWS_PER_KEY };
    const grouped = await allLimited(
      refs.map((ref) => () => counted(working.groupShard({ ref, reducer, format: config.format, tableLocations: locations, fingerprintsPrefix }))),
      config.maxParallel,
    );

    step('writing-manifest', 1);
    const counts = grouped.reduce((total, g) => addReduceCounts(total, g.counts), emptyReduceCounts(plan));
    const manifest: GroupManifest = {
      prepared: config.prepared,
      shards,
      tableLocations: locations,
      headers: plan.tables.map((t) => [plan.uniqueId, ...t.map((c) => c.name)]),
      widths: plan.widths,
      fingerprintObjects: grouped.map((g) => g.fingerprintObject),
      counts: {
        ...counts,
        rowsRead: sharded.reduce((sum, s) => sum + s.rows, 0),
        rowsWithoutKey: sharded.reduce((sum, s) => sum + s.rowsWithoutKey, 0),
        widthsCut: decision.widthsCut ?? {},
      },
    };
    const manifestUri = await working.writeGroupManifest({ uri: where.manifest, manifest });
    await working.deleteShards({ shardsPrefix });
    step('completed', 0);
    return { manifestUri, shards, plan, tableLocations: locations, outputObjects: grouped.reduce((sum, g) => sum + g.outputs.length, 0), counts: manifest.counts };
  } catch (error) {
    status.stage = endedBy(error);
    throw error;
  }
}
