import { RecordScanner } from './record-scanner';
import { PrepInputError } from './input-errors';

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

const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

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
  // The bytes after the last cut: whole pieces already scanned, then the piece being scanned. They are
  // joined once, when a chunk is cut (or not at all when it lies in one piece), not each time a piece arrives.
  let pieces: Buffer[] = [];
  let piecesLength = 0;
  /** The last record end seen, from the last cut. */
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
    let scanned = 0;
    for (;;) {
      const cutFrom = Math.floor(offset / target) * target + target - offset;
      const scan = scanner.scan(bytes, scanned, cutFrom - piecesLength);
      scanned = bytes.length;
      if (scan.last > 0) lastBoundary = piecesLength + scan.last;
      if (scan.stop < 0) break;
      const head = bytes.subarray(0, scan.stop);
      yield { bytes: piecesLength === 0 ? head : Buffer.concat([...pieces, head], piecesLength + scan.stop), offset };
      offset += piecesLength + scan.stop;
      pieces = [];
      piecesLength = 0;
      bytes = bytes.subarray(scan.stop);
      scanned = 0;
      lastBoundary = 0;
    }
    if (bytes.length > 0) {
      pieces.push(bytes);
      piecesLength += bytes.length;
    }
    if (piecesLength - lastBoundary > maxRecord) {
      throw new PrepInputError(`a record longer than ${Math.round(maxRecord / 1048576)} MiB starts at byte ${offset + lastBoundary}: not ${opts.format.toUpperCase()} records of the expected shape (an unclosed quote, or a file without line breaks?)`);
    }
  }
  if (piecesLength > 0) yield { bytes: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, piecesLength), offset };
}

/** End of the first record (just past its newline), or the whole length when there is only one. */
export function firstRecordEnd(bytes: Uint8Array, format: LineFormat, delimiter?: string): number {
  const { stop } = new RecordScanner(format, delimiter).scan(bytes, 0, 1);
  return stop < 0 ? bytes.length : stop;
}
