/*
 * S3 URIs, `s3://bucket/key`, as the AWS CLI and the services' APIs write them: the key raw (not
 * percent-encoded), '' for the bucket itself, ending in '/' for a prefix. No imports: workflows and
 * schemas use it too (the one storage file the workflow lint rule allows).
 */

export interface S3Location {
  bucket: string;
  key: string;
}

const S3_URI = /^s3:\/\/([^/]+)(?:\/(.*))?$/s;

/** An s3:// URI of a bucket whose name S3 accepts today, then a key or prefix: what configs are checked against. */
export const S3_URI_PATTERN = /^s3:\/\/[a-z0-9.-]{3,63}\/.*$/;
/** S3_URI_PATTERN with a key or prefix after the bucket: an object, or the objects under a prefix. */
export const S3_OBJECT_OR_PREFIX_PATTERN = /^s3:\/\/[a-z0-9.-]{3,63}\/.+$/;

export const isS3Uri = (uri: string): boolean => uri.startsWith('s3://');

/** The bucket and key of an s3:// URI, or undefined when `uri` is not one. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = S3_URI.exec(uri);
  return match ? { bucket: match[1]!, key: match[2] ?? '' } : undefined;
}

/** parseS3Uri for a URI that must be one: anything else fails naming it. */
export function requireS3Uri(uri: string): S3Location {
  const location = parseS3Uri(uri);
  if (!location) throw new Error(`${uri} is not an s3:// URI`);
  return location;
}

export const formatS3Uri = (bucket: string, key = ''): string => `s3://${bucket}/${key}`;

/** A prefix (URI, key or local directory) with one trailing '/'; '' stays '', the root of a bucket. */
export const asPrefix = (prefix: string): string => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);

/** Names under a prefix: joinUnder('s3://b/out', 'run-1', 'data/') is 's3://b/out/run-1/data/'. */
export const joinUnder = (prefix: string, ...names: string[]): string => `${asPrefix(prefix)}${names.join('/')}`;
