import { PrepInputError } from './row-preparer';

const QUOTE = 0x22;
const NEWLINE = 0x0a;
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
  const quotesMatter = opts.format === 'csv';
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` scanned so far, the quote state there, and the last boundary seen. */
  let scanned = 0;
  let inQuotes = false;
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
      const scan = scanFrom(pending, scanned, inQuotes, quotesMatter, cutFrom);
      scanned = pending.length;
      inQuotes = scan.inQuotes;
      if (scan.last > 0) lastBoundary = scan.last;
      if (scan.cut < 0) break;
      yield { bytes: pending.subarray(0, scan.cut), offset };
      offset += scan.cut;
      pending = Buffer.from(pending.subarray(scan.cut));
      scanned = 0;
      inQuotes = false;
      lastBoundary = 0;
    }
    if (pending.length - lastBoundary > maxRecord) {
      throw new PrepInputError(`a record longer than ${Math.round(maxRecord / 1048576)} MiB starts at byte ${offset + lastBoundary}: not ${opts.format.toUpperCase()} records of the expected shape (an unclosed quote, or a file without line breaks?)`);
    }
  }
  if (pending.length > 0) yield { bytes: pending, offset };
}

/**
 * Scans bytes[from..] carrying the quote state: the first record boundary at or past `cutFrom` (-1 if
 * none yet), and the last boundary seen. A tight loop on purpose: it runs over every input byte on the
 * thread that feeds the workers.
 */
function scanFrom(bytes: Uint8Array, from: number, startInQuotes: boolean, quotesMatter: boolean, cutFrom: number): { cut: number; last: number; inQuotes: boolean } {
  let inQuotes = startInQuotes;
  let last = -1;
  const length = bytes.length;
  for (let i = from; i < length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE && quotesMatter) inQuotes = !inQuotes;
    else if (byte === NEWLINE && !inQuotes) {
      last = i + 1;
      if (last >= cutFrom) return { cut: last, last, inQuotes: false };
    }
  }
  return { cut: -1, last, inQuotes };
}

/** End of the first record (just past its newline), or the whole length when there is only one. */
export function firstRecordEnd(bytes: Uint8Array, format: LineFormat): number {
  let inQuotes = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE && format === 'csv') inQuotes = !inQuotes;
    else if (byte === NEWLINE && !inQuotes) return i + 1;
  }
  return bytes.length;
}
