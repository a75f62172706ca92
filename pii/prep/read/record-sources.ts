import type { S3Client } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import type { DataFormat } from '../../../schemas/preparation/prep';
import { byteSource, randomAccess, readBytes, sizeOf, type DataLocation } from '../../../storage/data-location';
import { cell, jsonFieldNames, jsonRecordToRow, type ParsedRecord } from './parse-records';
import { firstRecordEnd, recordChunks, type RecordChunk } from './record-chunks';
import { RecordScanner } from './record-scanner';
import { PrepInputError } from './input-errors';

/** What a text header line never holds: control bytes (tab, line feed and carriage return aside) or bytes that are not UTF-8. */
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

/**
 * Whole records for one chunk task, and the position just after them (a byte offset, or a record index for Parquet and JSON arrays).
 * Bytes hold until the next chunk is asked for (they are a view on the reader's buffer): a consumer copies what it keeps.
 */
export type SourceChunk = { end: number } & ({ format: 'csv'; bytes: Uint8Array } | { format: 'jsonl'; bytes: Uint8Array } | { format: 'records'; records: ParsedRecord[] });

export interface OpenedSource {
  header: string[];
  delimiter: string;
  /** Positions count in bytes for CSV and JSON Lines, in records for Parquet and JSON arrays. */
  positionUnit: 'byte' | 'record';
  chunks: AsyncIterable<SourceChunk>;
  /**
   * Lets go of the input (an S3 GetObject stream holds a pooled socket until it is read or destroyed). Called when the
   * chunks are given up, and by a caller that gives up before iterating them; a second call does nothing.
   */
  close(): Promise<void>;
}

export interface OpenOptions {
  format: DataFormat;
  /** CSV delimiter; read off the header line when not given. */
  delimiter?: string;
  /** Only this part of the object (byte range of a line format, aligned to records). Its header comes from `header`. */
  range?: { start: number; end: number };
  /** Start here instead (a position a previous run committed), e.g. after a crash. */
  resumeFrom?: number;
  /** The column names, when the range does not start at the object's header. */
  header?: string[];
  chunkBytes?: number;
  maxRecordBytes?: number;
  rowsPerChunk?: number;
}

export async function openSource(location: DataLocation, s3: S3Client | undefined, opts: OpenOptions): Promise<OpenedSource> {
  switch (opts.format) {
    case 'csv':
    case 'jsonl':
      return openLineSource(location, s3, opts.format, opts);
    case 'parquet':
      return openParquetSource(location, s3, opts);
    case 'json':
      return openJsonArraySource(location, s3, opts);
  }
}

async function openLineSource(location: DataLocation, s3: S3Client | undefined, format: 'csv' | 'jsonl', opts: OpenOptions): Promise<OpenedSource> {
  const start = opts.resumeFrom ?? opts.range?.start ?? 0;
  const end = opts.range?.end ?? (await sizeOf(location, s3));
  const bytes = await byteSource(location, s3, { start, end });
  // A CSV whose delimiter is not given is cut header first: the data is cut with the delimiter the header names,
  // as a resumed run (which is given it) cuts it. Until then, a quote opens a field after any likely delimiter.
  const scanner = new RecordScanner(format, opts.delimiter);
  const headerFirst = format === 'csv' && !opts.header && !opts.delimiter;
  const iterator = recordChunks(bytes, { format, scanner, headerFirst, startOffset: start, stripBom: start === 0, targetBytes: opts.chunkBytes, maxRecordBytes: opts.maxRecordBytes })[Symbol.asyncIterator]();
  const close = async (): Promise<void> => {
    await iterator.return?.(undefined);
  };
  let first: RecordChunk | undefined;
  let header = opts.header;
  let delimiter = opts.delimiter ?? ',';
  try {
    first = (await iterator.next()).value as RecordChunk | undefined;
    if (!header) {
      if (!first || first.bytes.length === 0) throw new PrepInputError(`${location.uri} is empty: expected a ${format === 'csv' ? 'header line' : 'JSON object per line'}`);
      const headerEnd = firstRecordEnd(first.bytes, format, opts.delimiter);
      const headerText = new TextDecoder().decode(first.bytes.subarray(0, headerEnd)).replace(/\r?\n$/, '');
      if (NOT_TEXT.test(headerText)) throw new PrepInputError(`${location.uri} looks binary, not ${format === 'csv' ? 'CSV' : 'JSON Lines'}: its first line holds control bytes or bytes that are not UTF-8`);
      if (format === 'csv') {
        const parsed = Papa.parse<string[]>(headerText, { delimiter: opts.delimiter ?? '', header: false });
        const names = parsed.data[0] ?? [];
        delimiter = opts.delimiter ?? parsed.meta.delimiter;
        scanner.useDelimiter(delimiter);
        // Named by position: a file without a header line has a data row here.
        const second = names.findIndex((name, i) => names.indexOf(name) !== i);
        if (second >= 0) throw new PrepInputError(`columns ${names.indexOf(names[second]!) + 1} and ${second + 1} of the header of ${location.uri} have the same name`);
        header = names;
        first = { bytes: first.bytes.subarray(headerEnd), offset: first.offset + headerEnd };
      } else {
        try {
          header = jsonFieldNames(JSON.parse(headerText));
        } catch (error) {
          throw new PrepInputError(`the first line of ${location.uri} is not a JSON object (${error instanceof SyntaxError ? 'invalid JSON' : (error as Error).message})`);
        }
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  async function* chunks(): AsyncGenerator<SourceChunk> {
    try {
      let chunk = first;
      while (chunk) {
        if (chunk.bytes.length > 0) yield { format, bytes: chunk.bytes, end: chunk.offset + chunk.bytes.length };
        chunk = (await iterator.next()).value as RecordChunk | undefined;
      }
    } finally {
      await close();
    }
  }
  return { header, delimiter, positionUnit: 'byte', chunks: chunks(), close };
}

/** Parquet is read a slice of rows at a time through random access (ranged GETs on S3), never whole. */
async function openParquetSource(location: DataLocation, s3: S3Client | undefined, opts: OpenOptions): Promise<OpenedSource> {
  // Loaded for a Parquet input only, as JSONParser for a JSON array: a CSV run never needs them.
  const { parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const file = await randomAccess(location, s3);
  const metadata = await parquetMetadataAsync(file);
  const header = parquetSchema(metadata).children.map((child) => child.element.name);
  const total = Number(metadata.num_rows);
  const step = opts.rowsPerChunk ?? 50_000;
  async function* chunks(): AsyncGenerator<SourceChunk> {
    for (let rowStart = opts.resumeFrom ?? 0; rowStart < total; rowStart += step) {
      const rowEnd = Math.min(total, rowStart + step);
      let rows: unknown[][] = [];
      await parquetRead({ file, metadata, rowStart, rowEnd, rowFormat: 'array', onComplete: (read: unknown[][]) => (rows = read) });
      yield { format: 'records', records: rows.map((row) => ({ fields: row.map(cell) })), end: rowEnd };
    }
  }
  return { header, delimiter: ',', positionUnit: 'record', chunks: chunks(), close: () => Promise.resolve() };
}

/** A JSON array of objects, parsed as it streams; each element is one record. */
async function openJsonArraySource(location: DataLocation, s3: S3Client | undefined, opts: OpenOptions): Promise<OpenedSource> {
  const { JSONParser } = await import('@streamparser/json');
  const bytes = await readBytes(location, s3);
  const perChunk = opts.rowsPerChunk ?? 20_000;
  const skip = opts.resumeFrom ?? 0;
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let pending: unknown[] = [];
  let elements = 0;
  let notAnArray = false;
  // `$.*` also matches the members of a top-level object: only array elements (numeric keys) are records.
  parser.onValue = ({ value, key }) => {
    if (typeof key !== 'number') notAnArray = true;
    else {
      pending.push(value);
      elements++;
    }
  };
  const input = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const notJsonArray = (why: string) => new PrepInputError(`${location.uri} is not a JSON array of objects (${why})`);
  const readMore = async (): Promise<boolean> => {
    const next = await input.next();
    if (next.done) {
      // The parser ends itself after the array's closing bracket; data that stops before it was cut short.
      if (!parser.isEnded && elements > 0) throw notJsonArray('it ends before the closing bracket');
      return false;
    }
    try {
      parser.write(next.value);
    } catch {
      throw notJsonArray('invalid JSON');
    }
    if (notAnArray) throw notJsonArray('the top level is not an array');
    return true;
  };
  const close = async (): Promise<void> => {
    await input.return?.(undefined);
  };
  let header: string[];
  try {
    while (pending.length === 0 && (await readMore()));
    if (pending.length === 0) throw new PrepInputError(`${location.uri} holds no records: expected a JSON array of objects`);
    try {
      header = opts.header ?? jsonFieldNames(pending[0]);
    } catch (error) {
      throw notJsonArray((error as Error).message);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const index = new Map(header.map((name, i) => [name, i]));
  async function* chunks(): AsyncGenerator<SourceChunk> {
    try {
      let seen = 0;
      let more = true;
      while (more || pending.length > 0) {
        while (more && pending.length < perChunk) more = await readMore();
        const batch = pending.slice(0, perChunk);
        pending = pending.slice(perChunk);
        const start = seen;
        seen += batch.length;
        if (seen <= skip) continue;
        const records = batch.slice(Math.max(0, skip - start)).map((record) => jsonRecordToRow(record, header, index));
        yield { format: 'records', records, end: seen };
      }
    } finally {
      await close();
    }
  }
  return { header, delimiter: ',', positionUnit: 'record', chunks: chunks(), close };
}
