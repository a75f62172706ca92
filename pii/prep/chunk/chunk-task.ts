import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { IdentifierType, OutputLayout, PrepRules } from '../../../schemas/preparation/prep';
import { hashesValues } from '../../rules/profiles';
import { decodeUtf8, parseCsvRecords, parseJsonLines, type ParsedRecord } from '../read/parse-records';
import type { PrepCounts } from '../run/prep-counts';
import { RowPreparer, type RejectedRow } from '../rows/row-preparer';
import { keptColumns } from '../rows/check-rules';
import { columnsToCheck, csvField, NEEDS_QUOTES, quoteFields } from '../write/csv-field';
import { runCsvBytes } from './csv-bytes';

/** One unit of work: whole records, as bytes of a line format or as records already read (JSON array, Parquet). */
export type ChunkTask = {
  header: string[];
  rules: PrepRules;
  output: 'csv' | 'parquet';
  /** Unset: rows. `per-type`: each mapped value on a line of its type's output (`byType`), empty values left out. */
  layout?: OutputLayout;
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
  /** Layout per-type: per identifier type, its values, one a line (CSV fields), UTF-8. */
  byType?: Partial<Record<IdentifierType, Uint8Array>>;
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
  const buffers = [result.csv?.buffer, result.input, ...Object.values(result.byType ?? {}).map((bytes) => bytes.buffer)].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffer.byteLength > 0);
  if (buffers.length === 0) return result;
  Object.defineProperty(result, transferableSymbol, { value: [...new Set(buffers)] });
  Object.defineProperty(result, valueSymbol, { value: result });
  move(result as never);
  return result;
}

/** One CSV line of the row's kept columns (all, unless given), byte for byte what Papa.unparse writes for them. */
function csvLine(row: string[], check: number[], kept: number[] | undefined): string {
  const quoted = quoteFields(row, check, NEEDS_QUOTES);
  return (kept ? kept.map((k) => quoted[k]!) : quoted).join(',');
}

/** Collects a per-type chunk's values: the mapped columns' indexes and types, and each type's lines. */
function typeLines(task: ChunkTask) {
  const quote = !hashesValues(task.rules);
  const columns = Object.entries(task.rules.columns).map(([name, type]) => ({ index: task.header.indexOf(name), type }));
  const lines: Partial<Record<IdentifierType, string[]>> = {};
  return {
    add(row: string[]) {
      for (const { index, type } of columns) {
        const value = row[index]!;
        if (value !== '') (lines[type] ??= []).push(quote ? csvField(value) : value);
      }
    },
    bytes: () => Object.fromEntries(Object.entries(lines).map(([type, values]) => [type, encoder.encode(`${values.join('\n')}\n`)])) as ChunkResult['byType'],
  };
}

function prepareChunk(task: ChunkTask): ChunkResult {
  const perType = task.layout === 'per-type';
  // The byte path copies whole rows: it serves the rows layout with every column kept.
  if (task.format === 'csv' && task.output === 'csv' && !perType && task.rules.keepUnmapped !== false) {
    const result = runCsvBytes(task);
    if (result) return result;
  }
  const preparer = new RowPreparer(task.header, task.rules);
  const records = readRecords(task);
  const toCsv = task.output === 'csv' && !perType;
  const check = toCsv ? columnsToCheck(task.header, task.rules) : [];
  const kept = task.rules.keepUnmapped === false ? keptColumns(task.rules, task.header) : undefined;
  const byType = perType ? typeLines(task) : undefined;
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
    if (byType) byType.add(prepared);
    else if (toCsv) lines.push(csvLine(prepared, check, kept));
    else rows.push(kept ? kept.map((k) => prepared[k]!) : prepared);
  }
  const result: ChunkResult = { records: records.length, rejects, counts: preparer.counts };
  if (byType) result.byType = byType.bytes();
  else if (!toCsv) result.rows = rows;
  else result.csv = encodeInto(lines.length > 0 ? `${lines.join('\n')}\n` : '', task.outputBuffer);
  return result;
}
