import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseLocation, readBytes, writeObject } from '../../../storage/data-location';
import { shardCountFor } from '../group/key-hash';
import { ShardWriter } from '../group/shard-writer';
import { PrepInputError } from '../read/input-errors';
import { linesOfAll, removeUnder } from './stored-objects';
import { SortedFileWriter, type HashFile } from './sorted-files';

/** The values a hash set takes: SHA-256 in lowercase hex, TikTok's customer-file lines. */
const HEX64 = /^[0-9a-f]{64}$/;

/** The shard of a hex value among `shards` (a power of two up to 4096): its top bits, so shard i holds one contiguous range. */
export function shardOfHex(value: string, shards: number): number {
  if (shards === 1) return 0;
  return parseInt(value.slice(0, 4), 16) >> (16 - Math.log2(shards));
}

export interface SetOfType {
  count: number;
  files: HashFile[];
}

export interface BuildSnapshotOptions {
  /** Per set (an identifier type), the objects holding its values, one a line, in any order and with repeats. */
  inputs: Record<string, { uris: string[]; bytes: number }>;
  /** Each set's files go under `<prefix><set lowercased>/`. */
  prefix: string;
  maxFileBytes: number;
  s3?: S3Client;
  /** A set larger than this is split into hash-range shards, spilled under `<prefix>spill-<set>/` and sorted one at a time. */
  shardBytes?: number;
  /** Memory for the spill's buffers. */
  spillBudgetBytes?: number;
  onProgress?: () => void;
}

const SHARD_BYTES = 64 * 1024 * 1024;

/** A sorted, distinct set's values written into capped files. */
async function writeSorted(values: string[], out: SortedFileWriter, onProgress?: () => void): Promise<void> {
  values.sort();
  let previous: string | undefined;
  for (const value of values) {
    if (value === previous) continue;
    await out.add(value);
    previous = value;
  }
  onProgress?.();
}

function checked(value: string, set: string, line: number): string {
  if (!HEX64.test(value)) throw new PrepInputError(`set ${set}, value ${line}: not a SHA-256 hex digest (line numbers only are given)`);
  return value;
}

/**
 * Per set, its distinct values sorted, in files of at most `maxFileBytes`. The files depend only on the set's values, not
 * on how they were split over the inputs or in what order they came, so equal sets give byte-equal files (equal MD5s).
 */
export async function buildSnapshot(opts: BuildSnapshotOptions): Promise<Record<string, SetOfType>> {
  const sets: Record<string, SetOfType> = {};
  for (const set of Object.keys(opts.inputs).sort()) {
    const { uris, bytes } = opts.inputs[set]!;
    const out = new SortedFileWriter(`${opts.prefix}${set.toLowerCase()}/`, opts.maxFileBytes, opts.s3);
    try {
      const shards = shardCountFor(bytes, opts.shardBytes ?? SHARD_BYTES);
      if (shards === 1) {
        const values: string[] = [];
        let n = 0;
        for await (const line of linesOfAll(uris, opts.s3)) values.push(checked(line, set, ++n));
        await writeSorted(values, out, opts.onProgress);
      } else {
        await spillAndSort({ ...opts, set, uris, shards, out });
      }
      const files = await out.finish();
      sets[set] = { count: files.reduce((sum, file) => sum + file.count, 0), files };
    } catch (error) {
      await out.abort();
      throw error;
    }
  }
  return sets;
}

/** A set too large for memory: spread over hash-range shards (spilled as small gzipped objects), then each shard sorted in turn. */
async function spillAndSort(opts: BuildSnapshotOptions & { set: string; uris: string[]; shards: number; out: SortedFileWriter }): Promise<void> {
  const spill = `${opts.prefix}spill-${opts.set.toLowerCase()}/`;
  const uri = (shard: number, seq: number) => `${spill}shard-${String(shard).padStart(5, '0')}-${String(seq).padStart(5, '0')}.csv.gz`;
  const put = async (target: string, body: Uint8Array) => {
    const writer = await writeObject(parseLocation(target), opts.s3, 'application/gzip');
    await writer.write(body);
    await writer.finish();
  };
  const shardWriter = new ShardWriter(opts.shards, [opts.set], opts.spillBudgetBytes ?? 32 * 1024 * 1024, { uri, put });
  try {
    let n = 0;
    for await (const line of linesOfAll(opts.uris, opts.s3)) {
      const value = checked(line, opts.set, ++n);
      await shardWriter.add(shardOfHex(value, opts.shards), [value]);
      if (n % 100_000 === 0) opts.onProgress?.();
    }
    await shardWriter.finish();
    for (let shard = 0; shard < opts.shards; shard++) {
      const values: string[] = [];
      for (let seq = 0; seq < shardWriter.objectsPerShard[shard]!; seq++) {
        const chunks: Buffer[] = [];
        for await (const chunk of await readBytes(parseLocation(uri(shard, seq)), opts.s3)) chunks.push(chunk as Buffer);
        // Each spilled object starts with the header ShardWriter writes.
        values.push(...gunzipSync(Buffer.concat(chunks)).toString('latin1').split('\n').slice(1).filter((line) => line !== ''));
      }
      await writeSorted(values, opts.out, opts.onProgress);
    }
  } finally {
    await removeUnder(spill, opts.s3);
  }
}
