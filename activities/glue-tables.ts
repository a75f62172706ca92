import { ApplicationFailure } from '@temporalio/common';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetTableCommand,
  UpdateTableCommand,
  type Column,
  type GlueClient,
  type TableInput,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { parseLocation, randomAccess } from '../storage/data-location';
import { objectPagesUnder } from '../storage/s3-objects';
import { asPrefix, formatS3Uri, requireS3Uri } from '../storage/s3-uri';
import { manifestUriOf, readPublishedManifest } from '../pii/prep/run/published-output';
import { openSource } from '../pii/prep/read/record-sources';
import { PrepInputError } from '../pii/prep/read/input-errors';
import { INPUT_TABLE_INVALID } from '../schemas/failures';
import { glueTableArn } from '../schemas/arn';
import type { EnsuredResource } from '../schemas/ensured-resource';
import type { PreparationSource } from '../schemas/uid2-matching/uid2-matching-resources';
import { ensureResource, glueErrors, unlessMissing } from './support/existing-or-created';

export interface GlueTableDeps {
  glue: GlueClient;
  s3: S3Client;
}

/** A table over data this project writes: its S3 location (a prefix), format and header. */
export interface GlueTableSpec {
  database: string;
  table: string;
  location: string;
  format: 'csv' | 'parquet';
  /** The header as written, in order: every column is a string. */
  columns: string[];
  /** The account owning the catalog (the worker role's account). */
  account: string;
}

const HEADER_BYTES = 1024 * 1024;
/** What a preparation run writes before it publishes: `run-<id>/data/…` and `run-<id>/rejects/…`. */
const UNPUBLISHED_RUN = /^run-[^/]+\/(data|rejects)\//;

const invalidTable = (message: string) => ApplicationFailure.create({ type: INPUT_TABLE_INVALID, message, nonRetryable: true });


/** Hive types for Parquet columns, from the physical and logical types hyparquet reads off the footer. */
function hiveType(element: { type?: string; converted_type?: string; logical_type?: { type: string } }): string {
  if (element.logical_type?.type === 'STRING' || element.converted_type === 'UTF8') return 'string';
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
      return 'int';
    case 'INT64':
      return 'bigint';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    default:
      return 'string';
  }
}

function tableInput(name: string, location: string, format: 'csv' | 'parquet', columns: Column[], delimiter: string): TableInput {
  const storage =
    format === 'csv'
      ? {
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde', Parameters: { separatorChar: delimiter } },
        }
      : {
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        };
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: format === 'csv' ? { classification: 'csv', 'skip.header.line.count': '1' } : { classification: 'parquet' },
    StorageDescriptor: { Location: location, Columns: columns, ...storage },
  };
}

const tableShape = (t: Pick<TableInput, 'StorageDescriptor' | 'Parameters'> | undefined) => ({
  location: t?.StorageDescriptor?.Location ?? '',
  classification: t?.Parameters?.classification ?? '',
  serde: t?.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? '',
  columns: (t?.StorageDescriptor?.Columns ?? []).map((c) => `${c.Name}:${c.Type}`).join(','),
});

export function createGlueTableActivities({ glue, s3 }: GlueTableDeps) {
  /**
   * The data a table over the prefix should read: for a prefix prepareIdentityData published, its manifest's
   * parts (the table's location is the published run's `data/`); otherwise every CSV or Parquet object under it.
   * Either way, the first object, whose header (or footer schema) gives the table's columns.
   */
  async function dataAt(prefix: string, format: 'csv' | 'parquet'): Promise<{ location: string; first: { uri: string; size: number } }> {
    const published = await readPublishedManifest(s3, prefix);
    if (published?.location) {
      if (published.outputFormat !== format) throw invalidTable(`${manifestUriOf(prefix)} publishes ${published.outputFormat} parts, not ${format}`);
      const first = published.outputs.find((o) => o.bytes > 0);
      if (!first) throw invalidTable(`${manifestUriOf(prefix)} lists no parts: nothing to catalog`);
      return { location: published.location.data, first: { uri: first.uri, size: first.bytes } };
    }
    const { bucket, key } = requireS3Uri(prefix);
    const extension = format === 'csv' ? /\.(csv|txt)$/i : /\.parquet$/i;
    const folder = asPrefix(key);
    for await (const page of objectPagesUnder(s3, prefix)) {
      const unpublished = page.find((o) => o.key.startsWith(folder) && UNPUBLISHED_RUN.test(o.key.slice(folder.length)));
      if (unpublished) {
        const run = /^run-[^/]+\//.exec(unpublished.key.slice(folder.length))![0];
        throw invalidTable(`${formatS3Uri(bucket, folder + run)} is a preparation run that was never published (no ${manifestUriOf(prefix)}): it is not data to catalog`);
      }
      const hit = page.find((o) => extension.test(o.key) && o.size > 0);
      if (hit) return { location: prefix, first: { uri: hit.uri, size: hit.size } };
    }
    throw invalidTable(`No ${format === 'csv' ? '.csv' : '.parquet'} objects under ${prefix}: nothing to catalog`);
  }

  /** The object's columns as Glue stores them (lowercased), and `names`: as the file spells them (what the preparation engine reads). */
  async function readColumns(object: { uri: string; size: number }, format: 'csv' | 'parquet'): Promise<{ columns: Column[]; delimiter: string; names: string[] }> {
    const location = parseLocation(object.uri);
    if (format === 'parquet') {
      const schema = parquetSchema(await parquetMetadataAsync(await randomAccess(location, s3)));
      const columns = schema.children.map((c) => ({ Name: c.element.name.toLowerCase(), Type: hiveType(c.element as Parameters<typeof hiveType>[0]) }));
      return { columns, delimiter: ',', names: schema.children.map((c) => c.element.name) };
    }
    try {
      const head = await openSource(location, s3, { format: 'csv', range: { start: 0, end: Math.min(object.size, HEADER_BYTES) } });
      await head.close();
      return { columns: head.header.map((name) => ({ Name: name.trim().toLowerCase(), Type: 'string' })), delimiter: head.delimiter, names: head.header };
    } catch (err) {
      if (err instanceof PrepInputError) throw invalidTable(err.message);
      throw err;
    }
  }

  /**
   * Catalogs CSV or Parquet objects under an S3 prefix as a Glue table (UID2's AWS Entity Resolution Integration Guide, "Prepare data tables"),
   * with its columns from the first object's header. A prefix prepareIdentityData published is cataloged
   * as its manifest says: the table reads the published run's parts only. Created when missing, updated when the data's
   * columns or location changed. The mapped columns are checked first: a file without a header line
   * would otherwise turn a data row into column names.
   */
  async function catalogS3Prefix(input: {
    prefix: string;
    format: 'csv' | 'parquet';
    database: string;
    table: string;
    requiredColumns: string[];
    /** The account owning the catalog (the workflow role's account). */
    account: string;
  }): Promise<EnsuredResource> {
    const { location, first: object } = await dataAt(input.prefix, input.format);
    const { columns, delimiter } = await readColumns(object, input.format);
    const names = columns.map((c) => c.Name!);
    const missing = input.requiredColumns.filter((column) => !names.includes(column.toLowerCase()));
    if (missing.length > 0) {
      throw invalidTable(
        `Mapped column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not in the ${input.format === 'csv' ? 'header line' : 'schema'} of ${object.uri} (${names.length} columns). Check the column names, and that CSV files start with a header line.`,
      );
    }
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) throw invalidTable(`${object.uri} has two columns named "${duplicate}" once lowercased, as Glue stores column names`);

    return ensureTable(input.database, tableInput(input.table, location, input.format, columns, delimiter), input.account);
  }

  /** The database (created when missing), then the table: created when missing, updated when its location, format or columns differ. */
  async function ensureTable(database: string, wanted: TableInput, account: string): Promise<EnsuredResource> {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database, Description: 'Tables cataloged by identity-workflows' } })).catch((err: unknown) => {
      if (!glueErrors.exists(err)) throw err;
    });
    const arn = glueTableArn(await glue.config.region(), account, database, wanted.Name!);
    return ensureResource({
      name: `${database}.${wanted.Name}`,
      errors: glueErrors,
      get: () => glue.send(new GetTableCommand({ DatabaseName: database, Name: wanted.Name })),
      create: () => glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: wanted })),
      update: () => glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: wanted })),
      arn: () => arn,
      current: (existing) => tableShape(existing.Table),
      wanted: tableShape(wanted),
    });
  }

  /**
   * A Glue table over data this project wrote, as AMC ID mapping needs it (Amazon Ads, "Amazon Marketing Cloud - AWS
   * Clean Rooms", Step 3): every column a string, named as the file's header writes it (lowercase, in order), no
   * partitions, CSV with its header line skipped or Parquet. Publishing a new generation is an update of its location;
   * the result lists what changed.
   */
  async function ensureGlueTable(input: GlueTableSpec): Promise<EnsuredResource> {
    const uppercase = input.columns.filter((c) => c !== c.toLowerCase());
    if (uppercase.length > 0) throw invalidTable(`Glue table ${input.database}.${input.table}: column names must be lowercase for AMC (${uppercase.join(', ')})`);
    const duplicate = input.columns.find((c, i) => input.columns.indexOf(c) !== i);
    if (duplicate !== undefined) throw invalidTable(`Glue table ${input.database}.${input.table}: column ${duplicate} is named twice`);
    const columns = input.columns.map((Name) => ({ Name, Type: 'string' }));
    return ensureTable(input.database, tableInput(input.table, asPrefix(input.location), input.format, columns, ','), input.account);
  }

  /**
   * The input table as Entity Resolution will read it: its ARN, and each mapped column resolved to the
   * table's own column name (Glue keeps column names lowercase). A missing column fails at once.
   */
  async function describeInputTable(input: {
    database: string;
    table: string;
    /** Account owning the catalog when GetTable does not say (the workflow role's account). */
    account: string;
    columns: Record<string, string>;
  }): Promise<{ tableArn: string; columns: Record<string, string> }> {
    const table = (await unlessMissing(glue.send(new GetTableCommand({ DatabaseName: input.database, Name: input.table })), glueErrors))?.Table;
    if (!table) throw invalidTable(`Glue table ${input.database}.${input.table} does not exist: create it, or give data.s3 to have this workflow catalog the data`);
    const names = [...(table.StorageDescriptor?.Columns ?? []), ...(table.PartitionKeys ?? [])].map((c) => c.Name ?? '');
    if (!table.StorageDescriptor?.Location) throw invalidTable(`Glue table ${input.database}.${input.table} has no S3 location`);
    const resolved: Record<string, string> = {};
    const missing: string[] = [];
    for (const [role, column] of Object.entries(input.columns)) {
      const found = names.find((name) => name.toLowerCase() === column.toLowerCase());
      if (found) resolved[role] = found;
      else missing.push(`${role} "${column}"`);
    }
    if (missing.length > 0) {
      throw invalidTable(`Glue table ${input.database}.${input.table} has no column for ${missing.join(', ')}; its columns are: ${names.join(', ')}`);
    }
    return { tableArn: glueTableArn(await glue.config.region(), table.CatalogId ?? input.account, input.database, input.table), columns: resolved };
  }

  /**
   * The source data as the preparation engine reads it: its S3 prefix and format (from the config, or from the
   * Glue table's location and SerDe), and each mapped column in the spelling of the first object's header or
   * schema (config columns are matched to it case-insensitively, as Glue matches them).
   */
  async function describePreparationSource(input: {
    source: { prefix: string; format: 'csv' | 'parquet' } | { database: string; table: string };
    columns: Record<string, string>;
  }): Promise<PreparationSource> {
    const { prefix, format } = 'prefix' in input.source ? input.source : await tableSource(input.source);
    const { first } = await dataAt(prefix, format);
    const { names } = await readColumns(first, format);
    const resolved: Record<string, string> = {};
    const missing: string[] = [];
    for (const [role, column] of Object.entries(input.columns)) {
      const found = names.find((name) => name.trim().toLowerCase() === column.toLowerCase());
      if (found === undefined) missing.push(`${role} "${column}"`);
      else resolved[role] = found;
    }
    if (missing.length > 0) throw invalidTable(`${first.uri} has no column for ${missing.join(', ')} (${names.length} columns). Check the column names, and that CSV files start with a header line.`);
    return { input: prefix, format, columns: resolved };
  }

  /** A Glue table's data as a prefix and format the preparation engine reads: CSV with a header line, or Parquet. */
  async function tableSource({ database, table: name }: { database: string; table: string }): Promise<{ prefix: string; format: 'csv' | 'parquet' }> {
    const table = (await unlessMissing(glue.send(new GetTableCommand({ DatabaseName: database, Name: name })), glueErrors))?.Table;
    if (!table) throw invalidTable(`Glue table ${database}.${name} does not exist: create it, or give data.s3 to have this workflow catalog the data`);
    const location = table.StorageDescriptor?.Location;
    if (!location) throw invalidTable(`Glue table ${database}.${name} has no S3 location`);
    const serde = table.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? '';
    const classification = (table.Parameters?.classification ?? '').toLowerCase();
    const format = /parquet/i.test(serde) || classification === 'parquet' ? 'parquet' : /csv|lazysimple/i.test(serde) || classification === 'csv' ? 'csv' : undefined;
    if (!format) throw invalidTable(`Glue table ${database}.${name} is neither CSV nor Parquet (${serde || classification || 'no SerDe'}): the identifiers can be prepared from CSV or Parquet only`);
    if (format === 'csv' && table.Parameters?.['skip.header.line.count'] !== '1') {
      throw invalidTable(`Glue table ${database}.${name} is CSV without a header line (skip.header.line.count is not 1): the preparation finds the columns by their header`);
    }
    return { prefix: asPrefix(location.replace(/^s3a?:\/\//, 's3://')), format };
  }

  return { catalogS3Prefix, ensureGlueTable, describeInputTable, describePreparationSource };
}
