import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { PrepRules } from '../../schemas/prep';
import { decodeUtf8, parseCsvRecords, parseJsonLines, withoutFinalNewline, type ParsedRecord } from './parse-records';
import type { PrepCounts } from './prep-counts';
import { hashesValues } from './profile-rules';
import { RowPreparer, type RejectedRow } from './row-preparer';
import { BYTES_NEED_QUOTES, NEEDS_QUOTES, QUOTES } from './csv-field';
import { fromBytes, toBytes } from './byte-text';

/** One unit of work: whole records, as bytes of a line format or as records already read (JSON array, Parquet). */
export type ChunkTask = {
  header: string[];
  rules: PrepRules;
  output: 'csv' | 'parquet';
  /** Where to write the CSV output, when the caller has a buffer to reuse (it grows if too small). */
  outputBuffer?: ArrayBuffer;
} & ({ format: 'csv'; bytes: Uint8Array; delimiter: string } | { format: 'jsonl'; bytes: Uint8Array } | { format: 'records'; records: ParsedRecord[] });

export interface ChunkResult {
  /** Records read, blank lines included, so the next chunk's row numbers follow on. */
  records: number;
  /** UTF-8 CSV lines (no header) when the output is CSV: a view on a buffer of its own. */
  csv?: Uint8Array;
  /** The buffer the chunk's bytes came in, given back for the next chunk. */
  input?: ArrayBuffer;
  /** Prepared rows when the output is Parquet. */
  rows?: string[][];
  /** Row numbers relative to the chunk (1 = its first record). */
  rejects: RejectedRow[];
  counts: PrepCounts;
}

function readRecords(task: ChunkTask): ParsedRecord[] {
  if (task.format === 'records') return task.records;
  const { text, bytes } = decodeUtf8(task.bytes);
  return task.format === 'csv' ? parseCsvRecords(text, task.delimiter, bytes) : parseJsonLines(text, task.header, bytes);
}

const encoder = new TextEncoder();

/** The text as UTF-8, in `buffer` when it fits (3 bytes per UTF-16 unit at most). */
function encodeInto(text: string, buffer: ArrayBuffer | undefined): Uint8Array {
  if (!buffer || buffer.byteLength < 3 * text.length) return encoder.encode(text);
  const view = new Uint8Array(buffer);
  return view.subarray(0, encoder.encodeInto(text, view).written);
}

/**
 * Columns whose prepared values may need quoting: all of them, except mapped columns of a profile that
 * hashes (their values are then hex or Base64 hashes, or empty).
 */
function columnsToCheck(header: string[], rules: PrepRules): number[] {
  const hashed = hashesValues(rules.profile) ? new Set(Object.keys(rules.columns)) : new Set<string>();
  return header.flatMap((name, i) => (hashed.has(name) ? [] : [i]));
}

/** The row's values as Papa.unparse writes them (its `safe` rules), in place, without its per-field scans. */
function quoteFields(row: string[], check: number[], needsQuotes: RegExp): string[] {
  for (let c = 0; c < check.length; c++) {
    const i = check[c]!;
    const value = row[i];
    if (value !== undefined && needsQuotes.test(value)) row[i] = `"${value.replace(QUOTES, '""')}"`;
  }
  return row;
}

/** One CSV line, byte for byte what Papa.unparse writes for the row. */
const csvLine = (row: string[], check: number[], needsQuotes: RegExp): string => quoteFields(row, check, needsQuotes).join(',');

/** Reads, prepares and serialises one chunk. Pure: runs the same in a worker thread or inline. */
export function runChunkTask(task: ChunkTask): ChunkResult {
  const result = prepareChunk(task);
  if (task.format !== 'records' && task.bytes.byteOffset === 0) result.input = task.bytes.buffer as ArrayBuffer;
  return movable(result);
}

/**
 * From a worker thread, the output and the chunk's buffer are moved to the main thread rather than copied
 * (Piscina's transferable protocol; inline, the marks are inert). Both are buffers of their own (the
 * output's is the task's `outputBuffer` or one made for it; the input's, one the executor sent).
 */
function movable(result: ChunkResult): ChunkResult {
  const buffers = [result.csv?.buffer, result.input].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffer.byteLength > 0);
  if (buffers.length === 0) return result;
  Object.defineProperty(result, transferableSymbol, { value: [...new Set(buffers)] });
  Object.defineProperty(result, valueSymbol, { value: result });
  move(result as never);
  return result;
}

function prepareChunk(task: ChunkTask): ChunkResult {
  if (task.format === 'csv' && task.output === 'csv') {
    const result = runCsvBytes(task);
    if (result) return result;
  }
  const preparer = new RowPreparer(task.header, task.rules);
  const records = readRecords(task);
  const toCsv = task.output === 'csv';
  const check = toCsv ? columnsToCheck(task.header, task.rules) : [];
  const rows: string[][] = [];
  const lines: string[] = [];
  const rejects: RejectedRow[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record === 'blank') {
      preparer.counts.blankLines++;
      continue;
    }
    if (record.problem !== undefined) {
      preparer.rejectUnreadable(record, i + 1, rejects);
      continue;
    }
    const prepared = preparer.prepare(record.fields, i + 1, rejects);
    if (!prepared) continue;
    if (toCsv) lines.push(csvLine(prepared, check, NEEDS_QUOTES));
    else rows.push(prepared);
  }
  const result: ChunkResult = { records: records.length, rejects, counts: preparer.counts };
  if (!toCsv) result.rows = rows;
  else result.csv = encodeInto(lines.length > 0 ? `${lines.join('\n')}\n` : '', task.outputBuffer);
  return result;
}

const ASCII = /^[\x00-\x7F]+$/;

const GUESS_CHARS = 1024 * 1024;

/**
 * The line ending papaparse guesses for the decoded text of `body` (ParserHandle.guessLineEndings: it looks
 * at the first 1 Mi chars, quoted text removed). Without a CR that is LF, found without splitting the text.
 */
function newlineOf(body: string): '\n' | '\r\n' | '\r' {
  if (!body.includes('\r')) return '\n';
  // Where CRs and LFs come first, and how many CRs an LF follows, is the same in bytes as in text; only the
  // 1 Mi cut differs, so a longer chunk's guess looks at its decoded start (3 bytes at most per UTF-16 unit).
  let input = body.length <= GUESS_CHARS ? body : Buffer.from(body.slice(0, 3 * GUESS_CHARS), 'latin1').toString('utf8').substring(0, GUESS_CHARS);
  input = input.replace(/"([^]*?)"/gm, '');
  const r = input.split('\r');
  const n = input.split('\n');
  if (r.length === 1 || (n.length > 1 && n[0]!.length < r[0]!.length)) return '\n';
  let withN = 0;
  for (const part of r) if (part[0] === '\n') withN++;
  return withN >= r.length / 2 ? '\r\n' : '\r';
}

/**
 * CSV to CSV on valid UTF-8, the common case, without decoding and re-encoding every byte as UTF-8:
 * the chunk is read one char per byte (latin1), which papaparse splits exactly as it splits the decoded
 * text, since the delimiter, quote and newlines are ASCII and no byte of a multi-byte UTF-8 character
 * is. Only mapped values are decoded (and only those holding non-ASCII bytes) before their rules run;
 * other values go to the output as the bytes they came as, and the output is written one byte per char.
 * Strings of one-byte chars are also V8's compact representation, cheaper to lowercase, hash and match.
 *
 * Returns undefined (the caller takes the decoding path) wherever the two could differ: invalid UTF-8, a
 * leading byte-order mark, a non-ASCII delimiter, or any parse error. The fields are split by `splitCsv`
 * (papaparse's loop at about half its cost per row); a chunk it hands back is split by papaparse itself.
 */
function runCsvBytes(task: ChunkTask & { format: 'csv' }): ChunkResult | undefined {
  const { bytes, delimiter } = task;
  if (!ASCII.test(delimiter) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || !isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const body = withoutFinalNewline(text);
  if (body === '') return undefined;
  const newline = newlineOf(body);
  if (newline !== '\r' && delimiter.length === 1 && delimiter !== '"') {
    const rows = new ByteRows(task);
    if (splitCsv(body, delimiter, newline, rows)) return rows.result();
  }
  const rows = new ByteRows(task);
  let malformed = false;
  // Row by row (papaparse's step), so each row is garbage as soon as it is written rather than kept for the whole chunk.
  Papa.parse<string[]>(body, {
    delimiter,
    header: false,
    skipEmptyLines: false,
    dynamicTyping: false,
    newline,
    step(results, parser) {
      if (results.errors.length > 0) {
        malformed = true;
        parser.abort();
        return;
      }
      rows.add(results.data, false, false);
    },
  });
  if (malformed) return undefined;
  return rows.result();
}

/** Where `splitCsv` gives each record it reads. */
export interface RecordSink {
  /**
   * `fields` is the splitter's own array, filled again with the next record: only a copy of it may be kept.
   * `plain`: see `ByteRows.add`. `ascii`: the record's text holds no byte above 0x7F.
   */
  add(fields: string[], plain: boolean, ascii: boolean): void;
}

/** The rows of one chunk held as bytes (one char per byte): prepared, written, rejected and counted. */
class ByteRows implements RecordSink {
  private readonly preparer: RowPreparer;
  private readonly width: number;
  private readonly mappedAt: number[];
  /** Mapped columns whose rules take text: their values are decoded first. */
  private readonly decodedAt: number[];
  /** The other columns, whose values stay bytes until they are written (or rejected). */
  private readonly bytesAt: number[];
  private readonly hashes: boolean;
  private readonly check: number[];
  /** Per column: whether it is mapped. */
  private readonly isMapped: boolean[];
  private readonly out: OutputBuffer;
  private readonly rejects: RejectedRow[] = [];
  private records = 0;

  constructor({ header, rules, outputBuffer, ...task }: ChunkTask & { format: 'csv' }) {
    this.out = new OutputBuffer(outputBuffer, 2 * task.bytes.byteLength);
    this.preparer = new RowPreparer(header, rules, 'bytes');
    this.width = header.length;
    const mapped = new Set(Object.keys(rules.columns).map((name) => header.indexOf(name)));
    this.mappedAt = [...mapped];
    this.decodedAt = this.preparer.textIndexes;
    this.bytesAt = header.flatMap((_name, i) => (this.decodedAt.includes(i) ? [] : [i]));
    this.hashes = hashesValues(rules.profile);
    this.check = columnsToCheck(header, rules);
    this.isMapped = header.map((_name, i) => mapped.has(i));
  }

  /**
   * One record's fields, as read. `plain`: the record's text holds no quote, CR or byte 0xEF (the first of
   * U+FEFF's) and the delimiter is ',' (see `splitCsv`), so its values, as read, hold no char that makes a
   * CSV field need quotes but a leading or trailing space. The array is used up by the time this
   * returns (`splitCsv` fills it again with the next record): a reject keeps a copy of its values.
   * `ascii`: the record holds no byte above 0x7F, so its values as bytes are their text already.
   */
  add(fields: string[], plain: boolean, ascii: boolean): void {
    const { preparer, mappedAt, decodedAt, rejects } = this;
    const rowNumber = ++this.records;
    if (fields.length === 1 && (ascii ? fields[0]! : fromBytes(fields[0]!)).trim() === '') {
      preparer.counts.blankLines++;
      return;
    }
    const whole = fields.length === this.width;
    if (whole && !ascii) for (let d = 0; d < decodedAt.length; d++) fields[decodedAt[d]!] = fromBytes(fields[decodedAt[d]!]!);
    const rejected = rejects.length;
    const prepared = preparer.prepare(fields, rowNumber, rejects);
    // A reject holds the row as read, as text: the values decoded above are text already (when the row was whole).
    for (let r = rejected; r < rejects.length; r++) {
      const values = rejects[r]!.values.slice();
      for (const at of whole ? this.bytesAt : values.keys()) values[at] = fromBytes(values[at]!);
      rejects[r]!.values = values;
    }
    if (!prepared) return;
    if (!this.hashes) for (let m = 0; m < mappedAt.length; m++) prepared[mappedAt[m]!] = toBytes(prepared[mappedAt[m]!]!);
    this.out.writeRow(plain ? this.quotePlain(prepared) : quoteFields(prepared, this.check, BYTES_NEED_QUOTES));
  }

  /** `quoteFields` of a plain record's prepared row: its unmapped values need quotes only for a space at either end. */
  private quotePlain(row: string[]): string[] {
    const { check, isMapped } = this;
    for (let c = 0; c < check.length; c++) {
      const i = check[c]!;
      const value = row[i]!;
      if (isMapped[i]) {
        if (BYTES_NEED_QUOTES.test(value)) row[i] = `"${value.replace(QUOTES, '""')}"`;
      } else if (value.charCodeAt(0) === SPACE || value.charCodeAt(value.length - 1) === SPACE) {
        row[i] = `"${value}"`;
      }
    }
    return row;
  }

  result(): ChunkResult {
    return { records: this.records, csv: this.out.bytes(), rejects: this.rejects, counts: this.preparer.counts };
  }
}

const QUOTE = 0x22;
const SPACE = 0x20;
const ESCAPED_QUOTES = /""/g;
/**
 * The chars that keep a record from being plain (see `ByteRows.add`): a quote, a CR, the first byte of U+FEFF,
 * and, where the newline is CRLF, an LF (a value then holds an LF not after a CR). A ',' delimiter ends
 * every unquoted value, and an LF newline every record, so neither is in a value of a plain record.
 */
const NOT_PLAIN = ['"', '\r', '\u00EF'];
/** A byte above 0x7F, as a char of a chunk read one char per byte. */
const NOT_ASCII = /[\x80-\xff]/g;
const NOT_PLAIN_CRLF = [...NOT_PLAIN, '\n'];

/** The first `fields` values of the reused record array, as the record. */
function recordOf(row: string[], fields: number): string[] {
  if (row.length !== fields) row.length = fields;
  return row;
}

/**
 * Whether the record being read (from `rowStart`) is plain and ASCII up to a position: where each char that
 * keeps a record from being plain, and the next byte above 0x7F, are next found at or after its start, each
 * searched again only once passed (every search is a native scan, so each runs once over the chunk). A class
 * rather than closures of `splitCsv`: new closures for each chunk made its optimised code deoptimise.
 */
class RecordFlags {
  rowStart = 0;
  private readonly inputLength: number;
  private readonly mayBePlain: boolean;
  private readonly notPlain: string[];
  private readonly notPlainAt: number[];
  private notAsciiAt = -1;

  constructor(
    private readonly input: string,
    delim: string,
    newline: string,
  ) {
    this.inputLength = input.length;
    this.mayBePlain = delim === ',';
    this.notPlain = newline === '\n' ? NOT_PLAIN : NOT_PLAIN_CRLF;
    this.notPlainAt = this.notPlain.map(() => -1);
  }

  plainUntil(end: number): boolean {
    if (!this.mayBePlain) return false;
    const { notPlain, notPlainAt, rowStart } = this;
    for (let c = 0; c < notPlain.length; c++) {
      let at = notPlainAt[c]!;
      if (at < rowStart) {
        at = this.input.indexOf(notPlain[c]!, rowStart);
        notPlainAt[c] = at = at < 0 ? this.inputLength : at;
      }
      if (at < end) return false;
    }
    return true;
  }

  asciiUntil(end: number): boolean {
    if (this.notAsciiAt < this.rowStart) {
      NOT_ASCII.lastIndex = this.rowStart;
      this.notAsciiAt = NOT_ASCII.test(this.input) ? NOT_ASCII.lastIndex - 1 : this.inputLength;
    }
    return this.notAsciiAt >= end;
  }
}

/**
 * Splits `input` into records of fields exactly as papaparse's Parser does with the same options (quote and
 * escape '"', a one-char delimiter, no comments): its parse loop, without its error recovery. Each record
 * goes to `rows` as it is read. Returns false, part-way through, where papaparse would report an error (an
 * unclosed quote, text after a closing quote) or let spaces stand between a closing quote and a delimiter:
 * the caller then reads the chunk again with papaparse itself. papaparse's quote-free fast mode (splitting
 * on the newline, then on the delimiter) gives the same records as its loop, so it is not repeated here.
 */
export function splitCsv(input: string, delim: string, newline: string, rows: RecordSink): boolean {
  const inputLength = input.length;
  const newlineLength = newline.length;
  let cursor = 0;
  // One array for every record: `rows.add` keeps no reference to it (a reject holds a copy of its values).
  const row: string[] = [];
  let fields = 0;
  let nextDelim = input.indexOf(delim, cursor);
  let nextNewline = input.indexOf(newline, cursor);
  const flags = new RecordFlags(input, delim, newline);
  for (;;) {
    if (input.charCodeAt(cursor) === QUOTE) {
      // A quoted field: its closing quote is the first quote not followed by another ("" is an escaped quote).
      let quoteSearch = cursor;
      cursor++;
      let escaped = false;
      for (;;) {
        quoteSearch = input.indexOf('"', quoteSearch + 1);
        if (quoteSearch === -1) return false;
        if (quoteSearch === inputLength - 1) {
          const value = input.substring(cursor, quoteSearch);
          row[fields++] = escaped ? value.replace(ESCAPED_QUOTES, '"') : value;
          rows.add(recordOf(row, fields), false, flags.asciiUntil(inputLength));
          return true;
        }
        if (input.charCodeAt(quoteSearch + 1) === QUOTE) {
          quoteSearch++;
          escaped = true;
          continue;
        }
        break;
      }
      const after = quoteSearch + 1;
      if (nextDelim !== -1 && nextDelim < after) nextDelim = input.indexOf(delim, after);
      if (nextNewline !== -1 && nextNewline < after) nextNewline = input.indexOf(newline, after);
      const value = input.substring(cursor, quoteSearch);
      if (nextDelim === after) {
        row[fields++] = escaped ? value.replace(ESCAPED_QUOTES, '"') : value;
        cursor = after + 1;
        nextDelim = input.indexOf(delim, cursor);
        if (nextNewline !== -1 && nextNewline < cursor) nextNewline = input.indexOf(newline, cursor);
        continue;
      }
      if (nextNewline === after) {
        row[fields++] = escaped ? value.replace(ESCAPED_QUOTES, '"') : value;
        rows.add(recordOf(row, fields), false, flags.asciiUntil(after));
        fields = 0;
        cursor = after + newlineLength;
        flags.rowStart = cursor;
        nextNewline = input.indexOf(newline, cursor);
        if (nextDelim !== -1 && nextDelim < cursor) nextDelim = input.indexOf(delim, cursor);
        continue;
      }
      return false;
    }
    if (nextDelim !== -1 && (nextDelim < nextNewline || nextNewline === -1)) {
      row[fields++] = input.substring(cursor, nextDelim);
      cursor = nextDelim + 1;
      nextDelim = input.indexOf(delim, cursor);
      continue;
    }
    if (nextNewline !== -1) {
      row[fields++] = input.substring(cursor, nextNewline);
      rows.add(recordOf(row, fields), flags.plainUntil(nextNewline), flags.asciiUntil(nextNewline));
      fields = 0;
      cursor = nextNewline + newlineLength;
      flags.rowStart = cursor;
      nextNewline = input.indexOf(newline, cursor);
      continue;
    }
    break;
  }
  row[fields++] = input.substring(cursor);
  rows.add(recordOf(row, fields), flags.plainUntil(inputLength), flags.asciiUntil(inputLength));
  return true;
}

/** Lines held before they are written: a few hundred lines' worth of chars. */
const BATCH_CHARS = 16 * 1024;

/**
 * Lines written one byte per char, a batch at a time: no array of a chunk's lines, no joined copy of them.
 * A batch is one string built by concatenation (V8 links the pieces and copies them once, when the batch is
 * written), which costs less than joining an array of the values and separators. The bytes go into
 * the buffer given (the executor's, reused chunk after chunk), or one made for them, grown as needed.
 */
class OutputBuffer {
  private scratch: Buffer;
  private length = 0;
  private batch = '';

  /** `expected`: the bytes to make room for when no buffer is given. */
  constructor(buffer: ArrayBuffer | undefined, expected: number) {
    this.scratch = buffer ? Buffer.from(buffer) : Buffer.allocUnsafeSlow(Math.max(expected, 64 * 1024));
  }

  /** One line: the row's values (quoted where they must be) joined by ',', then '\n'. */
  writeRow(row: string[]): void {
    let line = row[0]!;
    for (let i = 1; i < row.length; i++) line = line + ',' + row[i]!;
    const batch = this.batch + line + '\n';
    if (batch.length >= BATCH_CHARS) {
      this.write(batch);
      this.batch = '';
    } else {
      this.batch = batch;
    }
  }

  private flush(): void {
    if (this.batch === '') return;
    this.write(this.batch);
    this.batch = '';
  }

  private write(text: string): void {
    if (this.length + text.length > this.scratch.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.length + text.length, this.scratch.length * 2));
      this.scratch.copy(grown, 0, 0, this.length);
      this.scratch = grown;
    }
    this.length += this.scratch.write(text, this.length, 'latin1');
  }

  /** The bytes written: a view on the buffer, which holds nothing else (moved to the main thread, see `movable`). */
  bytes(): Uint8Array {
    this.flush();
    return this.scratch.subarray(0, this.length);
  }
}
