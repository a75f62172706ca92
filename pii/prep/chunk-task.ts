import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { PrepRules } from '../../schemas/prep';
import { decodeUtf8, parseCsvRecords, parseJsonLines, withoutFinalNewline, type ParsedRecord } from './parse-records';
import type { PrepCounts } from './prep-counts';
import { hashesValues } from './profile-rules';
import { RowPreparer, type RejectedRow } from './row-preparer';

/** One unit of work: whole records, as bytes of a line format or as records already read (JSON array, Parquet). */
export type ChunkTask = {
  header: string[];
  rules: PrepRules;
  output: 'csv' | 'parquet';
} & ({ format: 'csv'; bytes: Uint8Array; delimiter: string } | { format: 'jsonl'; bytes: Uint8Array } | { format: 'records'; records: ParsedRecord[] });

export interface ChunkResult {
  /** Records read, blank lines included, so the next chunk's row numbers follow on. */
  records: number;
  /** UTF-8 CSV lines (no header) when the output is CSV. */
  csv?: Uint8Array;
  /** Prepared rows when the output is Parquet. */
  rows?: string[][];
  /** Row numbers relative to the chunk (1 = its first record). */
  rejects: RejectedRow[];
  counts: PrepCounts;
}

function readRecords(task: ChunkTask): ParsedRecord[] {
  if (task.format === 'records') return task.records;
  const { text, invalid } = decodeUtf8(task.bytes);
  return task.format === 'csv' ? parseCsvRecords(text, task.delimiter, invalid) : parseJsonLines(text, task.header, invalid);
}

const encoder = new TextEncoder();

/**
 * When papaparse's unparse (quotes: false) quotes a field: it holds the delimiter (always ',' here), a quote,
 * CR, LF or a byte-order mark, or it starts or ends with a space. BYTES_NEED_QUOTES is the same test on a
 * field held as bytes (see `runCsvBytes`), where U+FEFF is its three UTF-8 bytes.
 */
const NEEDS_QUOTES = /[",\r\n\uFEFF]|^ | $/;
const BYTES_NEED_QUOTES = /[",\r\n]|\u00EF\u00BB\u00BF|^ | $/;
const QUOTES = /"/g;

/** A value as Papa.unparse writes it in CSV with ',' (quoted when it must be). */
export const csvField = (value: string): string => (NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTES, '""')}"` : value);

/**
 * Columns whose prepared values may need quoting: all of them, except mapped columns of a profile that
 * hashes (their values are then hex or Base64 hashes, or empty).
 */
function columnsToCheck(header: string[], rules: PrepRules): number[] {
  const hashed = hashesValues(rules.profile) ? new Set(Object.keys(rules.columns)) : new Set<string>();
  return header.flatMap((name, i) => (hashed.has(name) ? [] : [i]));
}

/** One CSV line, byte for byte what Papa.unparse writes for the row (its `safe` rules), without its per-field scans. */
function csvLine(row: string[], check: number[], needsQuotes: RegExp): string {
  for (let c = 0; c < check.length; c++) {
    const i = check[c]!;
    const value = row[i];
    if (value !== undefined && needsQuotes.test(value)) row[i] = `"${value.replace(QUOTES, '""')}"`;
  }
  return row.join(',');
}

/** Reads, prepares and serialises one chunk. Pure: runs the same in a worker thread or inline. */
export function runChunkTask(task: ChunkTask): ChunkResult {
  return movable(prepareChunk(task));
}

/**
 * From a worker thread, the CSV bytes are moved to the main thread rather than copied (Piscina's
 * transferable protocol; inline, the marks are inert). Only a buffer of their own: moving detaches it.
 */
function movable(result: ChunkResult): ChunkResult {
  const csv = result.csv;
  if (!csv || csv.byteLength === 0 || csv.byteOffset !== 0 || csv.byteLength !== csv.buffer.byteLength) return result;
  Object.defineProperty(result, transferableSymbol, { value: [csv.buffer] });
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
      preparer.rejectUnreadable(record.fields, i + 1, record.problem, rejects);
      continue;
    }
    const prepared = preparer.prepare(record.fields, i + 1, rejects);
    if (!prepared) continue;
    if (toCsv) lines.push(csvLine(prepared, check, NEEDS_QUOTES));
    else rows.push(prepared);
  }
  const result: ChunkResult = { records: records.length, rejects, counts: preparer.counts };
  if (!toCsv) result.rows = rows;
  else result.csv = encoder.encode(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return result;
}

const NON_ASCII = /[^\x00-\x7F]/;
const ASCII = /^[\x00-\x7F]+$/;
/** A field held as bytes (one char per byte, see `runCsvBytes`) as text. */
const fromBytes = (value: string) => (NON_ASCII.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value);
/** Text as a field held as bytes. */
const toBytes = (value: string) => (NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value);

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
 * leading byte-order mark, a non-ASCII delimiter, or any parse error.
 */
function runCsvBytes(task: ChunkTask & { format: 'csv' }): ChunkResult | undefined {
  const { bytes, delimiter } = task;
  if (!ASCII.test(delimiter) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || !isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const body = withoutFinalNewline(text);
  if (body === '') return undefined;

  const { header, rules } = task;
  const preparer = new RowPreparer(header, rules);
  const width = header.length;
  const mapped = new Set(Object.keys(rules.columns).map((name) => header.indexOf(name)));
  const mappedAt = [...mapped];
  const unmappedAt = header.flatMap((_name, i) => (mapped.has(i) ? [] : [i]));
  const hashes = hashesValues(rules.profile);
  const check = columnsToCheck(header, rules);
  const out = new OutputBuffer();
  const rejects: RejectedRow[] = [];
  let records = 0;
  let malformed = false;
  // Row by row (papaparse's step), so each row is garbage as soon as it is written rather than kept for the whole chunk.
  Papa.parse<string[]>(body, {
    delimiter,
    header: false,
    skipEmptyLines: false,
    dynamicTyping: false,
    newline: newlineOf(body),
    step(results, parser) {
      if (results.errors.length > 0) {
        malformed = true;
        parser.abort();
        return;
      }
      const fields = results.data;
      const rowNumber = ++records;
      if (fields.length === 1 && fromBytes(fields[0]!).trim() === '') {
        preparer.counts.blankLines++;
        return;
      }
      const whole = fields.length === width;
      if (whole) for (let m = 0; m < mappedAt.length; m++) fields[mappedAt[m]!] = fromBytes(fields[mappedAt[m]!]!);
      const rejected = rejects.length;
      const prepared = preparer.prepare(fields, rowNumber, rejects);
      // A reject holds the row as read, as text: its mapped values are text already (when the row was whole).
      for (let r = rejected; r < rejects.length; r++) {
        const values = rejects[r]!.values.slice();
        for (const at of whole ? unmappedAt : values.keys()) values[at] = fromBytes(values[at]!);
        rejects[r]!.values = values;
      }
      if (!prepared) return;
      if (!hashes) for (let m = 0; m < mappedAt.length; m++) prepared[mappedAt[m]!] = toBytes(prepared[mappedAt[m]!]!);
      out.writeLine(csvLine(prepared, check, BYTES_NEED_QUOTES));
    },
  });
  if (malformed) return undefined;
  return { records, csv: out.bytes(), rejects, counts: preparer.counts };
}

/** Where a thread's output is assembled; it outlives the chunk, so a chunk's only new buffer is its result. */
let scratch = Buffer.allocUnsafeSlow(4 << 20);
const SCRATCH_KEPT = 16 << 20;
const LINES_PER_WRITE = 256;

/** Lines written one byte per char, a batch at a time: no array of a chunk's lines, no joined copy of them. */
class OutputBuffer {
  private length = 0;
  private readonly batch: string[] = [];

  writeLine(line: string): void {
    if (this.batch.push(line) === LINES_PER_WRITE) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const text = `${this.batch.join('\n')}\n`;
    this.batch.length = 0;
    if (this.length + text.length > scratch.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.length + text.length, scratch.length * 2));
      scratch.copy(grown, 0, 0, this.length);
      scratch = grown;
    }
    this.length += scratch.write(text, this.length, 'latin1');
  }

  /** The bytes written, in a buffer of their own (a task's result is copied to the main thread whole). */
  bytes(): Uint8Array {
    this.flush();
    const bytes = new Uint8Array(scratch.subarray(0, this.length));
    if (scratch.length > SCRATCH_KEPT) scratch = Buffer.allocUnsafeSlow(4 << 20);
    return bytes;
  }
}
