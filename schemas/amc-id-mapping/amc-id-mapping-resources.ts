import { planAmcColumns } from './amc-columns';
import type { AmcIdMappingConfig } from './amc-id-mapping';
import { groupingLocations } from '../preparation/group-by-key';

/*
 * The names and places `amcIdMapping` derives from its config. Generations of the data are written side by
 * side and the Glue table is pointed at the newest one once it is complete, so no reader sees a half-written
 * table; everything else a generation writes (prepared parts, rejects, shards, manifests) stays under
 * workPrefix, outside every table's location.
 */

/** One split table: its Glue table, its schema mapping, and (split per table) its own namespace and AMC table. */
export interface AmcTableNames {
  glueTable: string;
  schemaName: string;
  idNamespace: string;
  amcTable: string;
}

export interface AmcResourceNames {
  database: string;
  /** One entry per table of the split (one without a split). */
  tables: AmcTableNames[];
  /** The ID namespaces (one, or one per table) and the association of each, in the same order. */
  idNamespaces: string[];
  associations: string[];
  amcTables: string[];
}

/** The AMC mapping table's name (the first of a per-table split's): `amc.tableName`, else the config's name. */
export const amcTableName = (config: Pick<AmcIdMappingConfig, 'name' | 'amc'>): string => config.amc.tableName ?? config.name;

/** The number of tables the config's columns need before any collapse (each column one wide). */
export function plannedTableCount(config: AmcIdMappingConfig): number {
  const planned = planAmcColumns({ uniqueId: config.uniqueId, columns: config.columns, split: config.split });
  return planned.ok ? planned.plan.tables.length : 1;
}

/** The Glue tables of a split into `tables`: `<base>` alone, else `<base>_1..n`. */
export const glueTableNames = (glueBase: string, tables: number): string[] => Array.from({ length: tables }, (_, i) => (tables > 1 ? `${glueBase}_${i + 1}` : glueBase));

/** Where generation `gen` of each split table is written: `<dataPrefix><glueTable>/gen-<gen>/`. */
export interface TableLocationsSpec {
  dataPrefix: string;
  glueBase: string;
  gen: string;
}
export const tableLocations = (spec: TableLocationsSpec, tables: number): string[] => glueTableNames(spec.glueBase, tables).map((t) => `${spec.dataPrefix}${t}/gen-${spec.gen}/`);

/** The names for `tables` split tables (default: as many as the config's columns need at width 1). */
export function amcResourceNames(config: AmcIdMappingConfig, tables = plannedTableCount(config)): AmcResourceNames {
  const base = config.name;
  const glueBase = base.toLowerCase();
  const amcBase = amcTableName(config);
  const associationBase = config.cleanRooms.associationName ?? base;
  const perTable = config.split.namespaces === 'per-table' && tables > 1;
  const numbered = (name: string, i: number) => (tables > 1 ? `${name}_${i + 1}` : name);
  const glueTables = glueTableNames(glueBase, tables);
  const names = Array.from({ length: tables }, (_, i) => ({
    glueTable: glueTables[i]!,
    schemaName: `${base}_${i + 1}`,
    idNamespace: perTable ? numbered(base, i) : base,
    amcTable: perTable ? numbered(amcBase, i) : amcBase,
  }));
  return {
    database: config.glue.database,
    tables: names,
    idNamespaces: perTable ? names.map((t) => t.idNamespace) : [base],
    associations: perTable ? names.map((_, i) => numbered(associationBase, i)) : [associationBase],
    amcTables: perTable ? names.map((t) => t.amcTable) : [amcBase],
  };
}

/** Where generation `gen` writes: the Glue location of each table, and its working objects under `work` (the preparation's, then the grouping's). */
export function generationLocations(config: AmcIdMappingConfig, gen: string, tables = plannedTableCount(config)) {
  const work = `${config.output.workPrefix}gen-${gen}/`;
  return {
    tableLocations: tableLocations({ dataPrefix: config.output.dataPrefix, glueBase: config.name.toLowerCase(), gen }, tables),
    work,
    prepared: `${work}prepared/`,
    ...groupingLocations(work),
  };
}

/** The recovery copy of the guard's state. */
export const guardStateUri = (config: AmcIdMappingConfig) => `${config.output.workPrefix}guard.json`;
