import { RecordScanner } from './record-scanner';
import { PrepInputError } from './row-preparer';

const BOM = [0xef, 0xbb, 0xbf];

export type LineFormat = 'csv' | 'jsonl';

export interface RecordChunk {
  bytes: Buffer;
  /** Offset of the chunk's first byte in the stream (after any BOM). */
  offset: number;
}

export interface ChunkOptions {
  format: LineFormat;
  /** Chunks are cut at the first record boundary past this size. */
  targetBytes?: number;
  /** A record longer than this is an error, so one bad line cannot exhaust memory. */
  maxRecordBytes?: number;
  /** Where the stream starts in its object; offsets reported are absolute. */
  startOffset?: number;
  /** Strip a UTF-8 byte-order mark at the start. */
  stripBom?: boolean;
  /** The CSV delimiter, when known: a quote opens a quoted field only after one. */
  delimiter?: string;
}

export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Cuts a byte stream into chunks of whole records, so each chunk can be parsed on its own (in another
 * thread, or resumed after a crash). A chunk ends at the first record boundary at or past the next
 * multiple of `targetBytes` in the object, so where chunks (and the parts made of them) end depends on
 * the data alone, not on how reads happened to arrive: a run resumed at a chunk start cuts exactly as
 * an uninterrupted run. Memory holds one chunk plus one record.
 */
export async function* recordChunks(source: AsyncIterable<Uint8Array>, opts: ChunkOptions): AsyncGenerator<RecordChunk> {
  const target = opts.targetBytes ?? 1024 * 1024;
  const maxRecord = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const scanner = new RecordScanner(opts.format, opts.delimiter);
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` scanned so far, and the last record end seen. */
  let scanned = 0;
  let lastBoundary = 0;
  let offset = opts.startOffset ?? 0;
  let first = opts.stripBom ?? true;

  for await (const piece of source) {
    let bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (first) {
      first = false;
      if (BOM.every((b, i) => bytes[i] === b)) {
        bytes = bytes.subarray(3);
        offset += 3;
      }
    }
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    for (;;) {
      const cutFrom = Math.floor(offset / target) * target + target - offset;
      const scan = scanner.scan(pending, scanned, cutFrom);
      scanned = pending.length;
      if (scan.last > 0) lastBoundary = scan.last;
      if (scan.stop < 0) break;
      yield { bytes: pending.subarray(0, scan.stop), offset };
      offset += scan.stop;
      pending = Buffer.from(pending.subarray(scan.stop));
      scanned = 0;
      lastBoundary = 0;
    }
    if (pending.length - lastBoundary > maxRecord) {
      throw new PrepInputError(`a record longer than ${Math.round(maxRecord / 1048576)} MiB starts at byte ${offset + lastBoundary}: not ${opts.format.toUpperCase()} records of the expected shape (an unclosed quote, or a file without line breaks?)`);
    }
  }
  if (pending.length > 0) yield { bytes: pending, offset };
}

/** End of the first record (just past its newline), or the whole length when there is only one. */
export function firstRecordEnd(bytes: Uint8Array, format: LineFormat, delimiter?: string): number {
  const { stop } = new RecordScanner(format, delimiter).scan(bytes, 0, 1);
  return stop < 0 ? bytes.length : stop;
}
