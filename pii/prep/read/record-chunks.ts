import { RecordScanner } from './record-scanner';
import { PrepInputError } from './input-errors';

const BOM = [0xef, 0xbb, 0xbf];

export type LineFormat = 'csv' | 'jsonl';

export interface RecordChunk {
  /** A view on the cutter's own buffer: it holds until the next chunk is asked for, so a consumer copies what it keeps. */
  bytes: Buffer;
  /** Offset of the chunk's first byte in the stream (after any BOM). */
  offset: number;
}

/** Reads up to `length` bytes into `into` at `at`; resolves to how many, 0 at the end. */
export interface ByteReader {
  readInto(into: Uint8Array, at: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Bytes to cut into chunks: pieces as they arrive (an S3 body), or reads straight into the cutter's buffer (a local file). */
export type ByteSource = AsyncIterable<Uint8Array> | ByteReader;

export interface ChunkOptions {
  format: LineFormat;
  /** Chunks are cut at the first record boundary past this size. */
  targetBytes?: number;
  /**
   * A record longer than this is an error, so one bad line cannot exhaust memory. Checked after each read (a
   * read is at most the chunk size and 64 KiB): a longer record that ends within one read is cut as usual.
   */
  maxRecordBytes?: number;
  /** Where the stream starts in its object; offsets reported are absolute. */
  startOffset?: number;
  /** Strip a UTF-8 byte-order mark at the start. */
  stripBom?: boolean;
  /**
   * The first chunk is the first record alone (a header), so that the caller can read the delimiter off it and
   * give it to `scanner` before the rest is cut.
   */
  headerFirst?: boolean;
  /** Finds the record ends; its delimiter decides where a quote opens a field (default: one for `format`, any likely delimiter). */
  scanner?: RecordScanner;
}

/**
 * 256 KiB keeps a chunk's text a string on V8's heap: from about 1 MB Node makes it an external string,
 * whose bytes count as external memory and make V8 start full GCs early (docs/benchmarks.md).
 */
const DEFAULT_CHUNK_BYTES = 256 * 1024;
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** Read past a chunk's cut point, so that its last record usually ends within the read. */
const READ_PAST_CUT = 64 * 1024;

/**
 * Cuts a byte stream into chunks of whole records, so each chunk can be parsed on its own (in another
 * thread, or resumed after a crash). A chunk ends at the first record boundary at or past the next
 * multiple of `targetBytes` in the object, so where chunks (and the parts made of them) end depends on
 * the data alone, not on how reads happened to arrive: a run resumed at a chunk start cuts exactly as
 * an uninterrupted run. Memory holds one chunk plus one record, in one buffer reused chunk after chunk
 * (no buffer per read or per chunk, which the main thread's GC would have to collect).
 */
export async function* recordChunks(source: ByteSource, opts: ChunkOptions): AsyncGenerator<RecordChunk> {
  try {
    const cutter = new ChunkCutter(opts);
    if (Symbol.asyncIterator in source) {
      for await (const piece of source) yield* cutter.add(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    } else {
      for (;;) {
        const room = cutter.room();
        const read = await source.readInto(room.buffer, room.at, room.length);
        if (read === 0) break;
        yield* cutter.added(read);
      }
    }
    yield* cutter.rest();
  } finally {
    if (!(Symbol.asyncIterator in source)) await source.close();
  }
}

/** The state of `recordChunks`: the bytes after the last cut, `[0, held)` of `buffer`, scanned up to `scanned`. */
class ChunkCutter {
  private readonly target: number;
  private readonly maxRecord: number;
  private readonly format: LineFormat;
  private readonly scanner: RecordScanner;
  private buffer: Buffer;
  private held = 0;
  private scanned = 0;
  /** The last record end seen since the last cut. */
  private lastBoundary = 0;
  private offset: number;
  private bomUnchecked: boolean;
  /** The next cut is at the first record end (`headerFirst`). */
  private headerPending: boolean;

  constructor(opts: ChunkOptions) {
    this.target = opts.targetBytes ?? DEFAULT_CHUNK_BYTES;
    this.maxRecord = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.format = opts.format;
    this.scanner = opts.scanner ?? new RecordScanner(opts.format);
    this.buffer = Buffer.allocUnsafeSlow(this.target + 2 * READ_PAST_CUT);
    this.offset = opts.startOffset ?? 0;
    this.bomUnchecked = opts.stripBom ?? true;
    this.headerPending = opts.headerFirst ?? false;
  }

  /** Where the next read goes: up to a little past the next cut point, in a buffer grown when a record fills it. */
  room(): { buffer: Buffer; at: number; length: number } {
    if (this.held === this.buffer.length) this.grow(this.held + 1);
    const wanted = Math.max(this.cutFrom() - this.held, 0) + READ_PAST_CUT;
    return { buffer: this.buffer, at: this.held, length: Math.min(wanted, this.buffer.length - this.held) };
  }

  /** `read` bytes were written at `room().at`: yields each chunk they complete. */
  *added(read: number): Generator<RecordChunk> {
    this.held += read;
    if (this.bomUnchecked) this.dropBom();
    // Nothing is scanned before it is known whether the stream starts with a byte-order mark.
    if (!this.bomUnchecked) yield* this.cut();
  }

  /** A piece of the stream, copied in: yields each chunk it completes. */
  *add(piece: Buffer): Generator<RecordChunk> {
    let rest = piece;
    while (rest.length > 0) {
      if (this.held === this.buffer.length) this.grow(this.held + rest.length);
      const taken = Math.min(rest.length, this.buffer.length - this.held);
      rest.copy(this.buffer, this.held, 0, taken);
      rest = rest.subarray(taken);
      yield* this.added(taken);
    }
  }

  /** The bytes after the last cut, once the stream has ended. */
  *rest(): Generator<RecordChunk> {
    if (this.held > 0) yield { bytes: this.buffer.subarray(0, this.held), offset: this.offset };
  }

  /** Bytes from the last cut to the next multiple of the target in the object (to the first record end, for a header). */
  private cutFrom(): number {
    if (this.headerPending) return 1;
    return Math.floor(this.offset / this.target) * this.target + this.target - this.offset;
  }

  private *cut(): Generator<RecordChunk> {
    for (;;) {
      const scan = this.scanner.scan(this.buffer.subarray(0, this.held), this.scanned, this.cutFrom());
      this.scanned = this.held;
      if (scan.last > 0) this.lastBoundary = scan.last;
      if (scan.stop < 0) break;
      this.headerPending = false;
      // Paused here, the caller reads the chunk (and, after a header, may set the scanner's delimiter): the bytes
      // after it are scanned only once it asks for the next.
      yield { bytes: this.buffer.subarray(0, scan.stop), offset: this.offset };
      // The consumer has its copy by now: the bytes after the chunk move to the front.
      this.buffer.copyWithin(0, scan.stop, this.held);
      this.held -= scan.stop;
      this.offset += scan.stop;
      this.scanned = 0;
      this.lastBoundary = 0;
    }
    if (this.held - this.lastBoundary > this.maxRecord) {
      throw new PrepInputError(`a record longer than ${Math.round(this.maxRecord / 1048576)} MiB starts at byte ${this.offset + this.lastBoundary}: not ${this.format.toUpperCase()} records of the expected shape (an unclosed quote, or a file without line breaks?)`);
    }
  }

  /** A byte-order mark at the very start is dropped, once the first bytes are in. */
  private dropBom(): void {
    if (this.held < BOM.length) return;
    this.bomUnchecked = false;
    if (!BOM.every((b, i) => this.buffer[i] === b)) return;
    this.buffer.copyWithin(0, BOM.length, this.held);
    this.held -= BOM.length;
    this.offset += BOM.length;
  }

  private grow(atLeast: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(atLeast, 2 * this.buffer.length));
    this.buffer.copy(grown, 0, 0, this.held);
    this.buffer = grown;
  }
}

/** End of the first record (just past its newline), or the whole length when there is only one. */
export function firstRecordEnd(bytes: Uint8Array, format: LineFormat, delimiter?: string): number {
  const { stop } = new RecordScanner(format, delimiter).scan(bytes, 0, 1);
  return stop < 0 ? bytes.length : stop;
}
