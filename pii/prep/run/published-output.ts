import { AbortMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { asPrefix, formatS3Uri, joinUnder, requireS3Uri } from '../../../storage/s3-uri';
import type { PrepManifest } from './manifest';

/*
 * An output prefix holds one run's output. A run writes under its own sub-prefix, `run-<id>/` (`data/`
 * for the parts, `rejects/` for the rejected rows), publishes by writing `manifest.json` at the prefix
 * last, and then removes every other run's sub-prefix and whatever the manifest it replaced listed.
 * Readers go through the manifest, so they never see a run that is unfinished, failed or replaced.
 */

export const MANIFEST_NAME = 'manifest.json';
const RUN_DIR = /^run-[^/]+\/$/;

/** Nothing there: no object, or no bucket (a run that failed before writing anything has nothing to remove). */
const missing = (error: unknown) => ['NoSuchKey', 'NoSuchBucket'].includes((error as { name?: string }).name ?? '');

export const manifestUriOf = (output: string) => joinUnder(output, MANIFEST_NAME);

/** The manifest published at `output`, or undefined when none is. */
export async function readPublishedManifest(s3: S3Client, output: string): Promise<PrepManifest | undefined> {
  const { bucket, key } = requireS3Uri(manifestUriOf(output));
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as PrepManifest;
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

export async function publishManifest(s3: S3Client, output: string, manifest: PrepManifest): Promise<string> {
  const uri = manifestUriOf(output);
  const { bucket, key } = requireS3Uri(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
  return uri;
}

/** Every object under the prefix, as keys. */
async function keysUnder(s3: S3Client, prefix: string, onRequest: () => void): Promise<string[]> {
  const { bucket, key } = requireS3Uri(prefix);
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: key })) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      onRequest();
    }
  } catch (error) {
    if (!missing(error)) throw error;
  }
  return keys;
}

/** Aborts the multipart uploads left open under the prefix (a part in progress when its worker died). */
async function abortUploadsUnder(s3: S3Client, prefix: string, onRequest: () => void): Promise<void> {
  const { bucket, key } = requireS3Uri(prefix);
  let page: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...page })).catch((error: unknown) => {
      if (missing(error)) return undefined;
      throw error;
    });
    for (const upload of listed?.Uploads ?? []) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
      onRequest();
    }
    if (!listed?.IsTruncated) return;
    page = { KeyMarker: listed.NextKeyMarker, UploadIdMarker: listed.NextUploadIdMarker };
  }
}

/** The run sub-prefixes (`run-<id>/`) directly under the output prefix. */
export async function runPrefixesUnder(s3: S3Client, output: string): Promise<string[]> {
  const { bucket, key } = requireS3Uri(asPrefix(output));
  const runs: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: key, Delimiter: '/' })) {
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix && RUN_DIR.test(common.Prefix.slice(key.length))) runs.push(formatS3Uri(bucket, common.Prefix));
    }
  }
  return runs;
}

/**
 * Deletes the objects (s3:// URIs) of one bucket or several, 1,000 a request; returns how many were deleted.
 * `onRequest` runs after each request (an activity heartbeats there, so a dead worker is noticed in minutes).
 */
export async function deleteObjects(s3: S3Client, uris: string[], onRequest: () => void = () => undefined): Promise<number> {
  const byBucket = new Map<string, string[]>();
  for (const uri of uris) {
    const { bucket, key } = requireS3Uri(uri);
    const keys = byBucket.get(bucket) ?? [];
    keys.push(key);
    byBucket.set(bucket, keys);
  }
  for (const [bucket, keys] of byBucket) {
    for (let i = 0; i < keys.length; i += 1000) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
      const failed = result.Errors ?? [];
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects in ${formatS3Uri(bucket)}, the first ${failed[0]!.Key} (${failed[0]!.Code})`);
      onRequest();
    }
  }
  return uris.length;
}

/** Deletes every object under the prefix, and aborts its open multipart uploads; returns how many objects there were. */
export async function deleteUnder(s3: S3Client, prefix: string, onRequest: () => void = () => undefined): Promise<number> {
  const { bucket } = requireS3Uri(prefix);
  await abortUploadsUnder(s3, prefix, onRequest);
  return deleteObjects(s3, (await keysUnder(s3, prefix, onRequest)).map((key) => formatS3Uri(bucket, key)), onRequest);
}
