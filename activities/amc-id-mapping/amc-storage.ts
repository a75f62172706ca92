import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { AMC_GUARD_STATE_INVALID, INVALID_INPUT } from '../../schemas/failures';
import { deleteUnder, isNoSuchKeyOrBucket, listSubPrefixes } from '../../storage/s3-objects';
import { asPrefix, joinUnder, requireS3Uri } from '../../storage/s3-uri';

/** The input as listed: how many objects, their bytes, and a hash over (key, ETag, size) that changes when any object does. */
export interface InputListing {
  objects: number;
  bytes: number;
  hash: string;
}

const GENERATION = /\/gen-([^/]+)\/$/;
const guardStateUri = (workPrefix: string) => joinUnder(workPrefix, 'guard.json');

export function createAmcStorageActivities({ s3 }: { s3: S3Client }) {
  /**
   * What the input holds now, without reading it: a prefix (ending in '/') lists every object under it, folder
   * markers left out; an object URI lists that object alone. Equal hashes mean no object was added, removed or rewritten.
   */
  async function inputListing(input: { uri: string }): Promise<InputListing> {
    const { bucket, key } = requireS3Uri(input.uri);
    const isPrefix = key === '' || key.endsWith('/');
    const lines: string[] = [];
    let bytes = 0;
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: key })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/') || (!isPrefix && object.Key !== key)) continue;
        lines.push(`${object.Key}\t${object.ETag ?? ''}\t${object.Size ?? 0}`);
        bytes += object.Size ?? 0;
      }
    }
    const hash = createHash('sha256').update(lines.sort().join('\n')).digest('hex');
    return { objects: lines.length, bytes, hash };
  }

  /** The guard's recovery copy (`<workPrefix>guard.json`: generations, times, counts; no data values), or null before the first write. */
  async function readGuardState(input: { workPrefix: string }): Promise<{ uri: string; state: Record<string, unknown> | null }> {
    const uri = guardStateUri(input.workPrefix);
    const { bucket, key } = requireS3Uri(uri);
    let text: string;
    try {
      text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    } catch (err) {
      if (isNoSuchKeyOrBucket(err)) return { uri, state: null };
      throw err;
    }
    try {
      const state: unknown = JSON.parse(text);
      if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new Error('not an object');
      return { uri, state: state as Record<string, unknown> };
    } catch {
      throw ApplicationFailure.create({ type: AMC_GUARD_STATE_INVALID, message: `${uri} is not a JSON object: delete it, and the guard reads AMC's job history again`, nonRetryable: true });
    }
  }

  async function writeGuardState(input: { workPrefix: string; state: Record<string, unknown> }): Promise<{ uri: string }> {
    const uri = guardStateUri(input.workPrefix);
    const { bucket, key } = requireS3Uri(uri);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(input.state, null, 2), ContentType: 'application/json' }));
    return { uri };
  }

  /** Forgets the guard's recovery copy once its tables are deleted, so the next start builds the mapping anew. */
  async function deleteGuardState(input: { workPrefix: string }): Promise<{ uri: string }> {
    const uri = guardStateUri(input.workPrefix);
    const { bucket, key } = requireS3Uri(uri);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return { uri };
  }

  /**
   * Deletes the `gen-<g>/` folders under each prefix (a table's data location parent, the work prefix) whose generation
   * is not in `keep`: the one Glue points to and the one the last refresh read must always be kept.
   */
  async function pruneGenerations(input: { prefixes: string[]; keep: string[] }): Promise<{ deleted: string[]; objects: number }> {
    if (input.keep.length === 0) throw ApplicationFailure.create({ type: INVALID_INPUT, message: 'pruneGenerations needs the generations to keep (none given)', nonRetryable: true });
    const deleted: string[] = [];
    let objects = 0;
    for (const prefix of input.prefixes) {
      for (const folder of await listSubPrefixes(s3, asPrefix(prefix))) {
        const generation = GENERATION.exec(folder)?.[1];
        if (generation === undefined || input.keep.includes(generation)) continue;
        objects += await deleteUnder(s3, folder);
        deleted.push(folder);
      }
    }
    return { deleted, objects };
  }

  return { inputListing, readGuardState, writeGuardState, deleteGuardState, pruneGenerations };
}
