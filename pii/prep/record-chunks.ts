import { PrepInputError } from './row-preparer';

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

export type LineFormat = 'csv' | 'jsonl';

/**
 * Finds record boundaries in a byte stream: a newline ends a record unless it is inside a quoted CSV
 * field. Quotes toggle the state and an escaped quote ("") toggles it twice, so counting them is exact
 * for well-formed CSV. JSON Lines cannot hold a raw newline inside a value, so every newline ends one.
 */
export class RecordBoundaryScanner {
  private inQuotes = false;

  constructor(private readonly format: LineFormat) {}

  /** Index just past the last record boundary in bytes[from..], or -1; the quote state carries over to the next call. */
  scan(bytes: Uint8Array, from = 0): number {
    if (this.format === 'jsonl') {
      const last = bytes.lastIndexOf(NEWLINE);
      return last >= from ? last + 1 : -1;
    }
    const state = scanQuoted(bytes, from, this.inQuotes);
    this.inQuotes = state.inQuotes;
    return state.last;
  }
}

/** A tight loop on purpose: it runs over every input byte on the thread that feeds the workers. */
function scanQuoted(bytes: Uint8Array, from: number, startInQuotes: boolean): { last: number; inQuotes: boolean } {
  let last = -1;
  let inQuotes = startInQuotes;
  const length = bytes.length;
  for (let i = from; i < length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) inQuotes = !inQuotes;
    else if (byte === NEWLINE && !inQuotes) last = i + 1;
  }
  return { last, inQuotes };
}

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
 * Cuts a byte stream into chunks of whole records of about `targetBytes`, so each chunk can be parsed
 * on its own (in another thread, or resumed after a crash). Memory holds one chunk plus one record.
 */
export async function* recordChunks(source: AsyncIterable<Uint8Array>, opts: ChunkOptions): AsyncGenerator<RecordChunk> {
  const target = opts.targetBytes ?? 1024 * 1024;
  const maxRecord = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const scanner = new RecordBoundaryScanner(opts.format);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of `pending` already scanned, and the end of the last boundary found in them. */
  let scanned = 0;
  let boundary = -1;
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
    const found = scanner.scan(bytes);
    if (found >= 0) boundary = scanned + found;
    pending.push(bytes);
    pendingBytes += bytes.length;
    scanned = pendingBytes;
    if (pendingBytes - Math.max(boundary, 0) > maxRecord) {
      throw new PrepInputError(`a record longer than ${Math.round(maxRecord / 1048576)} MiB starts at byte ${offset + Math.max(boundary, 0)}: not ${opts.format.toUpperCase()} records of the expected shape (an unclosed quote, or a file without line breaks?)`);
    }
    if (boundary >= target || (boundary > 0 && pendingBytes >= target * 2)) {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      yield { bytes: all.subarray(0, boundary), offset };
      offset += boundary;
      const rest = all.subarray(boundary);
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
      scanned = pendingBytes;
      boundary = -1;
    }
  }
  if (pendingBytes > 0) yield { bytes: pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes), offset };
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
