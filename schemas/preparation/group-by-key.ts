import { z } from 'zod';
import { AMC_FIELD_TYPES, AMC_IDENTITY_COLUMNS_PER_TABLE, type AmcColumnPlan } from '../amc-id-mapping/amc-columns';
import { OUTPUT_FORMATS } from './prep';
import { s3PrefixSchema } from '../s3-prefix';

const prefix = s3PrefixSchema.refine((uri) => uri.endsWith('/'), 'must end with /');
const MIB = 1024 * 1024;

/** What a grouping writes under its working prefix: shards (deleted at the end), per-key fingerprints and its manifest. */
export const groupingLocations = (work: string) => ({ shards: `${work}shards/`, fingerprints: `${work}fingerprints/`, manifest: `${work}manifest.json` });

/** Input of `groupByKey`: a published preparation grouped by its key column into AMC tables, with fingerprints per key. */
export const groupByKeyInputSchema = z
  .object({
    /** manifest.json of a published CSV preparation (prepareIdentityData's manifestUri). */
    prepared: z.string().regex(/^s3:\/\/.+\.json$/, 'must be the s3:// URI of a preparation manifest'),
    /** This grouping's working prefix: shards/ (deleted at the end), fingerprints/ and manifest.json. */
    work: prefix,
    /** The key column and identity columns as the preparation wrote them (lowercase), and the split rules. */
    columns: z
      .object({
        uniqueId: z.string().min(1),
        columns: z.record(z.string().min(1), z.enum(AMC_FIELD_TYPES)),
        split: z.object({ allow: z.boolean(), namespaces: z.enum(['one', 'per-table']) }).strict(),
      })
      .strict(),
    maxValuesPerColumn: z.record(z.string(), z.number().int().min(1).max(AMC_IDENTITY_COLUMNS_PER_TABLE)).default({}),
    /** Table t of n is written under `<dataPrefix><glueBase>[_<t>]/gen-<gen>/`. */
    tables: z.object({ dataPrefix: prefix, glueBase: z.string().min(1), gen: z.string().min(1) }).strict(),
    format: z.enum(OUTPUT_FORMATS).default('parquet'),
    /** Shards are sized to about this many bytes of prepared CSV (read whole into memory when grouped). */
    targetShardBytes: z.number().int().min(1024).default(128 * MIB),
    /** A shard past this (decompressed) fails instead of exhausting memory. Default: 4 × targetShardBytes. */
    maxShardBytes: z.number().int().min(1024).optional(),
    /** Memory each sharding task buffers, all shards together, before writing objects. */
    bufferBytes: z.number().int().min(1024).default(64 * MIB),
    /** Activities running at once. */
    maxParallel: z.number().int().min(1).max(64).default(8),
  })
  .strict();
export type GroupByKeyInput = z.input<typeof groupByKeyInputSchema>;
export type GroupByKeyConfig = z.output<typeof groupByKeyInputSchema>;

export interface GroupByKeyResult {
  /** The grouping's manifest: tables, headers, widths, fingerprint objects, counts. Give it to diffGenerationFingerprints. */
  manifestUri: string;
  shards: number;
  plan: AmcColumnPlan;
  tableLocations: string[];
  /** Output objects written, all tables together. */
  outputObjects: number;
  /** The manifest's counts, so a parent records them without reading the manifest. */
  counts: GroupCounts;
}

export type GroupByKeyStage = 'planning' | 'sharding' | 'counting' | 'grouping' | 'writing-manifest' | 'completed' | 'failed' | 'cancelled';
export interface GroupByKeyStatus {
  stage: GroupByKeyStage;
  shards: number;
  tasks: number;
  done: number;
}

/** Counts of a reduction. No values. */
export interface ReduceCounts {
  keys: number;
  rowsIn: number;
  /** Logical rows written (before the split into tables). */
  rowsOut: number;
  collapsedKeys: number;
  duplicateRowsDropped: number;
  /** Per identity column, values past its width, dropped. */
  droppedValues: Record<string, number>;
  /** Per table, rows left out because all their identity columns in it are empty. */
  emptyRowsDropped: number[];
}

export const emptyReduceCounts = (plan: Pick<AmcColumnPlan, 'widths' | 'tables'>): ReduceCounts => ({
  keys: 0,
  rowsIn: 0,
  rowsOut: 0,
  collapsedKeys: 0,
  duplicateRowsDropped: 0,
  droppedValues: Object.fromEntries(Object.keys(plan.widths).map((s) => [s, 0])),
  emptyRowsDropped: plan.tables.map(() => 0),
});

export function addReduceCounts(total: ReduceCounts, add: ReduceCounts): ReduceCounts {
  total.keys += add.keys;
  total.rowsIn += add.rowsIn;
  total.rowsOut += add.rowsOut;
  total.collapsedKeys += add.collapsedKeys;
  total.duplicateRowsDropped += add.duplicateRowsDropped;
  for (const [c, n] of Object.entries(add.droppedValues)) total.droppedValues[c] = (total.droppedValues[c] ?? 0) + n;
  add.emptyRowsDropped.forEach((n, i) => (total.emptyRowsDropped[i] = (total.emptyRowsDropped[i] ?? 0) + n));
  return total;
}

/** What a grouping wrote: where each table's objects are, its plan and counts, and its fingerprints in shard (hash) order. */
export interface GroupManifest {
  prepared: string;
  shards: number;
  tableLocations: string[];
  /** Each table's header: the unique id, then its columns. */
  headers: string[][];
  widths: Record<string, number>;
  fingerprintObjects: string[];
  counts: GroupCounts;
}

/** Counts of a grouping. No values. */
export interface GroupCounts extends ReduceCounts {
  /** Prepared rows read, and those without a key (left out). */
  rowsRead: number;
  rowsWithoutKey: number;
  /** Per column, values the widest key held that the widths left out (so none of its keys could keep them). */
  widthsCut: Record<string, number>;
}
