/**
 * What amcIdMapping needs from the modules built beside it (issue 19, plan §4): the config (slice A,
 * `schemas/amc-id-mapping.ts`), the AWS resource and guard-state activities (slice B), the Ads API
 * activities (slice C) and the `groupByKey` child (slice A). Written as types here until those modules
 * land; the config schema below mirrors plan §3.1 and gives way to slice A's at merge.
 */
import { z } from 'zod';
import type { EnsuredResource } from '../schemas/uid2-matching';
import type { SchemaMappingSpec } from '../activities/entity-resolution';
import { DATA_FORMATS, prepareIdentityDataInputSchema, regionCode } from '../schemas/prep';
import { durationSchema } from '../schemas/duration';
import { pollIntervalsShape, type PollSchedule } from '../schemas/poll-schedule';
import { s3PrefixSchema } from '../schemas/s3-prefix';

export const AMC_FIELD_TYPES = ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY', 'MAID', 'LRP', 'EXP', 'MKL'] as const;
export type AmcFieldType = (typeof AMC_FIELD_TYPES)[number];

const DAY_MS = 86_400_000;
const resourceName = z.string().regex(/^[a-zA-Z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, _ or -');
const columnName = z.string().min(1).max(255);

// ---- slice A: the config (plan §3.1) ----
export const amcIdMappingInputSchema = z
  .object({
    version: z.literal(1).default(1),
    name: resourceName,
    region: z.literal('us-east-1', { error: 'AMC collaboration instances run in us-east-1 only (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms")' }),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    input: z.object({ uri: prepareIdentityDataInputSchema.shape.input, format: z.enum(DATA_FORMATS).optional() }).strict(),
    uniqueId: columnName,
    columns: z.record(columnName, z.enum(AMC_FIELD_TYPES)),
    prepare: z
      .object({ hash: z.boolean().default(true), defaultRegion: regionCode.default('US'), country: regionCode.default('US'), keepRowWhen: z.enum(['any', 'all']).default('any') })
      .strict()
      .default({ hash: true, defaultRegion: 'US', country: 'US', keepRowWhen: 'any' }),
    output: z
      .object({
        dataPrefix: s3PrefixSchema,
        workPrefix: s3PrefixSchema,
        format: z.enum(['parquet', 'csv']).default('parquet'),
        kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, 'must be a KMS key ARN').optional(),
        keepGenerations: z.number().int().min(2).max(10).default(2),
      })
      .strict(),
    queryResultsBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    collapse: z.object({ maxValuesPerColumn: z.record(columnName, z.number().int().min(1).max(24)).default({}) }).strict().default({ maxValuesPerColumn: {} }),
    split: z.object({ allow: z.boolean().default(false), namespaces: z.enum(['one', 'per-table']).default('one') }).strict().default({ allow: false, namespaces: 'one' }),
    glue: z.object({ database: z.string().regex(/^[a-zA-Z_0-9-]{1,255}$/, 'must be letters, digits, _ or - (the Entity Resolution input ARN allows no dots)') }).strict(),
    entityResolution: z
      .object({
        passRoleArn: z.string().regex(/^arn:aws(-[a-z]+)?:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
        onDrift: z.enum(['update', 'fail']).default('fail'),
      })
      .strict(),
    cleanRooms: z.object({ membershipId: z.string().uuid().optional(), associationName: z.string().min(1).max(100).optional() }).strict().default({}),
    amc: z
      .object({
        baseUrl: z.string().url().default('https://advertising-api.amazon.com'),
        tokenUrl: z.string().url().default('https://api.amazon.com/auth/o2/token'),
        instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be an AMC instance id'),
        advertiserId: z.string().min(1).max(100),
        marketplaceId: z.string().regex(/^[A-Z0-9]{1,20}$/, 'must be a marketplace id such as ATVPDKIKX0DER'),
        credentialsSecretId: z.string().min(1).max(2048),
        tableName: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).optional(),
      })
      .strict(),
    refresh: z
      .object({
        minInterval: durationSchema.default('14 days'),
        safetyMargin: durationSchema.default('1 hour'),
        maxHistoryEvents: z.number().int().min(200).default(10_000),
      })
      .strict()
      .default({ minInterval: '14 days', safetyMargin: '1 hour', maxHistoryEvents: 10_000 }),
    collaborationPoll: z
      .object({ ...pollIntervalsShape({ initialInterval: '1 minute', maximumInterval: '1 hour', backoffCoefficient: 2 }), giveUpAfter: durationSchema.default('30 days') })
      .strict()
      .default({ initialInterval: '1 minute', maximumInterval: '1 hour', backoffCoefficient: 2, giveUpAfter: '30 days' }),
    jobPoll: z
      .object({ ...pollIntervalsShape({ initialInterval: '30 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 }), timeout: durationSchema.default('2 days') })
      .strict()
      .default({ initialInterval: '30 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, timeout: '2 days' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.output.dataPrefix.split('/')[2] === config.queryResultsBucket) {
      ctx.addIssue({ code: 'custom', path: ['queryResultsBucket'], message: 'must differ from the bucket of output.dataPrefix (Amazon Ads requires a separate location for query results)' });
    }
    if (Object.hasOwn(config.columns, config.uniqueId)) ctx.addIssue({ code: 'custom', path: ['uniqueId'], message: 'must not also be an identity column in columns' });
    const minInterval = typeof config.refresh.minInterval === 'number' ? config.refresh.minInterval : undefined;
    if (minInterval !== undefined && minInterval < 14 * DAY_MS) ctx.addIssue({ code: 'custom', path: ['refresh', 'minInterval'], message: 'AMC allows one refresh per 14 days' });
  });
export type AmcIdMappingInput = z.output<typeof amcIdMappingInputSchema>;
export type AmcIdMappingConfigInput = z.input<typeof amcIdMappingInputSchema>;
/** The Ads API connection part of the config, handed to every slice-C activity. */
export type AmcConnection = AmcIdMappingInput['amc'];

/** The AMC mapping table's name: `amc.tableName`, else the config's name. Slice A's `amcResourceNames` names the rest. */
export const amcTableName = (config: Pick<AmcIdMappingInput, 'name' | 'amc'>): string => config.amc.tableName ?? config.name;

// ---- slice A: the group-by-key child and the fingerprint diff ----
export interface GenerationCounts {
  rowsIn: number;
  rowsOut: number;
  rejected: number;
  keys: number;
  collapsedKeys: number;
  droppedValues: Record<string, number>;
}
/** A published generation: what Glue points to. */
export interface GenerationRef {
  id: string;
  manifestUri: string;
  publishedAt: string;
  inputListingHash: string;
  counts: GenerationCounts;
  tables: GenerationTable[];
}
/** One table of a generation: its Glue table, where it lives, and the schema mapping of its written header. */
export interface GenerationTable {
  glueTable: string;
  schemaName: string;
  location: string;
  columns: string[];
  mappedInputFields: SchemaMappingSpec['mappedInputFields'];
}
export interface GroupByKeyInput {
  /** The prepared data's manifest.json. */
  prepared: string;
  keyColumn: string;
  columns: Record<string, AmcFieldType>;
  generation: string;
  dataPrefix: string;
  workPrefix: string;
  format: 'parquet' | 'csv';
  collapse: AmcIdMappingInput['collapse'];
  split: AmcIdMappingInput['split'];
  tableBaseName: string;
}
export interface GroupByKeyResult {
  manifestUri: string;
  tables: GenerationTable[];
  counts: Omit<GenerationCounts, 'rowsIn' | 'rejected'>;
}
export interface FingerprintDiff {
  appended: number;
  removed: number;
  changed: number;
  duplicated: number;
}
/** The child workflow type name of slice A's group-by-key workflow. */
export const GROUP_BY_KEY_WORKFLOW = 'groupByKey';

// ---- the existing prepareIdentityData child, with slice A's `outputHeader` ----
export interface AmcPrepareInput {
  input: string;
  inputFormat?: (typeof DATA_FORMATS)[number];
  output: string;
  outputFormat: 'csv';
  rules: {
    profile: 'amc';
    columns: Record<string, string>;
    hash: boolean;
    defaultRegion: string;
    country: string;
    keepRowWhen: 'any' | 'all';
    outputHeader: 'lowercase';
  };
}

// ---- slice C: the Ads API ----
export type AmcCollaborationStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'PENDING_ACCEPTANCE' | 'ACTIVE' | 'REJECTED' | 'DELETED';
export interface AmcCollaboration {
  id: string;
  status: AmcCollaborationStatus;
  customerAcceptanceLink?: string;
  /** Our Clean Rooms membership (the member whose accountId is the config's account). */
  membershipId?: string;
}
export interface AmcCollaborationRequest {
  amc: AmcConnection;
  account: string;
  membershipId?: string;
}
export type AmcJobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'UNKNOWN';
export interface AmcJobRef {
  jobId: string;
  status: AmcJobStatus;
  startedAt?: string;
  endedAt?: string;
}
export interface AmcMappingTable {
  id: string;
  name: string;
  arn?: string;
  sourceIdNamespaceArn?: string;
  createdAt: string;
}
export interface AmcJobCheck extends AmcJobRef {
  /** The attempt of the polling activity that saw the job end: checks made. */
  checks: number;
}

// ---- slice B: AWS resources and the guard's recovery copy ----
export interface GuardSnapshot {
  lastRefreshAt?: string;
  createdAt?: string;
  current?: GenerationRef;
  previous?: GenerationRef;
  pending?: PendingChanges;
}
export interface PendingChanges {
  since: string;
  changedKeys: number;
  removedKeys: number;
  duplicatedKeys: number;
  generations: number;
}

/** Every activity amcIdMapping calls, typed as slices B and C export them (plain JSON in and out). */
export interface AmcActivities {
  // slice B
  checkAmcPrerequisites(input: { config: AmcIdMappingInput }): Promise<{ checkedAt: string }>;
  checkMembership(input: { membershipId: string; collaborationId: string }): Promise<{ membershipId: string; status: 'ACTIVE' }>;
  inputListing(input: { uri: string }): Promise<{ hash: string; objects: number; bytes: number }>;
  ensureGlueTable(input: { database: string; table: string; location: string; format: 'parquet' | 'csv'; columns: string[]; account: string }): Promise<EnsuredResource>;
  ensureSchemaMapping(spec: SchemaMappingSpec): Promise<EnsuredResource>;
  ensureIdNamespace(spec: {
    idNamespaceName: string;
    description?: string;
    inputSources: { inputSourceARN: string; schemaName: string }[];
    roleArn: string;
    onDrift: 'update' | 'fail';
  }): Promise<EnsuredResource>;
  ensureIdNamespaceAssociation(input: { membershipId: string; name: string; description?: string; idNamespaceArn: string }): Promise<EnsuredResource & { id: string }>;
  /** Deletes generations beyond `keepGenerations` under both prefixes, never one named in `keep`. */
  pruneGenerations(input: { dataPrefix: string; workPrefix: string; glueTables: string[]; keep: string[]; keepGenerations: number }): Promise<{ removedObjects: number }>;
  readGuardState(input: { workPrefix: string }): Promise<GuardSnapshot | null>;
  writeGuardState(input: { workPrefix: string; snapshot: GuardSnapshot }): Promise<void>;
  // slice A
  diffGenerationFingerprints(input: { previous: string; current: string }): Promise<FingerprintDiff>;
  // slice C
  getAmcCollaboration(input: AmcCollaborationRequest): Promise<AmcCollaboration>;
  checkAmcCollaboration(input: AmcCollaborationRequest): Promise<AmcCollaboration>;
  listAmcMappingTables(input: { amc: AmcConnection }): Promise<{ tables: AmcMappingTable[] }>;
  findOrCreateAmcMappingTable(input: { amc: AmcConnection; name: string; sourceIdNamespaceArn: string }): Promise<{ table: AmcMappingTable; job?: AmcJobRef; adopted: boolean }>;
  checkAmcMappingJob(input: { amc: AmcConnection; tableId: string; jobId: string }): Promise<AmcJobCheck>;
  latestAmcMappingJob(input: { amc: AmcConnection; tableId: string }): Promise<AmcJobRef | null>;
  refreshAmcMappingTable(input: { amc: AmcConnection; tableId: string; notBefore: string }): Promise<AmcJobRef>;
  deleteAmcMappingTable(input: { amc: AmcConnection; tableId: string }): Promise<{ deleted: boolean }>;
}

// ---- slice A: the guard's state (plan §3.7), carried by continue-as-new ----
export const AMC_STAGES = [
  'checking',
  'waiting-for-collaboration',
  'preparing',
  'grouping',
  'checking-limits',
  'ensuring-resources',
  'associating',
  'creating-table',
  'mapping-job',
  'guarding',
  'processing-input',
  'waiting-for-refresh-window',
  'refreshing',
  'deleting',
  'completed',
  'failed',
  'cancelled',
] as const;
export type AmcStage = (typeof AMC_STAGES)[number];

export interface AmcJobState extends AmcJobRef {
  kind: 'create' | 'refresh';
  tableId: string;
  checks?: number;
}
export interface AmcLastInput {
  at: string;
  generation?: string;
  unchanged: boolean;
  counts?: GenerationCounts;
  diff?: FingerprintDiff;
}
export interface AmcGuardState {
  stage: AmcStage;
  runs: number;
  startedAt: string;
  collaboration?: { id: string; membershipId: string; status: string; customerAcceptanceLink?: string; polling?: PollSchedule };
  tables: { name: string; id: string; sourceIdNamespaceArn: string; createdAt: string }[];
  /** max(table creation, last refresh job start), from AMC's own job list when a run (re)starts. */
  lastRefreshAt?: string;
  current?: GenerationRef;
  previous?: GenerationRef;
  pending?: PendingChanges;
  inbox: { notices: number; lastNoticeAt?: string; lastRequestId?: string };
  refreshes: number;
  generations: number;
  inputsProcessed: number;
  inputsUnchanged: number;
  lastInput?: AmcLastInput;
  lastJob?: AmcJobState;
  /** Set while a job is polled: the status query derives its checks from this schedule. */
  jobPolling?: PollSchedule;
  deleteRequested?: { by: string; reason: string };
  deletedTables?: { name: string; id: string; deletedAt: string }[];
}

export interface AmcIdMappingArgs {
  input: AmcIdMappingConfigInput;
  carried?: AmcGuardState;
}
/** Returned only after `deleteTable`: what was deleted and what the run did over its life. */
export interface AmcIdMappingResult {
  name: string;
  instanceId: string;
  tables: { name: string; id: string; deletedAt: string }[];
  created: string;
  refreshes: number;
  generations: number;
}
