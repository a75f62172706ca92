import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { PrepInputError } from './input-errors';

/** Where data lives: an s3://bucket/key URI or a local path. */
export type DataLocation = { kind: 's3'; bucket: string; key: string; uri: string } | { kind: 'local'; path: string; uri: string };

export function parseLocation(uri: string): DataLocation {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return { kind: 's3', bucket: s3[1]!, key: s3[2]!, uri };
  if (uri.startsWith('s3://')) throw new Error(`${uri} names no object: use s3://bucket/key`);
  return { kind: 'local', path: uri, uri };
}

// The AWS SDK (~20 MB and ~0.15 s to load) is loaded when an s3:// location is first used, not for local files.
const s3Sdk = () => import('@aws-sdk/client-s3');

export function needS3(s3: S3Client | undefined, uri: string): S3Client {
  if (!s3) throw new Error(`${uri}: S3 locations need an S3 client`);
  return s3;
}

/** A missing input is the data owner's to fix, not worth retrying: a PrepInputError that names it. */
function missing(location: DataLocation, error: unknown): unknown {
  const { name, code } = error as { name?: string; code?: string };
  return code === 'ENOENT' || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' ? new PrepInputError(`${location.uri} does not exist`) : error;
}

export async function sizeOf(location: DataLocation, s3?: S3Client): Promise<number> {
  try {
    if (location.kind === 'local') return (await stat(location.path)).size;
    const { HeadObjectCommand } = await s3Sdk();
    const head = await needS3(s3, location.uri).send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return head.ContentLength ?? 0;
  } catch (error) {
    throw missing(location, error);
  }
}

/** The bytes [start, end) of the object, streamed (S3: one ranged GetObject). */
export async function readBytes(location: DataLocation, s3?: S3Client, range?: { start: number; end: number }): Promise<Readable> {
  if (range && range.end <= range.start) return PassThrough.from([]);
  try {
    if (location.kind === 'local') {
      // A missing file is reported here rather than as the stream's first error.
      await stat(location.path);
      return createReadStream(location.path, { highWaterMark: 1 << 20, ...(range ? { start: range.start, end: range.end - 1 } : {}) });
    }
    const { GetObjectCommand } = await s3Sdk();
    const object = await needS3(s3, location.uri).send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}) }),
    );
    return object.Body as Readable;
  } catch (error) {
    throw missing(location, error);
  }
}

/** Random access for Parquet: local reads, or ranged GETs. */
export async function randomAccess(location: DataLocation, s3?: S3Client): Promise<AsyncBuffer> {
  const byteLength = await sizeOf(location, s3);
  if (location.kind === 'local') {
    return {
      byteLength,
      async slice(start: number, end?: number) {
        const length = (end ?? byteLength) - start;
        const handle = await open(location.path, 'r');
        try {
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, start);
          return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + length);
        } finally {
          await handle.close();
        }
      },
    };
  }
  const client = needS3(s3, location.uri);
  const { GetObjectCommand } = await s3Sdk();
  return {
    byteLength,
    async slice(start: number, end?: number) {
      const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=${start}-${(end ?? byteLength) - 1}` }));
      const bytes = await object.Body!.transformToByteArray();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** What was written, for the manifest. */
export interface WrittenObject {
  uri: string;
  bytes: number;
  sha256: string;
}

export interface ObjectWriter {
  stream: Writable;
  /** Ends the stream and waits until the object is complete (S3: the multipart upload is completed). */
  finish(): Promise<WrittenObject>;
  /** Gives the object up: no S3 object appears (its multipart upload is aborted), a local file is removed. */
  abort(): Promise<void>;
}

/**
 * A stream to a new object: a local file, or an S3 object uploaded in parts as it is written
 * (lib-storage's Upload, so memory holds a few parts, not the object). Checksums are of the bytes written.
 */
export async function writeObject(location: DataLocation, s3?: S3Client, contentType = 'text/csv'): Promise<ObjectWriter> {
  const digest = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      digest.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  let completed: Promise<unknown>;
  let giveUp: () => void;
  if (location.kind === 'local') {
    await mkdir(dirname(location.path), { recursive: true });
    completed = pipeline(counter, createWriteStream(location.path));
    giveUp = () => counter.destroy();
  } else {
    const client = needS3(s3, location.uri);
    const { Upload } = await import('@aws-sdk/lib-storage');
    const body = new PassThrough();
    counter.pipe(body);
    const upload = new Upload({
      client,
      params: { Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
    });
    completed = upload.done();
    // A body that fails makes lib-storage abort the multipart upload (AbortMultipartUpload) before done() rejects.
    giveUp = () => {
      counter.unpipe(body);
      counter.destroy();
      body.destroy(new Error(`${location.uri}: the preparation failed, the upload is abandoned`));
    };
  }
  // A failed upload must fail the writer: otherwise nothing reads the body any more and writers wait for 'drain' for ever.
  // Its error reaches the caller through `stream.errored`, a pending write and finish(): not as an unhandled 'error' event.
  counter.on('error', () => undefined);
  completed.catch((error: unknown) => counter.destroy(error instanceof Error ? error : new Error(String(error))));
  return {
    stream: counter,
    async finish() {
      counter.end();
      await completed;
      return { uri: location.uri, bytes, sha256: digest.digest('hex') };
    },
    async abort() {
      giveUp();
      await completed.catch(() => undefined);
      if (location.kind === 'local') await rm(location.path, { force: true });
    },
  };
}
