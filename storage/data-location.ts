import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { PrepInputError } from '../pii/prep/read/input-errors';
import type { ByteSource } from '../pii/prep/read/record-chunks';
import { isS3Uri, parseS3Uri } from './s3-uri';

/** Where data lives: an s3://bucket/key URI or a local path. */
export type DataLocation = { kind: 's3'; bucket: string; key: string; uri: string } | { kind: 'local'; path: string; uri: string };

export function parseLocation(uri: string): DataLocation {
  const s3 = parseS3Uri(uri);
  if (s3?.key) return { kind: 's3', ...s3, uri };
  if (isS3Uri(uri)) throw new Error(`${uri} names no object: use s3://bucket/key`);
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

/** A local path that must be a file: a directory is named as such rather than failing later with EISDIR. */
async function fileSize(location: DataLocation & { kind: 'local' }): Promise<number> {
  const info = await stat(location.path);
  if (info.isDirectory()) throw new PrepInputError(`${location.uri} is a directory: give a file`);
  return info.size;
}

/** Fails with a PrepInputError when a local input or output is a directory (S3 keys never are). */
export async function refuseDirectory(uri: string, role: 'input' | 'output' | 'rejects'): Promise<void> {
  const location = parseLocation(uri);
  if (location.kind !== 'local') return;
  if ((await stat(location.path).catch(() => undefined))?.isDirectory()) throw new PrepInputError(`the ${role} ${uri} is a directory: give a file`);
}

export async function sizeOf(location: DataLocation, s3?: S3Client): Promise<number> {
  try {
    if (location.kind === 'local') return await fileSize(location);
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
      // A missing file (or a directory) is reported here rather than as the stream's first error.
      await fileSize(location);
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

/**
 * The bytes [start, end) of the object, for `recordChunks`: a local file is read straight into the cutter's
 * buffer (no buffer per read); an S3 object is one ranged GetObject's stream.
 */
export async function byteSource(location: DataLocation, s3: S3Client | undefined, range: { start: number; end: number }): Promise<ByteSource> {
  if (location.kind === 's3' || range.end <= range.start) return readBytes(location, s3, range);
  let handle: FileHandle;
  try {
    await fileSize(location);
    handle = await open(location.path, 'r');
  } catch (error) {
    throw missing(location, error);
  }
  let position = range.start;
  return {
    async readInto(into, at, length) {
      const wanted = Math.min(length, range.end - position);
      if (wanted <= 0) return 0;
      const { bytesRead } = await handle.read(into, at, wanted, position);
      position += bytesRead;
      return bytesRead;
    },
    close: () => handle.close(),
  };
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
  /** MD5 hex of the bytes (when asked for): the file signature TikTok's customer-file upload checks. */
  md5?: string;
}

export interface ObjectWriter {
  /**
   * Appends the bytes. Once the promise resolves they are written out (a local file) or copied (an S3 part
   * in the making), so the caller may reuse their buffer. Writes are taken one at a time, in call order.
   * Rejects, as every later write does, once the object has failed.
   */
  write(bytes: Uint8Array | string): Promise<void>;
  /** Completes the object (S3: the multipart upload) once every write has been taken. */
  finish(): Promise<WrittenObject>;
  /** Gives the object up: no S3 object appears (its multipart upload is aborted), a local file is removed. */
  abort(): Promise<void>;
}

/** The appending half of a writer: writes one buffer (reusable once it resolves), then ends or gives up. */
interface ByteTarget {
  append(bytes: Uint8Array): Promise<void>;
  end(): Promise<void>;
  giveUp(): Promise<void>;
}

async function localTarget(path: string): Promise<ByteTarget> {
  await mkdir(dirname(path), { recursive: true });
  // An earlier output is replaced, not truncated and rewritten: ext4 flushes a file truncated that way to disk
  // when it is closed. A symbolic link is written through.
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new PrepInputError(`${path} is a directory: give a file to write the output to`);
  if (existing?.isFile()) await rm(path, { force: true });
  const handle = await open(path, 'w');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async append(bytes) {
      for (let at = 0; at < bytes.byteLength; ) at += (await handle.write(bytes, at, bytes.byteLength - at)).bytesWritten;
    },
    end: close,
    async giveUp() {
      await close().catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}

/** An S3 object uploaded in parts as it is written (lib-storage's Upload, so memory holds a few parts, not the object). */
async function s3Target(location: DataLocation & { kind: 's3' }, client: S3Client, contentType: string): Promise<ByteTarget> {
  const { Upload } = await import('@aws-sdk/lib-storage');
  const body = new PassThrough();
  const upload = new Upload({
    client,
    params: { Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
  });
  const completed = upload.done().catch((error: unknown) => {
    if ((error as { name?: string }).name === 'NoSuchBucket') throw new PrepInputError(`${location.uri} cannot be written: bucket ${location.bucket} does not exist`);
    throw error;
  });
  // A failed upload fails the next write rather than leave it waiting for a 'drain' that never comes.
  completed.catch((error: unknown) => body.destroy(error instanceof Error ? error : new Error(String(error))));
  body.on('error', () => undefined);
  // The body may fail first with lib-storage's own AbortError: the upload's error is the one that says why.
  const failure = (): Promise<Error> =>
    completed.then(
      () => new Error(`${location.uri}: the upload has stopped`),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
  return {
    async append(bytes) {
      if (body.destroyed) throw await failure();
      // Copied: lib-storage keeps the chunks it is given until they make up a part, and the caller reuses its buffer.
      if (!body.write(Buffer.from(bytes))) await once(body, 'drain').catch(async () => Promise.reject(await failure()));
    },
    async end() {
      body.end();
      await completed;
    },
    async giveUp() {
      // A body that fails makes lib-storage abort the multipart upload (AbortMultipartUpload) before done() rejects.
      body.destroy(new Error(`${location.uri}: the preparation failed, the upload is abandoned`));
      await completed.catch(() => undefined);
    },
  };
}

/**
 * A new object, local or in S3, written in order; its size and SHA-256 (and MD5 with `md5`) are of the bytes written.
 * MD5 only on request: a second digest on the writing thread slows every preparation run down.
 */
export async function writeObject(location: DataLocation, s3?: S3Client, contentType = 'text/csv', opts: { md5?: boolean } = {}): Promise<ObjectWriter> {
  const target = location.kind === 'local' ? await localTarget(location.path) : await s3Target(location, needS3(s3, location.uri), contentType);
  const digest = createHash('sha256');
  const md5 = opts.md5 ? createHash('md5') : undefined;
  let bytes = 0;
  // Each write starts when the one before it has ended; a failure stays, so every later write rejects with it.
  let last: Promise<void> = Promise.resolve();
  const write = (data: Uint8Array | string): Promise<void> => {
    last = last.then(() => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      if (chunk.byteLength === 0) return;
      digest.update(chunk);
      md5?.update(chunk);
      bytes += chunk.byteLength;
      return target.append(chunk);
    });
    return last;
  };
  return {
    write,
    async finish() {
      await last;
      await target.end();
      return { uri: location.uri, bytes, sha256: digest.digest('hex'), ...(md5 ? { md5: md5.digest('hex') } : {}) };
    },
    async abort() {
      await last.catch(() => undefined);
      await target.giveUp();
    },
  };
}
