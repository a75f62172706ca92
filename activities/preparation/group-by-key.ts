import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ShardStats } from '../../schemas/amc-id-mapping/amc-columns';
import { GROUP_BY_KEY_FAILED } from '../../schemas/failures';
import type { OutputFormat } from '../../schemas/preparation/prep';
import { diffFingerprints, type FingerprintDiff } from '../../pii/prep/group/fingerprints';
import { GroupByKeyError } from '../../pii/prep/group/group-errors';
import { groupShardKeys, readShard, statShardKeys } from '../../pii/prep/group/group-shard';
import { shardCountFor } from '../../pii/prep/group/key-hash';
import type { Reducer } from '../../pii/prep/group/reducers';
import type { GroupManifest, ReduceCounts } from '../../schemas/preparation/group-by-key';

export type { GroupCounts, GroupManifest } from '../../schemas/preparation/group-by-key';
import { csvRecords, shardRows } from '../../pii/prep/group/shard-by-key';
import { ShardWriter, shardObjectUri } from '../../pii/prep/group/shard-writer';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { contentType } from '../../pii/prep/run/prepare-parts';
import { csvSink, parquetSink, type RowSink } from '../../pii/prep/write/output-sinks';
import { parseLocation, readBytes, writeObject, type ObjectWriter, type WrittenObject } from '../../storage/data-location';
import { deleteUnder } from '../../storage/s3-objects';
import { requireS3Uri } from '../../storage/s3-uri';

/*
 * Activities of the groupByKey workflow: shard prepared parts by key hash, read each shard for its stats, then
 * reduce it into the output tables with per-key fingerprints. Every object name is deterministic, so a retried
 * activity overwrites what an earlier attempt wrote. Inputs and results hold URIs and counts only.
 */

export interface GroupByKeyActivityDeps {
  s3: S3Client;
}

/** Where one shard's objects are: per sharding task, how many it wrote (`part-<task>-<seq>` for seq below it). */
export interface ShardRef {
  shard: number;
  shardsPrefix: string;
  objectsPerTask: number[];
  rows: number;
  /** The shard objects' header: the key column, then the identity columns. */
  header: string[];
  /** A shard larger than this (decompressed) fails GroupByKeyFailed instead of exhausting the worker's memory. */
  maxShardBytes: number;
}

export interface GroupShardOutput {
  counts: ReduceCounts;
  /** One object per table: `<tableLocation>part-<shard>.<format>`. */
  outputs: WrittenObject[];
  fingerprintObject: string;
}

const pad = (n: number) => String(n).padStart(5, '0');
export const fingerprintObjectUri = (prefix: string, shard: number) => `${prefix}shard-${pad(shard)}.bin`;

async function withTypedFailures<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GroupByKeyError) throw ApplicationFailure.create({ type: GROUP_BY_KEY_FAILED, message: error.message, nonRetryable: true });
    throw error;
  }
}

async function getBytes(s3: S3Client, uri: string): Promise<Uint8Array> {
  const { bucket, key } = requireS3Uri(uri);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToByteArray();
}

async function putBytes(s3: S3Client, uri: string, body: Uint8Array | string, type: string): Promise<void> {
  const { bucket, key } = requireS3Uri(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: type }));
}

async function shardBodies(s3: S3Client, ref: ShardRef): Promise<Uint8Array[]> {
  const bodies: Uint8Array[] = [];
  for (const [task, count] of ref.objectsPerTask.entries()) {
    for (let seq = 0; seq < count; seq++) {
      bodies.push(await getBytes(s3, shardObjectUri(ref.shardsPrefix, ref.shard, task, seq)));
      Context.current().heartbeat({ objects: bodies.length });
    }
  }
  return bodies;
}

async function readShardRef(s3: S3Client, ref: ShardRef) {
  return readShard(ref.shard, await shardBodies(s3, ref), ref.header, ref.maxShardBytes, ref.rows);
}

export function createGroupByKeyActivities(deps: GroupByKeyActivityDeps) {
  const { s3 } = deps;
  return {
    /** The prepared parts to shard (one task each) and the shard count that keeps each shard near `targetShardBytes`. */
    async planKeyShards(input: { prepared: string; targetShardBytes: number }): Promise<{ shards: number; parts: string[]; bytes: number }> {
      const manifest = JSON.parse(new TextDecoder().decode(await getBytes(s3, input.prepared))) as PrepManifest;
      if (manifest.outputFormat !== 'csv') throw ApplicationFailure.create({ type: GROUP_BY_KEY_FAILED, message: `${input.prepared} lists ${manifest.outputFormat} parts: grouping reads CSV`, nonRetryable: true });
      const bytes = manifest.outputs.reduce((sum, o) => sum + o.bytes, 0);
      return { shards: shardCountFor(bytes, input.targetShardBytes), parts: manifest.outputs.map((o) => o.uri), bytes };
    },

    /** Task `task`: one prepared CSV part's rows (key, then `sources`) to the shards of their keys. */
    async shardByKey(input: { part: string; task: number; keyColumn: string; sources: string[]; shards: number; shardsPrefix: string; bufferBytes: number }) {
      return withTypedFailures(async () => {
        const ctx = Context.current();
        const writer = new ShardWriter(input.shards, [input.keyColumn, ...input.sources], input.bufferBytes, {
          uri: (shard, seq) => shardObjectUri(input.shardsPrefix, shard, input.task, seq),
          put: (uri, body) => putBytes(s3, uri, body, 'application/gzip'),
        });
        const stream = await readBytes(parseLocation(input.part), s3);
        const counts = await shardRows(csvRecords(stream), { keyColumn: input.keyColumn, sources: input.sources, shards: input.shards, writer, onRows: (rows) => ctx.heartbeat({ rows }) });
        return { ...counts, rowsPerShard: writer.rowsPerShard, objectsPerShard: writer.objectsPerShard };
      });
    },

    /** Pass 1 over one shard: keys, keys over 25 distinct rows and their most distinct values per column. */
    async statShard(input: { ref: ShardRef; sources: string[]; maxRows: number }): Promise<ShardStats> {
      return withTypedFailures(async () => statShardKeys(await readShardRef(s3, input.ref), input.sources, input.maxRows));
    },

    /** Pass 2 over one shard: its keys reduced into one object per table, and its fingerprints. */
    async groupShard(input: { ref: ShardRef; reducer: Reducer; format: OutputFormat; tableLocations: string[]; fingerprintsPrefix: string }): Promise<GroupShardOutput> {
      return withTypedFailures(async () => {
        const ctx = Context.current();
        const shard = await readShardRef(s3, input.ref);
        const headers = input.reducer.plan.tables.map((t) => [input.reducer.plan.uniqueId, ...t.map((c) => c.name)]);
        const writers: ObjectWriter[] = [];
        const sinks: RowSink[] = [];
        try {
          for (const [t, location] of input.tableLocations.entries()) {
            const writer = await writeObject(parseLocation(`${location}part-${pad(input.ref.shard)}.${input.format}`), s3, contentType(input.format));
            writers.push(writer);
            sinks.push(input.format === 'csv' ? await csvSink(writer, headers[t]) : await parquetSink(writer, headers[t]!));
          }
          const { counts, fingerprints } = await groupShardKeys(shard, input.reducer, sinks, (keys) => ctx.heartbeat({ keys }));
          const outputs: WrittenObject[] = [];
          for (const sink of sinks) outputs.push(await sink.finish());
          const fingerprintObject = fingerprintObjectUri(input.fingerprintsPrefix, input.ref.shard);
          await putBytes(s3, fingerprintObject, fingerprints, 'application/octet-stream');
          return { counts, outputs, fingerprintObject };
        } catch (error) {
          await Promise.allSettled(writers.map((w) => w.abort()));
          throw error;
        }
      });
    },

    /** Writes a small JSON document (the grouping's manifest). */
    async writeGroupManifest(input: { uri: string; manifest: GroupManifest }): Promise<string> {
      await putBytes(s3, input.uri, JSON.stringify(input.manifest, null, 2), 'application/json');
      return input.uri;
    },

    /** Removes the shard objects once every shard is grouped. */
    async deleteShards(input: { shardsPrefix: string }): Promise<{ removedObjects: number }> {
      return { removedObjects: await deleteUnder(s3, input.shardsPrefix, () => Context.current().heartbeat()) };
    },

    /** What changed between two groupings, by key: a streaming merge-join of their fingerprint objects. */
    async diffGenerationFingerprints(input: { previous: string; current: string }): Promise<FingerprintDiff> {
      const objectsOf = async (manifestUri: string) => (JSON.parse(new TextDecoder().decode(await getBytes(s3, manifestUri))) as GroupManifest).fingerprintObjects;
      const [before, after] = await Promise.all([objectsOf(input.previous), objectsOf(input.current)]);
      const stream = async function* (uris: string[]) {
        for (const uri of uris) {
          yield await getBytes(s3, uri);
          Context.current().heartbeat();
        }
      };
      return diffFingerprints(stream(before), stream(after));
    },
  };
}

export type GroupByKeyActivities = ReturnType<typeof createGroupByKeyActivities>;
