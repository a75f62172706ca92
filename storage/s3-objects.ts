import { AbortMultipartUploadCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { formatS3Uri, requireS3Uri } from './s3-uri';

/*
 * Listing and deleting S3 objects under a prefix. Prefixes are s3:// URIs whose key is used as given
 * (S3's Prefix: 's3://b/out' also lists 'out-2/…'; pass 's3://b/out/' for one folder); keys come in S3's order.
 */

export interface S3Object {
  key: string;
  uri: string;
  size: number;
}

export interface ListOptions {
  /** Leaves out keys ending in '/': the empty "folder" objects the S3 console and some tools create. */
  skipFolderMarkers?: boolean;
  /** Keys per ListObjectsV2 request (MaxKeys); S3 answers at most 1,000, its default. */
  pageSize?: number;
}

/** No object, or no bucket, where one was named. */
export const isNoSuchKeyOrBucket = (error: unknown): boolean => ['NoSuchKey', 'NoSuchBucket'].includes((error as { name?: string }).name ?? '');

/** The objects under the prefix, one ListObjectsV2 page at a time: a caller that finds what it wants stops listing. */
export async function* objectPagesUnder(s3: S3Client, prefixUri: string, opts: ListOptions = {}): AsyncGenerator<S3Object[]> {
  const { bucket, key: prefix } = requireS3Uri(prefixUri);
  const paging = { client: s3, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) };
  for await (const page of paginateListObjectsV2(paging, { Bucket: bucket, Prefix: prefix })) {
    const objects: S3Object[] = [];
    for (const { Key: key, Size: size } of page.Contents ?? []) {
      if (key && !(opts.skipFolderMarkers && key.endsWith('/'))) objects.push({ key, uri: formatS3Uri(bucket, key), size: size ?? 0 });
    }
    yield objects;
  }
}

/** Every object under the prefix. `onPage` runs after each ListObjectsV2 request (an activity heartbeats there). */
export async function listObjects(s3: S3Client, prefixUri: string, opts: ListOptions & { onPage?: () => void } = {}): Promise<S3Object[]> {
  const objects: S3Object[] = [];
  for await (const page of objectPagesUnder(s3, prefixUri, opts)) {
    objects.push(...page);
    opts.onPage?.();
  }
  return objects;
}

/** The sub-prefixes one level under the prefix (ListObjectsV2's CommonPrefixes with Delimiter '/'), as s3:// URIs ending in '/'. */
export async function listSubPrefixes(s3: S3Client, prefixUri: string): Promise<string[]> {
  const { bucket, key: prefix } = requireS3Uri(prefixUri);
  const prefixes: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix, Delimiter: '/' })) {
    for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(formatS3Uri(bucket, common.Prefix));
  }
  return prefixes;
}

/**
 * Deletes the objects (s3:// URIs) of one bucket or several, 1,000 a request (DeleteObjects' limit); returns how many
 * were asked for. A key S3 could not delete fails the call, naming it and its error code. `onRequest` runs after each request.
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

/** Aborts the multipart uploads left open under the prefix (a part in progress when its writer died); a missing bucket has none. */
async function abortUploadsUnder(s3: S3Client, prefixUri: string, onRequest: () => void): Promise<void> {
  const { bucket, key } = requireS3Uri(prefixUri);
  let page: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...page })).catch((error: unknown) => {
      if (isNoSuchKeyOrBucket(error)) return undefined;
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

/**
 * Deletes every object under the prefix, folder markers included, and aborts its open multipart uploads; returns how
 * many objects there were. A missing bucket has nothing to delete. `onRequest` runs after each request.
 */
export async function deleteUnder(s3: S3Client, prefixUri: string, onRequest: () => void = () => undefined): Promise<number> {
  await abortUploadsUnder(s3, prefixUri, onRequest);
  const objects = await listObjects(s3, prefixUri, { onPage: onRequest }).catch((error: unknown) => {
    if (isNoSuchKeyOrBucket(error)) return [];
    throw error;
  });
  return deleteObjects(s3, objects.map((o) => o.uri), onRequest);
}
