import { AMC_COLUMN_LIMIT, AMC_NAMESPACE_TABLE_LIMIT, AMC_TABLE_LIMIT } from '../failures';
import type { IdentifierType } from '../preparation/prep';

/*
 * How an AMC identity table's columns are laid out (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"):
 * at most 24 identity columns plus the unique id per schema mapping, more go to further tables; a key
 * with more than 25 rows is collapsed into one row whose values fill numbered columns (email1, email2).
 * Pure functions: the config check, the grouping activities and the workflow all plan with them.
 */

export const AMC_FIELD_TYPES = ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY', 'MAID', 'LRP', 'EXP', 'MKL'] as const;
export type AmcFieldType = (typeof AMC_FIELD_TYPES)[number];

export const AMC_IDENTITY_COLUMNS_PER_TABLE = 24;
/** AMC reads this many rows per unique key and ignores the rest. */
export const AMC_ROWS_PER_KEY = 25;
export const AMC_TABLES_PER_NAMESPACE = 20;
export const AMC_MAPPING_TABLES_PER_INSTANCE = 5;

/** The schema mapping field of each type, as Step 3's template writes it (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"). */
export const AMC_ER_FIELDS: Record<AmcFieldType, { type: string; matchKey: string }> = {
  EMAIL: { type: 'EMAIL_ADDRESS', matchKey: 'Email' },
  PHONE: { type: 'PHONE', matchKey: 'Phone' },
  FIRST_NAME: { type: 'NAME_FIRST', matchKey: 'FirstName' },
  LAST_NAME: { type: 'NAME_LAST', matchKey: 'LastName' },
  ADDRESS: { type: 'ADDRESS', matchKey: 'Address' },
  CITY: { type: 'ADDRESS_CITY', matchKey: 'City' },
  STATE: { type: 'ADDRESS_STATE', matchKey: 'State' },
  POSTAL_CODE: { type: 'ADDRESS_POSTALCODE', matchKey: 'Postal' },
  COUNTRY: { type: 'ADDRESS_COUNTRY', matchKey: 'Country' },
  MAID: { type: 'STRING', matchKey: 'MAID' },
  LRP: { type: 'STRING', matchKey: 'LRP' },
  EXP: { type: 'STRING', matchKey: 'EXP' },
  MKL: { type: 'STRING', matchKey: 'MKL' },
};

/** The types the `amc` preparation profile normalises (and hashes); MAID, LRP, EXP and MKL pass through as read. */
export const AMC_PREPARED_TYPES: Partial<Record<AmcFieldType, IdentifierType>> = {
  EMAIL: 'EMAIL', PHONE: 'PHONE', FIRST_NAME: 'FIRST_NAME', LAST_NAME: 'LAST_NAME', ADDRESS: 'ADDRESS', CITY: 'CITY', STATE: 'STATE', POSTAL_CODE: 'POSTAL_CODE', COUNTRY: 'COUNTRY',
};

export interface AmcColumnSpec {
  /** The unique key column, as the input names it. */
  uniqueId: string;
  /** Identity column (as the input names it) → type, in the config's order. */
  columns: Record<string, AmcFieldType>;
  split: { allow: boolean; namespaces: 'one' | 'per-table' };
}

/** One column of an AMC table: its written (lowercase) name, the prepared column it takes values from, and which of them. */
export interface AmcOutputColumn {
  name: string;
  source: string;
  type: AmcFieldType;
  /** 0 for a column of width 1 (it keeps its own name); else 1..width, the position of the value among the key's values. */
  position: number;
}

export interface AmcColumnPlan {
  uniqueId: string;
  /** Identity column (lowercase) → number of values per row. */
  widths: Record<string, number>;
  /** Each table's identity columns; every table also holds `uniqueId` first. */
  tables: AmcOutputColumn[][];
}

export type AmcPlanResult =
  | { ok: true; plan: AmcColumnPlan; /** Per column, values the widest key holds that the widths leave out (decideCollapse). */ widthsCut?: Record<string, number> }
  | { ok: false; type: string; message: string; /** Two columns share a written name: narrowing widths cannot fix it. */ clash?: boolean };

/** How many tables the split may use: one without a split, else the namespace's or the instance's limit. */
export function maxTables(split: AmcColumnSpec['split']): number {
  if (!split.allow) return 1;
  return split.namespaces === 'one' ? AMC_TABLES_PER_NAMESPACE : AMC_MAPPING_TABLES_PER_INSTANCE;
}

function expand(source: string, type: AmcFieldType, width: number): AmcOutputColumn[] {
  if (width === 1) return [{ name: source, source, type, position: 0 }];
  return Array.from({ length: width }, (_, i) => ({ name: `${source}${i + 1}`, source, type, position: i + 1 }));
}

/**
 * The tables the identity columns need at these widths (default 1 each): columns in config order, packed
 * into tables of at most 24 with a column's numbered siblings kept in one table.
 */
export function planAmcColumns(spec: AmcColumnSpec, widths: Record<string, number> = {}): AmcPlanResult {
  const uniqueId = spec.uniqueId.toLowerCase();
  const entries = Object.entries(spec.columns).map(([column, type]) => ({ source: column.toLowerCase(), type }));
  const planned: Record<string, number> = Object.fromEntries(entries.map((e) => [e.source, Math.max(1, widths[e.source] ?? 1)]));
  const tables: AmcOutputColumn[][] = [];
  for (const { source, type } of entries) {
    const columns = expand(source, type, planned[source]!);
    const last = tables.at(-1);
    if (last && last.length + columns.length <= AMC_IDENTITY_COLUMNS_PER_TABLE) last.push(...columns);
    else tables.push(columns);
  }
  const names = [uniqueId, ...tables.flat().map((c) => c.name)];
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash !== undefined) return { ok: false, type: AMC_COLUMN_LIMIT, clash: true, message: `two columns would both be written as "${clash}" (headers are lowercased, collapsed columns numbered): rename one` };
  const identity = tables.flat().length;
  if (tables.length > 1 && !spec.split.allow) {
    return { ok: false, type: AMC_COLUMN_LIMIT, message: `${identity} identity columns where AMC reads ${AMC_IDENTITY_COLUMNS_PER_TABLE} per table: set split.allow to store them in ${tables.length} tables, or drop columns` };
  }
  if (spec.split.namespaces === 'one' && tables.length > AMC_TABLES_PER_NAMESPACE) {
    return { ok: false, type: AMC_NAMESPACE_TABLE_LIMIT, message: `${identity} identity columns need ${tables.length} tables, more than the ${AMC_TABLES_PER_NAMESPACE} one ID namespace takes` };
  }
  if (spec.split.namespaces === 'per-table' && tables.length > AMC_MAPPING_TABLES_PER_INSTANCE) {
    return { ok: false, type: AMC_TABLE_LIMIT, message: `${identity} identity columns need ${tables.length} tables, each its own AMC mapping table with split.namespaces per-table, more than the ${AMC_MAPPING_TABLES_PER_INSTANCE} an instance holds: set split.namespaces to one` };
  }
  return { ok: true, plan: { uniqueId, widths: planned, tables } };
}

/** What pass 1 of the grouping learnt from one shard. Counts only. */
export interface ShardStats {
  rows: number;
  keys: number;
  /** Keys with more than 25 distinct rows: the ones collapsed. */
  keysOver25: number;
  /** Per identity column (lowercase), the most distinct non-empty values one key over 25 rows holds. */
  maxDistinct: Record<string, number>;
}

export function mergeShardStats(stats: ShardStats[]): ShardStats {
  const total: ShardStats = { rows: 0, keys: 0, keysOver25: 0, maxDistinct: {} };
  for (const s of stats) {
    total.rows += s.rows;
    total.keys += s.keys;
    total.keysOver25 += s.keysOver25;
    for (const [column, n] of Object.entries(s.maxDistinct)) total.maxDistinct[column] = Math.max(total.maxDistinct[column] ?? 0, n);
  }
  return total;
}

/**
 * The widths of the collapsed columns: per column the most distinct values a key over 25 rows holds, capped by
 * `maxValuesPerColumn`, then cut one at a time, widest first (the first in config order on a tie), until the
 * plan fits its tables. Without keys over 25 rows every width is 1.
 */
export function decideCollapse(spec: AmcColumnSpec, stats: ShardStats, maxValuesPerColumn: Record<string, number> = {}): AmcPlanResult {
  const caps = Object.fromEntries(Object.entries(maxValuesPerColumn).map(([c, n]) => [c.toLowerCase(), n]));
  const order = Object.keys(spec.columns).map((c) => c.toLowerCase());
  const wanted = Object.fromEntries(order.map((c) => [c, stats.keysOver25 === 0 ? 1 : Math.max(1, stats.maxDistinct[c] ?? 1)]));
  const widths = Object.fromEntries(order.map((c) => [c, Math.min(wanted[c]!, caps[c] ?? AMC_IDENTITY_COLUMNS_PER_TABLE)]));
  for (;;) {
    const result = planAmcColumns(spec, widths);
    const widest = order.reduce((best, c) => (widths[c]! > widths[best]! ? c : best), order[0]!);
    if (result.ok || result.clash || widths[widest]! <= 1) {
      return result.ok ? { ...result, widthsCut: Object.fromEntries(order.map((c) => [c, wanted[c]! - widths[c]!])) } : result;
    }
    widths[widest]!--;
  }
}
