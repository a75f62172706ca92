import { createHash } from 'node:crypto';
import type { AmcColumnPlan } from '../../../schemas/amc-id-mapping/amc-columns';
import type { ReduceCounts } from '../../../schemas/preparation/group-by-key';

export { addReduceCounts, emptyReduceCounts, type ReduceCounts } from '../../../schemas/preparation/group-by-key';

/*
 * What happens to the rows of one key. Reducers are data, not functions, so a workflow can hand one to an activity.
 * `amc-collapse` (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"): AMC reads 25 rows per unique key, so a
 * key with more distinct rows becomes one row holding each column's distinct values in its numbered columns;
 * a key with up to 25 keeps its rows, identical ones once.
 */
export interface AmcCollapseReducer {
  kind: 'amc-collapse';
  plan: AmcColumnPlan;
  maxRows: number;
}
export type Reducer = AmcCollapseReducer;

/** The identity columns a shard row carries after its key, in this order. */
export const sourcesOf = (plan: AmcColumnPlan): string[] => Object.keys(plan.widths);

/** The rows, identical ones once, in first-seen order. */
export function distinctRows(rows: string[][]): string[][] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const id = row.join('\u0000');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Per column, its distinct non-empty values across the rows, in first-seen order. */
export function distinctValues(rows: string[][], columns: number): string[][] {
  return Array.from({ length: columns }, (_, i) => [...new Set(rows.map((row) => row[i] ?? '').filter((v) => v !== ''))]);
}

export interface ReducedKey {
  /** Per table, its rows: the key, then the table's columns. */
  tables: string[][][];
  /** The key's logical rows (every column of every table), what its fingerprint is taken over. */
  rows: string[][];
}

/** The rows of one key (identity values in `sourcesOf(plan)` order), reduced and split into the plan's tables. */
export function reduceAmcKey(key: string, rows: string[][], reducer: AmcCollapseReducer, counts: ReduceCounts): ReducedKey {
  const { plan } = reducer;
  const sources = sourcesOf(plan);
  const index = new Map(sources.map((s, i) => [s, i]));
  const distinct = distinctRows(rows);
  counts.keys++;
  counts.rowsIn += rows.length;
  counts.duplicateRowsDropped += rows.length - distinct.length;
  const columns = plan.tables.flat();
  let logical: string[][];
  if (distinct.length > reducer.maxRows) {
    counts.collapsedKeys++;
    const values = distinctValues(distinct, sources.length);
    sources.forEach((s, i) => (counts.droppedValues[s]! += Math.max(0, values[i]!.length - plan.widths[s]!)));
    logical = [columns.map((c) => values[index.get(c.source)!]![Math.max(0, c.position - 1)] ?? '')];
  } else {
    logical = distinct.map((row) => columns.map((c) => (c.position <= 1 ? row[index.get(c.source)!] ?? '' : '')));
  }
  counts.rowsOut += logical.length;
  const tables: string[][][] = plan.tables.map(() => []);
  for (const row of logical) {
    let at = 0;
    plan.tables.forEach((table, t) => {
      const cells = row.slice(at, at + table.length);
      at += table.length;
      if (cells.every((v) => v === '')) counts.emptyRowsDropped[t]!++;
      else tables[t]!.push([key, ...cells]);
    });
  }
  return { tables, rows: logical };
}

export const FINGERPRINT_BYTES = 16;

/** A key's fingerprint: its logical rows as a set (their order in the input does not count). */
export function keyFingerprint(rows: string[][]): Buffer {
  const hash = createHash('sha256');
  for (const line of rows.map((r) => r.join('\u0001')).sort()) hash.update(line).update('\u0002');
  return hash.digest().subarray(0, FINGERPRINT_BYTES);
}
