import { arnAccount } from './arn';
import { UID2_ATTRIBUTE_TYPE, erResourceName, identifiersOf, type Uid2Identifier, type Uid2MatchingConfig } from './uid2-matching';

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

export function uid2MatchingWorkflow(config: Uid2MatchingConfig, identifier: Uid2Identifier, table: DescribedInputTable, providerServiceArn: string) {
  const name = erResourceName(config.name, identifier);
  const normalized = config.output.format === 'normalized';
  const listed = (list: string[], c: string) => list.some((l) => l.toLowerCase() === c.toLowerCase());
  return {
    workflowName: name,
    description: config.description ?? `UID2 ${identifier} matching of ${config.name} (identity-workflows)`,
    inputSourceConfig: [{ inputSourceARN: table.tableArn, schemaName: name, applyNormalization: normalized }],
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
