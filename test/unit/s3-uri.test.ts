import { describe, expect, it } from 'vitest';
import { S3_OBJECT_OR_PREFIX_PATTERN, S3_URI_PATTERN, asPrefix, formatS3Uri, isS3Uri, joinUnder, parseS3Uri, requireS3Uri } from '../../storage/s3-uri';

describe('parseS3Uri', () => {
  it.each([
    ['s3://bucket/key.csv', 'bucket', 'key.csv'],
    ['s3://bucket/a/b/c.parquet', 'bucket', 'a/b/c.parquet'],
    ['s3://bucket/prefix/', 'bucket', 'prefix/'],
    ['s3://bucket/', 'bucket', ''],
    ['s3://bucket', 'bucket', ''],
    ['s3://bucket/a//b', 'bucket', 'a//b'],
    ['s3://my.bucket-1/with space/ünïcødé 名前.csv', 'my.bucket-1', 'with space/ünïcødé 名前.csv'],
    ['s3://bucket/line\nbreak', 'bucket', 'line\nbreak'],
    ['s3://bucket/%20encoded', 'bucket', '%20encoded'],
  ])('%j → bucket %s, key %j', (uri, bucket, key) => {
    expect(parseS3Uri(uri)).toEqual({ bucket, key });
    expect(formatS3Uri(bucket, key)).toBe(uri.replace(/^s3:\/\/([^/]+)$/, 's3://$1/'));
  });

  it.each(['', 's3://', 's3:///key', 'S3://bucket/key', 's3:/bucket/key', 'https://bucket.s3.amazonaws.com/key', '/local/path.csv', 'bucket/key'])(
    'is undefined for %j, and requireS3Uri names it',
    (uri) => {
      expect(parseS3Uri(uri)).toBeUndefined();
      expect(() => requireS3Uri(uri)).toThrow(`${uri} is not an s3:// URI`);
    },
  );

  it('tells s3:// URIs from local paths', () => {
    expect(isS3Uri('s3://b/k')).toBe(true);
    expect(isS3Uri('./s3:/k')).toBe(false);
    expect(isS3Uri('/tmp/in.csv')).toBe(false);
  });
});

describe('asPrefix and joinUnder', () => {
  it.each([
    ['s3://b/out', 's3://b/out/'],
    ['s3://b/out/', 's3://b/out/'],
    ['s3://b', 's3://b/'],
    ['out', 'out/'],
    ['', ''],
    ['/tmp/dir', '/tmp/dir/'],
  ])('asPrefix(%j) is %j', (prefix, expected) => {
    expect(asPrefix(prefix)).toBe(expected);
  });

  it('joins names under a prefix with single slashes, with or without its trailing slash', () => {
    expect(joinUnder('s3://b/out', 'run-1/')).toBe('s3://b/out/run-1/');
    expect(joinUnder('s3://b/out/', 'run-1', 'data/')).toBe('s3://b/out/run-1/data/');
    expect(joinUnder('s3://b/out/', 'manifest.json')).toBe('s3://b/out/manifest.json');
    expect(joinUnder('/tmp/out', 'rejects', 'part-00000-00001.csv')).toBe('/tmp/out/rejects/part-00000-00001.csv');
  });

  it('joins keys at the root of a bucket without a leading slash', () => {
    expect(joinUnder('', 'wf', 'job-1', 'success', 'part-00000.csv')).toBe('wf/job-1/success/part-00000.csv');
    expect(formatS3Uri('b', joinUnder(parseS3Uri('s3://b')!.key, 'wf/'))).toBe('s3://b/wf/');
  });
});

describe('S3_URI_PATTERN', () => {
  it.each(['s3://bucket/', 's3://my.bucket-1/prefix/', 's3://abc/key.csv'])('accepts %s', (uri) => expect(S3_URI_PATTERN.test(uri)).toBe(true));
  it.each(['s3://bucket', 's3://ab/', 's3://Bucket/', 's3://under_score/', `s3://${'a'.repeat(64)}/`, 'http://bucket/'])('refuses %s', (uri) =>
    expect(S3_URI_PATTERN.test(uri)).toBe(false),
  );
});

describe('S3_OBJECT_OR_PREFIX_PATTERN', () => {
  it.each(['s3://bucket/key.csv', 's3://my.bucket-1/prefix/', 's3://abc/k'])('accepts %s', (uri) => expect(S3_OBJECT_OR_PREFIX_PATTERN.test(uri)).toBe(true));
  it.each(['s3://bucket/', 's3://bucket', 's3://ab/key.csv', 's3://Bucket/key.csv', 'http://bucket/key.csv'])('refuses %s (no object or prefix after a valid bucket)', (uri) =>
    expect(S3_OBJECT_OR_PREFIX_PATTERN.test(uri)).toBe(false),
  );
});
