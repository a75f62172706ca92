import Papa from 'papaparse';
import type { PrepRules } from '../../schemas/prep';
import { decodeUtf8, parseCsvRecords, parseJsonLines, type ParsedRecord } from './parse-records';
import type { PrepCounts } from './prep-counts';
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

/** Reads, prepares and serialises one chunk. Pure: runs the same in a worker thread or inline. */
export function runChunkTask(task: ChunkTask): ChunkResult {
  const preparer = new RowPreparer(task.header, task.rules);
  const records = readRecords(task);
  const out: string[][] = [];
  const rejects: RejectedRow[] = [];
  records.forEach((record, i) => {
    if (record === 'blank') {
      preparer.counts.blankLines++;
      return;
    }
    if (record.problem !== undefined) {
      preparer.rejectUnreadable(record.fields, i + 1, record.problem, rejects);
      return;
    }
    const prepared = preparer.prepare(record.fields, i + 1, rejects);
    if (prepared) out.push(prepared);
  });
  const result: ChunkResult = { records: records.length, rejects, counts: preparer.counts };
  if (task.output === 'parquet') result.rows = out;
  else result.csv = encoder.encode(out.length > 0 ? Papa.unparse(out, { newline: '\n', header: false }) + '\n' : '');
  return result;
}
