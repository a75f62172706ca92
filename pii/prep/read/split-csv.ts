/** Where `splitCsv` gives each record it reads. */
export interface RecordSink {
  /**
   * `fields` is the splitter's own array, filled again with the next record: only a copy of it may be kept.
   * `plain`: see `ByteRows.add`. `ascii`: the record's text holds no byte above 0x7F.
   */
  add(fields: string[], plain: boolean, ascii: boolean): void;
}

const QUOTE = 0x22;
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
