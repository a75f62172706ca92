import type { ChunkResult } from '../chunk/chunk-task';
import { csvField } from './csv-field';
import type { ObjectWriter, WrittenObject } from '../../../storage/data-location';
import type { RejectedRow } from '../rows/row-preparer';

/** Where prepared rows go. */
export interface RowSink {
  write(result: ChunkResult): Promise<void>;
  /** Rows of strings, one cell per header column. */
  writeRows(rows: string[][]): Promise<void>;
  finish(): Promise<WrittenObject>;
}

/** Papa.unparse(rows, { newline: '\n' }) of rows of strings, plus a final newline, without papaparse's per-field scans. */
export function csvLines(rows: (string | undefined)[][]): string {
  let text = '';
  for (const row of rows) text += `${row.map((value) => csvField(value ?? '')).join(',')}\n`;
  return text;
}

/** CSV rows into `target`, after the header line (none when `header` is undefined). */
export async function csvSink(target: ObjectWriter, header: string[] | undefined): Promise<RowSink> {
  if (header) await target.write(csvLines([header]));
  return {
    write: (result) => target.write(result.csv ?? ''),
    writeRows: (rows) => target.write(csvLines(rows)),
    finish: () => target.finish(),
  };
}

const ROW_GROUP_ROWS = 100_000;

/**
 * Parquet with every column a UTF-8 string (the input's values are text; hashes are text), written one
 * row group at a time through a ByteWriter that is drained into the object, so memory holds one group.
 */
export async function parquetSink(target: ObjectWriter, header: string[]): Promise<RowSink> {
  // Loaded for a Parquet output only: a CSV run never needs it.
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  const byteWriter = new ByteWriter();
  const drain = async () => {
    // Written (or copied) by the time it resolves, so the ByteWriter's buffer can take the next group.
    await target.write(byteWriter.getBytes());
    // Only the buffer index restarts: `offset` is the file position the metadata's offsets are taken from.
    byteWriter.index = 0;
  };
  const schema = [
    { name: 'root', num_children: header.length },
    ...header.map((name) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const })),
  ];
  const writer = new ParquetWriter({ writer: byteWriter, schema, createdBy: 'identity-workflows' });
  let columns: string[][] = header.map(() => []);
  let buffered = 0;
  const flushGroup = async () => {
    if (buffered === 0) return;
    await writer.write({ columnData: header.map((name, i) => ({ name, data: columns[i]!, type: 'STRING' as const })), rowGroupSize: buffered });
    columns = header.map(() => []);
    buffered = 0;
    await drain();
  };
  const writeRows = async (rows: string[][]) => {
    for (const row of rows) {
      for (let i = 0; i < header.length; i++) columns[i]!.push(row[i]!);
      if (++buffered >= ROW_GROUP_ROWS) await flushGroup();
    }
  };
  return {
    write: (result) => writeRows(result.rows ?? []),
    writeRows,
    async finish() {
      await flushGroup();
      await writer.finish();
      await drain();
      return target.finish();
    },
  };
}

/** The rejects object: row number, columns, reasons, then the row as read, for the owner to fix. */
export async function rejectsSink(target: ObjectWriter, header: string[]) {
  await target.write(csvLines([['row_number', 'rejected_columns', 'reasons', ...header]]));
  return {
    async write(rejects: RejectedRow[], rowOffset: number) {
      if (rejects.length === 0) return;
      const lines = rejects.map((r) => [String(r.row + rowOffset), r.columns.join(';'), r.reasons.join('; '), ...r.values]);
      if (!rejects.some((r) => r.bytes)) return target.write(csvLines(lines));
      // A row that is not UTF-8 is written with the bytes it was read with.
      await target.write(Buffer.concat(lines.map((line, i) => Buffer.from(csvLines([line]), rejects[i]!.bytes ? 'latin1' : 'utf8'))));
    },
    finish: () => target.finish(),
  };
}
