import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { hashesValues } from '../../rules/profiles';
import { splitCsv, type RecordSink } from '../read/split-csv';
import { withoutFinalNewline } from '../read/parse-records';
import { RowPreparer, type RejectedRow } from '../rows/row-preparer';
import { BYTES_NEED_QUOTES, columnsToCheck, QUOTES, quoteFields } from '../write/csv-field';
import { OutputBuffer } from '../write/output-buffer';
import { fromBytes, toBytes } from './byte-text';
import type { ChunkResult, ChunkTask } from './chunk-task';

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
export function runCsvBytes(task: ChunkTask & { format: 'csv' }): ChunkResult | undefined {
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

const SPACE = 0x20;

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
    this.hashes = hashesValues(rules);
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
