import { arnAccount } from '../arn';
import type { PrepareIdentityDataInput } from '../preparation/prep';
import { UID2_ATTRIBUTE_TYPE, erResourceName, identifiersOf, type PrepareOptions, type Uid2Identifier, type Uid2MatchingConfig } from './uid2-matching';

/**
 * What `uid2Matching` asks AWS for, built from its config: the input table to catalog and check, and per
 * identifier type the Entity Resolution schema mapping and PROVIDER matching workflow in the service's shape.
 */

/** The input table: where it is (cataloged from an S3 prefix first when the data is one), its account, and the columns it must have. */
export interface Uid2InputTable {
  database: string;
  table: string;
  /** The role's account: the Glue Data Catalog that holds the table. */
  account: string;
  /** Mapped column by role: `uniqueId`, `email`, `phone`. */
  columns: Record<string, string>;
  catalogFrom?: { prefix: string; format: 'csv' | 'parquet' };
}

export function uid2InputTable(config: Uid2MatchingConfig): Uid2InputTable {
  const columns: Record<string, string> = { uniqueId: config.uniqueIdColumn, ...Object.fromEntries(identifiersOf(config).map((i) => [i.identifier, i.column])) };
  const account = arnAccount(config.roleArn);
  if ('glueTable' in config.data) return { ...config.data.glueTable, account, columns };
  const { s3 } = config.data;
  return {
    database: s3.glueDatabase,
    table: s3.glueTable ?? config.name.toLowerCase().replace(/-/g, '_'),
    account,
    columns,
    catalogFrom: { prefix: s3.prefix, format: s3.format },
  };
}

/** The table as Glue described it: its ARN and its own spelling of each mapped column. */
export interface DescribedInputTable {
  tableArn: string;
  columns: Record<string, string>;
}

export function uid2SchemaMapping(config: Uid2MatchingConfig, identifier: Uid2Identifier, table: DescribedInputTable) {
  return {
    schemaName: erResourceName(config.name, identifier),
    description: `UID2 ${identifier} input of ${config.name} (identity-workflows)`,
    mappedInputFields: [
      { fieldName: table.columns.uniqueId!, type: 'UNIQUE_ID' as const },
      { fieldName: table.columns[identifier]!, type: UID2_ATTRIBUTE_TYPE[identifier] },
    ],
  };
}

/**
 * `prepared`: the table holds values prepared by UID2's own rules, so Entity Resolution is not asked to
 * normalise its input again (its normalisation of a US phone drops the country code UID2 needs).
 */
export function uid2MatchingWorkflow(config: Uid2MatchingConfig, identifier: Uid2Identifier, table: DescribedInputTable, providerServiceArn: string, { prepared = false } = {}) {
  const name = erResourceName(config.name, identifier);
  const normalized = config.output.format === 'normalized';
  const listed = (list: string[], c: string) => list.some((l) => l.toLowerCase() === c.toLowerCase());
  return {
    workflowName: name,
    description: config.description ?? `UID2 ${identifier} matching of ${config.name} (identity-workflows)`,
    inputSourceConfig: [{ inputSourceARN: table.tableArn, schemaName: name, applyNormalization: normalized && !prepared }],
    outputSourceConfig: [
      {
        outputS3Path: config.output.s3Path,
        KMSArn: config.output.kmsKeyArn,
        applyNormalization: normalized,
        output: [table.columns.uniqueId!, table.columns[identifier]!]
          .filter((c) => !listed(config.output.exclude, c))
          .map((c) => ({ name: c, hashed: listed(config.output.hash, c) })),
      },
    ],
    resolutionTechniques: { resolutionType: 'PROVIDER' as const, providerProperties: { providerServiceArn } },
    roleArn: config.roleArn,
  };
}

/** Where the source data is, as the preparation reads it: a prefix, its format, and each mapped column in the file's own spelling. */
export interface PreparationSource {
  input: string;
  format: 'csv' | 'parquet';
  /** Mapped column by role (`uniqueId`, `email`, `phone`), spelt as in the file's header or schema. */
  columns: Record<string, string>;
}

/** Where one identifier's prepared data is published, and the fixed Glue table over it that the ER workflow reads. */
export function uid2PreparedTable(config: Uid2MatchingConfig, identifier: Uid2Identifier, prepare: PrepareOptions) {
  const erWorkflow = erResourceName(config.name, identifier);
  const input = uid2InputTable(config);
  return {
    output: `${prepare.output ?? `${config.output.s3Path}prepared/`}${erWorkflow}/`,
    database: prepare.glueDatabase ?? input.database,
    table: `${erWorkflow.toLowerCase().replace(/-/g, '_')}_prepared`,
    account: input.account,
  };
}

/**
 * The preparation of one identifier: its column normalised by UID2's rules and written in clear (Entity
 * Resolution's UID2 provider takes the normalised values), rows with an empty or invalid value left out
 * with their reason, every other column copied unchanged.
 */
export function uid2PrepareInput(source: PreparationSource, identifier: Uid2Identifier, prepare: PrepareOptions, output: string): PrepareIdentityDataInput {
  return {
    input: source.input,
    inputFormat: source.format,
    output,
    outputFormat: 'csv',
    rules: {
      profile: 'uid2',
      columns: { [source.columns[identifier]!]: identifier === 'email' ? 'EMAIL' : 'PHONE' },
      defaultRegion: prepare.defaultRegion,
      keepRowWhen: 'all',
      hash: false,
    },
  };
}
