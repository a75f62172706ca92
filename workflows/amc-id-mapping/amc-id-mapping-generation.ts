import { ParentClosePolicy, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { AMC_ER_FIELDS, AMC_PREPARED_TYPES, type AmcColumnPlan } from '../../schemas/amc-id-mapping/amc-columns';
import type { AmcIdMappingConfig } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcResourceNames, generationLocations } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import type { AmcStage, GenerationRef, GenerationTable } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import type { SchemaAttributeType } from '@aws-sdk/client-entityresolution';
import { glueTableArn } from '../../schemas/arn';
import { amcPrepRules } from '../../schemas/amc-id-mapping/amc-prep-rules';
import { workflowIds } from '../../schemas/temporal-names';
import { CONTROL_PLANE } from '../support/activity-options';
import { groupByKey } from '../preparation/group-by-key';
import { prepareIdentityData } from '../preparation/prepare-identity-data';

const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);

/** Generation `seq` of this chain of runs (continue-as-new keeps the first run's id). */
export const generationId = (seq: number): string => `${workflowInfo().firstExecutionRunId.slice(0, 8)}-${seq}`;

/**
 * Steps 3–4: prepares the input (prepareIdentityData, lowercase header, under the work prefix so no
 * reject or manifest lands where Glue points) and groups it by the unique key (the groupByKey child:
 * keys over AMC's 25 rows collapsed, per-key fingerprints written). Nothing is published here.
 */
export async function buildGeneration(config: AmcIdMappingConfig, seq: number, inputListingHash: string, enter: (stage: AmcStage) => void): Promise<GenerationRef> {
  const id = generationId(seq);
  const where = generationLocations(config, id);

  enter('preparing');
  const prepared = await executeChild(prepareIdentityData, {
    workflowId: workflowIds.prepareIdentityData(where.prepared),
    args: [
      {
        input: config.input.uri,
        inputFormat: config.input.format,
        output: where.prepared,
        outputFormat: 'csv',
        rules: amcPrepRules(config),
      },
    ],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });

  enter('grouping');
  const grouped = await executeChild(groupByKey, {
    workflowId: workflowIds.groupByKey(where.work),
    args: [
      {
        prepared: prepared.manifestUri,
        work: where.work,
        columns: { uniqueId: config.uniqueId, columns: config.columns, split: config.split },
        maxValuesPerColumn: Object.fromEntries(Object.entries(config.collapse.maxValuesPerColumn).map(([c, n]) => [c.toLowerCase(), n])),
        tables: { dataPrefix: config.output.dataPrefix, glueBase: config.name.toLowerCase(), gen: id },
        format: config.output.format,
      },
    ],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });

  return {
    id,
    manifestUri: grouped.manifestUri,
    publishedAt: new Date(Date.now()).toISOString(),
    inputListingHash,
    counts: { ...grouped.counts, inputRows: prepared.counts.rowsIn, rejected: prepared.counts.rowsRejected },
    tables: generationTables(config, grouped.plan, grouped.tableLocations),
  };
}

/** Each table the grouping wrote: its Glue table, location, header, and the schema mapping of that header (Step 3's template). */
function generationTables(config: AmcIdMappingConfig, plan: AmcColumnPlan, locations: string[]): GenerationTable[] {
  const names = amcResourceNames(config, plan.tables.length);
  return plan.tables.map((columns, i) => ({
    glueTable: names.tables[i]!.glueTable,
    schemaName: names.tables[i]!.schemaName,
    location: locations[i]!,
    columns: [plan.uniqueId, ...columns.map((c) => c.name)],
    mappedInputFields: [
      { fieldName: plan.uniqueId, type: 'UNIQUE_ID' as SchemaAttributeType },
      ...columns.map((c) => ({
        fieldName: c.name,
        type: AMC_ER_FIELDS[c.type].type as SchemaAttributeType,
        matchKey: AMC_ER_FIELDS[c.type].matchKey,
        hashed: config.prepare.hash && AMC_PREPARED_TYPES[c.type] !== undefined,
      })),
    ],
  }));
}

/** One ID namespace of a generation, with the association and the AMC table made from it. */
export interface NamespaceGroup {
  namespaceName: string;
  associationName: string;
  tableName: string;
  tables: GenerationTable[];
}

/**
 * How a generation's tables are grouped into namespaces (`amcResourceNames`): all in one (`split.namespaces: 'one'`,
 * one AMC table; the guide allows 20 tables per namespace), or one namespace, association and AMC table each.
 */
export function namespaceGroups(config: AmcIdMappingConfig, tables: GenerationTable[]): NamespaceGroup[] {
  const names = amcResourceNames(config, tables.length);
  if (names.idNamespaces.length === 1) return [{ namespaceName: names.idNamespaces[0]!, associationName: names.associations[0]!, tableName: names.amcTables[0]!, tables }];
  return tables.map((table, i) => ({ namespaceName: names.idNamespaces[i]!, associationName: names.associations[i]!, tableName: names.amcTables[i]!, tables: [table] }));
}

/**
 * Step 6 for a generation: points each Glue table at it (an UpdateTable, atomic), ensures the schema
 * mappings of its written headers, and the SOURCE ID namespace(s) over them (Step 4's template).
 * Idempotent; returns the groups with their namespace ARNs.
 */
export async function publishGeneration(config: AmcIdMappingConfig, tables: GenerationTable[]): Promise<(NamespaceGroup & { namespaceArn: string })[]> {
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
      spec: {
        idNamespaceName: group.namespaceName,
        description: `AMC ID mapping ${config.name}`,
        type: 'SOURCE',
        inputSourceConfig: group.tables.map((t) => ({ inputSourceARN: glueTableArn(config.region, config.account, config.glue.database, t.glueTable), schemaName: t.schemaName })),
        idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }],
        roleArn: config.entityResolution.passRoleArn,
      },
      onDrift: config.entityResolution.onDrift,
    });
    published.push({ ...group, namespaceArn: namespace.arn });
  }
  return published;
}
