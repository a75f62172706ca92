import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { RecordScanner } from './record-scanner';

/**
 * A record as read: its fields, or why it could not be read (a static reason, never the data). `bytes`: the
 * fields are the bytes as read, one char per byte (latin1), because they are not UTF-8.
 */
export type ParsedRecord = { fields: string[]; problem?: undefined } | { fields: string[]; problem: string; bytes?: true } | 'blank';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a chunk. One holding invalid UTF-8 is read one char per byte instead (`bytes`), which splits into
 * records and fields as the UTF-8 text would (delimiters, quotes and line ends are ASCII): each record is then
 * decoded on its own, and one that is not UTF-8 keeps its bytes for the rejects.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; bytes: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), bytes: false };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), bytes: true };
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A field read one char per byte, as UTF-8 text; undefined when its bytes are not UTF-8. */
function fromLatin1(field: string): string | undefined {
  if (!NON_ASCII.test(field)) return field;
  const bytes = Buffer.from(field, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

export function withoutFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

const isBlank = (fields: string[]) => fields.length === 1 && fields[0]!.trim() === '';

/** CSV records of a chunk of whole records (RFC 4180: quoted fields, "" escapes, embedded newlines, CRLF). */
export function parseCsvRecords(text: string, delimiter: string, asBytes: boolean): ParsedRecord[] {
  const body = withoutFinalNewline(text);
  if (body === '') return text === '' ? [] : ['blank'];
  const parsed = parseCsv(body, delimiter);
  // On a malformed record, papaparse's recovery runs on into the records after it (an unterminated quote takes
  // the rest of the chunk, `"a"x` the next line): the chunk is read again one record at a time, cut where the
  // chunker cuts, so a malformed record takes only itself and the result does not depend on where chunks end.
  if (parsed.errors.length > 0) return csvRecordTexts(body, delimiter).flatMap((record) => (record.trim() === '' ? ['blank' as const] : toRecords(parseCsv(record, delimiter), asBytes)));
  return toRecords(parsed, asBytes);
}

function parseCsv(text: string, delimiter: string): Papa.ParseResult<string[]> {
  return Papa.parse<string[]>(text, { delimiter, header: false, skipEmptyLines: false, dynamicTyping: false });
}

function toRecords(parsed: Papa.ParseResult<string[]>, asBytes: boolean): ParsedRecord[] {
  const problems = new Map<number, string>();
  for (const error of parsed.errors) if (error.row !== undefined && !problems.has(error.row)) problems.set(error.row, `malformed CSV: ${error.message}`);
  return parsed.data.map((read, i) => {
    if (isBlank(read)) return 'blank';
    let fields = read;
    if (asBytes) {
      const decoded = read.map(fromLatin1);
      if (decoded.includes(undefined)) return { fields: read, problem: problems.get(i) ?? 'invalid UTF-8', bytes: true };
      fields = decoded as string[];
    }
    const problem = problems.get(i);
    return problem ? { fields, problem } : { fields };
  });
}

/** The records of a chunk as the chunker delimits them (the same RecordScanner), without their line ends. */
function csvRecordTexts(body: string, delimiter: string): string[] {
  const bytes = new TextEncoder().encode(body);
  const scanner = new RecordScanner('csv', delimiter);
  const decoder = new TextDecoder();
  const records: string[] = [];
  let start = 0;
  for (;;) {
    const { stop } = scanner.scan(bytes, start, start + 1);
    const end = stop < 0 ? bytes.length : stop;
    records.push(decoder.decode(bytes.subarray(start, end)).replace(/\r?\n$/, ''));
    if (stop < 0) return records;
    start = stop;
  }
}

/** Field names of a JSON Lines or JSON array source: the keys of its first record. */
export function jsonFieldNames(record: unknown): string[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('the first record is not a JSON object');
  return Object.keys(record);
}

/** A value read from JSON or Parquet as the text a CSV cell would hold. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A JSON object as a row in `header` order; a key outside the header makes it a problem rather than losing the value. */
export function jsonRecordToRow(record: unknown, header: string[], index: Map<string, number>): ParsedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return { fields: [cell(record)], problem: 'not a JSON object' };
  const fields = new Array<string>(header.length).fill('');
  for (const [key, value] of Object.entries(record)) {
    const at = index.get(key);
    if (at === undefined) return { fields: header.map((name) => cell((record as Record<string, unknown>)[name])), problem: 'a field the first record does not have' };
    fields[at] = cell(value);
  }
  return { fields };
}

export function parseJsonLines(text: string, header: string[], asBytes: boolean): ParsedRecord[] {
  const index = new Map(header.map((name, i) => [name, i]));
  const lines = withoutFinalNewline(text).split('\n');
  if (lines.length === 1 && lines[0] === '' && text === '') return [];
  return lines.map((read) => {
    if (read.trim() === '') return 'blank';
    const line = asBytes ? fromLatin1(read) : read;
    if (line === undefined) return { fields: [read], problem: 'invalid UTF-8', bytes: true };
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return { fields: [line], problem: 'invalid JSON' };
    }
    return jsonRecordToRow(record, header, index);
  });
}
