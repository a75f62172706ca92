import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNoSuchKeyOrBucket, listSubPrefixes } from '../../../storage/s3-objects';
import { asPrefix, joinUnder, requireS3Uri } from '../../../storage/s3-uri';
import type { PrepManifest } from './manifest';

/*
 * An output prefix holds one run's output. A run writes under its own sub-prefix, `run-<id>/` (`data/`
 * for the parts, `rejects/` for the rejected rows), publishes by writing `manifest.json` at the prefix
 * last, and then removes every other run's sub-prefix and whatever the manifest it replaced listed.
 * Readers go through the manifest, so they never see a run that is unfinished, failed or replaced.
 */

export const MANIFEST_NAME = 'manifest.json';
const RUN_DIR = /^run-[^/]+\/$/;

export const manifestUriOf = (output: string) => joinUnder(output, MANIFEST_NAME);

/** The manifest published at `output`, or undefined when none is. */
export async function readPublishedManifest(s3: S3Client, output: string): Promise<PrepManifest | undefined> {
  const { bucket, key } = requireS3Uri(manifestUriOf(output));
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as PrepManifest;
  } catch (error) {
    if (isNoSuchKeyOrBucket(error)) return undefined;
    throw error;
  }
}

export async function publishManifest(s3: S3Client, output: string, manifest: PrepManifest): Promise<string> {
  const uri = manifestUriOf(output);
  const { bucket, key } = requireS3Uri(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
  return uri;
}

/** The run sub-prefixes (`run-<id>/`) directly under the output prefix. */
export async function runPrefixesUnder(s3: S3Client, output: string): Promise<string[]> {
  const prefix = asPrefix(output);
  return (await listSubPrefixes(s3, prefix)).filter((run) => RUN_DIR.test(run.slice(prefix.length)));
}
