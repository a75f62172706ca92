import { ParentClosePolicy, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PrepSummary } from '../activities/prepare-dataset';
import { workflowIds } from '../schemas/temporal-names';
import { CONTROL_PLANE } from './support/activity-options';
import {
  GROUP_BY_KEY_WORKFLOW,
  amcTableName,
  type AmcActivities,
  type AmcIdMappingInput,
  type AmcPrepareInput,
  type AmcStage,
  type GenerationRef,
  type GenerationTable,
  type GroupByKeyInput,
  type GroupByKeyResult,
} from './amc-id-mapping-ports';

const controlPlane = proxyActivities<AmcActivities>(CONTROL_PLANE);

/** The identity types the preparation engine normalises and hashes; MAID, LRP, EXP and MKL pass through as they are. */
const PREPARED_TYPES = new Set(['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY']);


/**
 * Steps 3–4: prepares the input (prepareIdentityData, lowercase header, under the work prefix so no
 * reject or manifest lands where Glue points) and groups it by the unique key (the groupByKey child:
 * keys over AMC's 25 rows collapsed, per-key fingerprints written). Nothing is published here.
 */
export async function buildGeneration(config: AmcIdMappingInput, seq: number, inputListingHash: string, enter: (stage: AmcStage) => void): Promise<GenerationRef> {
  const id = `${workflowInfo().firstExecutionRunId.slice(0, 8)}-${seq}`;
  const work = config.output.workPrefix;
  const genPrefix = `${work.endsWith('/') ? work : `${work}/`}gen-${id}/`;
  const prepOutput = `${genPrefix}prepared/`;

  enter('preparing');
  const prepInput: AmcPrepareInput = {
    input: config.input.uri,
    inputFormat: config.input.format,
    output: prepOutput,
    outputFormat: 'csv',
    rules: {
      profile: 'amc',
      columns: Object.fromEntries(Object.entries(config.columns).filter(([, type]) => PREPARED_TYPES.has(type))),
      hash: config.prepare.hash,
      defaultRegion: config.prepare.defaultRegion,
      country: config.prepare.country,
      keepRowWhen: config.prepare.keepRowWhen,
      outputHeader: 'lowercase',
    },
  };
  const prepared = await executeChild<(input: AmcPrepareInput) => Promise<PrepSummary>>('prepareIdentityData', {
    workflowId: workflowIds.prepareIdentityData(prepOutput),
    args: [prepInput],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });

  enter('grouping');
  const groupInput: GroupByKeyInput = {
    prepared: prepared.manifestUri,
    keyColumn: config.uniqueId.toLowerCase(),
    columns: Object.fromEntries(Object.entries(config.columns).map(([name, type]) => [name.toLowerCase(), type])),
    generation: id,
    dataPrefix: config.output.dataPrefix,
    workPrefix: genPrefix,
    format: config.output.format,
    collapse: config.collapse,
    split: config.split,
    tableBaseName: config.name,
  };
  const grouped = await executeChild<(input: GroupByKeyInput) => Promise<GroupByKeyResult>>(GROUP_BY_KEY_WORKFLOW, {
    workflowId: workflowIds.groupByKey(genPrefix),
    args: [groupInput],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });

  return {
      id,
      manifestUri: grouped.manifestUri,
      publishedAt: new Date(Date.now()).toISOString(),
      inputListingHash,
      counts: { ...grouped.counts, rowsIn: prepared.counts.rowsIn, rejected: prepared.counts.rowsRejected },
      tables: grouped.tables,
  };
}

/** One ID namespace of a generation, with the association and the AMC table made from it. */
export interface NamespaceGroup {
  namespaceName: string;
  associationName: string;
  tableName: string;
  tables: GenerationTable[];
}

/**
 * How a generation's tables are grouped into namespaces: all in one (`split.namespaces: 'one'`, one AMC
 * table; the guide allows 20 tables per namespace), or one namespace, association and AMC table each.
 */
export function namespaceGroups(config: AmcIdMappingInput, tables: GenerationTable[]): NamespaceGroup[] {
  const base = { namespaceName: config.name, associationName: config.cleanRooms.associationName ?? config.name, tableName: amcTableName(config) };
  if (config.split.namespaces === 'one' || tables.length === 1) return [{ ...base, tables }];
  return tables.map((table, i) => ({
    namespaceName: `${base.namespaceName}_${i + 1}`,
    associationName: `${base.associationName}_${i + 1}`,
    tableName: `${base.tableName}_${i + 1}`,
    tables: [table],
  }));
}

/**
 * Step 6 for a generation: points each Glue table at it (an UpdateTable, atomic), ensures the schema
 * mappings of its written headers, and the ID namespace(s) over them. Idempotent; returns the groups with their namespace ARNs.
 */
export async function publishGeneration(config: AmcIdMappingInput, tables: GenerationTable[]): Promise<(NamespaceGroup & { namespaceArn: string })[]> {
  for (const table of tables) {
    await controlPlane.ensureGlueTable({
      database: config.glue.database,
      table: table.glueTable,
      location: table.location,
      format: config.output.format,
      columns: table.columns,
      account: config.account,
    });
    await controlPlane.ensureSchemaMapping({ schemaName: table.schemaName, description: `AMC ID mapping ${config.name}`, mappedInputFields: table.mappedInputFields });
  }
  const published = [];
  for (const group of namespaceGroups(config, tables)) {
    const namespace = await controlPlane.ensureIdNamespace({
      idNamespaceName: group.namespaceName,
      description: `AMC ID mapping ${config.name}`,
      inputSources: group.tables.map((t) => ({ inputSourceARN: glueTableArn(config, t.glueTable), schemaName: t.schemaName })),
      roleArn: config.entityResolution.passRoleArn,
      onDrift: config.entityResolution.onDrift,
    });
    published.push({ ...group, namespaceArn: namespace.arn });
  }
  return published;
}

const glueTableArn = (config: AmcIdMappingInput, table: string) => `arn:aws:glue:${config.region}:${config.account}:table/${config.glue.database}/${table}`;
