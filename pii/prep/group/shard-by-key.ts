import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { GroupByKeyError } from './group-errors';
import { keyHash, shardOf } from './key-hash';
import type { ShardWriter } from './shard-writer';

/** The records of a CSV stream, header first, one array of strings each. */
export function csvRecords(stream: Readable): AsyncIterable<string[]> {
  return stream.pipe(parse({ bom: true, relax_column_count: false })) as AsyncIterable<string[]>;
}

export interface ShardedRows {
  rows: number;
  /** Rows with an empty key: AMC cannot map them, so they are left out (counted). */
  rowsWithoutKey: number;
}

/**
 * Sends each row (its key, then the `sources` columns) to the shard of its key's hash. Reads the input once and
 * buffers only what the writer's budget allows.
 */
export async function shardRows(records: AsyncIterable<string[]>, opts: { keyColumn: string; sources: string[]; shards: number; writer: ShardWriter; onRows?(rows: number): void }): Promise<ShardedRows> {
  let header: string[] | undefined;
  let picks: number[] = [];
  const counts: ShardedRows = { rows: 0, rowsWithoutKey: 0 };
  for await (const record of records) {
    if (!header) {
      header = record;
      const wanted = [opts.keyColumn, ...opts.sources];
      const missing = wanted.filter((c) => !header!.includes(c));
      if (missing.length > 0) throw new GroupByKeyError(`column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not in the prepared part's header`);
      picks = wanted.map((c) => header!.indexOf(c));
      continue;
    }
    const row = picks.map((i) => record[i] ?? '');
    counts.rows++;
    if (row[0] === '') {
      counts.rowsWithoutKey++;
      continue;
    }
    await opts.writer.add(shardOf(keyHash(row[0]!), opts.shards), row);
    if (counts.rows % 50_000 === 0) opts.onRows?.(counts.rows);
  }
  await opts.writer.finish();
  return counts;
}
