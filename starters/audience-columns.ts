import type { S3Client } from '@aws-sdk/client-s3';
import { decodeUtf8, parseCsvRecords, parseJsonLines } from '../pii/prep/read/parse-records';
import { openSource } from '../pii/prep/read/record-sources';
import { formatFromName, type DataFormat } from '../schemas/preparation/prep';
import { parseLocation } from '../storage/data-location';
import { checkAudienceColumns, describeColumnMismatch, guessColumnType, type ColumnDefinition } from '../schemas/audience-upload/audience-columns';

export interface ColumnGuess {
  name: string;
  guess: ReturnType<typeof guessColumnType>;
  /** Non-empty values among the records read. */
  filled: number;
}

/** The header and a guess per column from the first `records` records. The values read stay in this function. */
export async function guessAudienceColumns(uri: string, s3: S3Client | undefined, opts: { format?: DataFormat; records: number }): Promise<{ header: string[]; read: number; columns: ColumnGuess[] }> {
  const format = opts.format ?? formatFromName(uri);
  if (!format) throw new Error(`--format: cannot tell the format of ${uri} from its name; give csv, jsonl, json or parquet`);
  const source = await openSource(parseLocation(uri), s3, { format });
  const rows: string[][] = [];
  try {
    for await (const chunk of source.chunks) {
      const text = chunk.format === 'records' ? '' : decodeUtf8(chunk.bytes).text;
      const records = chunk.format === 'records' ? chunk.records : chunk.format === 'csv' ? parseCsvRecords(text, source.delimiter, false) : parseJsonLines(text, source.header, false);
      for (const record of records) if (record !== 'blank' && !record.problem) rows.push(record.fields);
      if (rows.length >= opts.records) break;
    }
  } finally {
    await source.close();
  }
  const sample = rows.slice(0, opts.records);
  const columns = source.header.map((name, i) => {
    const values = sample.map((row) => row[i] ?? '');
    return { name, guess: guessColumnType(values), filled: values.filter((v) => v.trim() !== '').length };
  });
  return { header: source.header, read: sample.length, columns };
}

/** Lines for the terminal: names, guesses and counts, then a ready-to-paste `columns` block. Never a value. */
export function renderColumnGuesses(result: { read: number; columns: ColumnGuess[] }, defined?: ColumnDefinition[]): string[] {
  const width = Math.max(6, ...result.columns.map((c) => c.name.length));
  const lines = [`${result.read} records read; a guess per column (check each one):`, ''];
  for (const c of result.columns) lines.push(`  ${c.name.padEnd(width)}  ${NOTE[c.guess] ?? c.guess}  (${c.filled} of ${result.read} filled)`);
  const block = result.columns.map((c): ColumnDefinition => (c.guess === 'NON_PII' || c.guess === 'HASHED' ? { name: c.name, kind: 'NON_PII' } : { name: c.name, kind: 'PII', type: c.guess }));
  lines.push('', '"columns": ' + JSON.stringify(block, null, 2).replace(/\n/g, '\n'));
  if (defined) {
    const mismatch = describeColumnMismatch(checkAudienceColumns(defined, result.columns.map((c) => c.name)));
    lines.push('', mismatch ? `The config's columns do not match: ${mismatch}` : "The config's columns match the header.");
  }
  return lines;
}

const NOTE: Partial<Record<ColumnGuess['guess'], string>> = {
  HASHED: 'already hashed (64 hex digits): set kind PII with the type it was hashed from',
  IDFA_SHA256: 'IDFA_SHA256 (a device id: confirm IDFA or GAID)',
  GAID_SHA256: 'GAID_SHA256 (a device id: confirm IDFA or GAID)',
};
