import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { AMC_ROWS_PER_KEY, type ShardStats } from '../../../schemas/amc-id-mapping/amc-columns';
import type { RowSink } from '../write/output-sinks';
import { encodeEntries, type FingerprintEntry } from './fingerprints';
import { GroupByKeyError } from './group-errors';
import { compareHashes, keyHash } from './key-hash';
import { distinctRows, distinctValues, emptyReduceCounts, keyFingerprint, reduceAmcKey, type ReduceCounts, type Reducer } from './reducers';

/** One shard's rows by key (the identity values after the key), read from its gzipped CSV objects. */
export interface ShardKeys {
  /** Keys in key-hash order, each with its hash. */
  keys: { key: string; hash: Buffer }[];
  rows: Map<string, string[][]>;
  rowCount: number;
}

/**
 * Reads a shard into memory, refusing one past `maxBytes` decompressed (memory holds the shard once, as rows).
 * Every object's header must be `header`; `expectedRows` (what the sharding wrote) must be what is read.
 */
export function readShard(shard: number, bodies: Uint8Array[], header: string[], maxBytes: number, expectedRows?: number): ShardKeys {
  const rows = new Map<string, string[][]>();
  let bytes = 0;
  let rowCount = 0;
  for (const body of bodies) {
    const text = gunzipSync(body).toString('utf8');
    bytes += text.length;
    if (bytes > maxBytes) {
      throw new GroupByKeyError(`shard ${shard} holds more than the ${maxBytes} bytes a shard may hold in memory: lower targetShardBytes so the rows spread over more shards`);
    }
    const [head, ...records]: string[][] = parse(text, { relax_column_count: false });
    if (head?.join(',') !== header.join(',')) throw new GroupByKeyError(`shard ${shard} has an object whose header is not the one the sharding wrote`);
    for (const [key, ...values] of records) {
      const list = rows.get(key!);
      if (list) list.push(values);
      else rows.set(key!, [values]);
      rowCount++;
    }
  }
  if (expectedRows !== undefined && rowCount !== expectedRows) throw new GroupByKeyError(`shard ${shard} holds ${rowCount} rows where the sharding wrote ${expectedRows}`);
  const keys = [...rows.keys()].map((key) => ({ key, hash: keyHash(key) })).sort((x, y) => compareHashes(x.hash, y.hash));
  return { keys, rows, rowCount };
}

/** Pass 1 over a shard: how many keys have more than 25 distinct rows, and the most distinct values one of them holds per column. */
export function statShardKeys(shard: ShardKeys, sources: string[], maxRows = AMC_ROWS_PER_KEY): ShardStats {
  const stats: ShardStats = { rows: shard.rowCount, keys: shard.keys.length, keysOver25: 0, maxDistinct: {} };
  for (const rows of shard.rows.values()) {
    const distinct = distinctRows(rows);
    if (distinct.length <= maxRows) continue;
    stats.keysOver25++;
    distinctValues(distinct, sources.length).forEach((values, i) => (stats.maxDistinct[sources[i]!] = Math.max(stats.maxDistinct[sources[i]!] ?? 0, values.length)));
  }
  return stats;
}

/** Pass 2: reduces each key in key-hash order into the tables' sinks, and returns the shard's fingerprint object. */
export async function groupShardKeys(shard: ShardKeys, reducer: Reducer, sinks: RowSink[], onFlush?: (keysDone: number) => void): Promise<{ counts: ReduceCounts; fingerprints: Buffer }> {
  const counts = emptyReduceCounts(reducer.plan);
  const entries: FingerprintEntry[] = [];
  const pending: string[][][] = sinks.map(() => []);
  const flush = async () => {
    await Promise.all(sinks.map((sink, t) => (pending[t]!.length > 0 ? sink.writeRows(pending[t]!.splice(0)) : Promise.resolve())));
  };
  for (const { key, hash } of shard.keys) {
    const reduced = reduceAmcKey(key, shard.rows.get(key)!, reducer, counts);
    reduced.tables.forEach((rows, t) => pending[t]!.push(...rows));
    entries.push({ hash, fingerprint: keyFingerprint(reduced.rows), rows: reduced.rows.length });
    if (pending[0]!.length >= 10_000) {
      await flush();
      onFlush?.(counts.keys);
    }
  }
  await flush();
  return { counts, fingerprints: encodeEntries(entries) };
}
