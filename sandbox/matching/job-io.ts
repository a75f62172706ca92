import { GetTableCommand } from '@aws-sdk/client-glue';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { stringify } from 'csv-stringify/sync';
import { listObjects } from '../../storage/s3-objects';
import { formatS3Uri, joinUnder, requireS3Uri } from '../../storage/s3-uri';
import { parseGlueTableArn } from '../services/glue-table-arn';
import type { EmulatorClients } from '../emulators/emulator-clients';

/** Reads the CSV or Parquet records of a Glue table (its StorageDescriptor.Location in S3), as a matching job does. */
export async function readGlueTableRecords(clients: EmulatorClients, tableArn: string): Promise<Record<string, string>[]> {
  const name = parseGlueTableArn(tableArn);
  if (!name) throw new Error(`Not a Glue table ARN: ${tableArn}`);
  const table = await clients.glue.send(new GetTableCommand({ DatabaseName: name.database, Name: name.table }));
  const location = table.Table?.StorageDescriptor?.Location;
  if (!location) throw new Error(`Glue table ${name.database}.${name.table} has no S3 location`);
  // As Hive's CSV SerDe reads a table: fields by position under the table's (lowercase) column names, the header line skipped.
  const columns = (table.Table?.StorageDescriptor?.Columns ?? []).map((c) => c.Name ?? '');
  const { bucket } = requireS3Uri(location);
  const records: Record<string, string>[] = [];
  for (const object of await listObjects(clients.s3, location)) {
    const format = /\.(csv|parquet)$/i.exec(object.key)?.[1]?.toLowerCase();
    if (!format) continue;
    const body = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
    const bytes = await body.Body!.transformToByteArray();
    records.push(...(format === 'csv' ? parseCsv(bytes, columns) : await parseParquet(bytes)));
  }
  return records;
}

export function parseCsv(bytes: Uint8Array, columns: string[]): Record<string, string>[] {
  if (columns.length === 0) return parse<Record<string, string>>(Buffer.from(bytes), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true });
  const rows: string[][] = parse(Buffer.from(bytes), { bom: true, skip_empty_lines: true, relax_column_count: true, from_line: 2 });
  return rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i] ?? ''])));
}

/** Parquet rows with every value as text, as matching compares them. */
export async function parseParquet(bytes: Uint8Array): Promise<Record<string, string>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v === null || v === undefined ? '' : String(v as string | number)])));
}

/** Writes rows as one CSV object under `<outputS3Path>/<workflow>/<jobId>/<kind>/`, as Entity Resolution lays out its output. */
export async function writeJobOutput(
  clients: EmulatorClients,
  outputS3Path: string,
  workflowName: string,
  jobId: string,
  kind: 'success' | 'error',
  rows: Record<string, string>[],
): Promise<string | undefined> {
  if (rows.length === 0) return undefined;
  const { bucket, key: prefix } = requireS3Uri(outputS3Path);
  const key = joinUnder(prefix, workflowName, jobId, kind, 'part-00000.csv');
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stringify(rows, { header: true }), ContentType: 'text/csv' }));
  return formatS3Uri(bucket, key);
}
