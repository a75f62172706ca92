/**
 * What audienceUpload needs from the modules built beside it (issue 20, plan §4): the config and the
 * snapshot/ledger activities (slice A, `schemas/audience-upload.ts`, `activities/audience-snapshots.ts`),
 * the Clean Rooms protected-query activities (slice B) and the TikTok activities (slice C). Written as
 * types here until those modules land; the config schema below mirrors plan §3.1 and gives way to
 * slice A's at merge, when this file is deleted.
 */
import { z } from 'zod';
import { DATA_FORMATS, regionCode, type DataFormat, type PrepareIdentityDataInput, type PrepRules } from '../schemas/preparation/prep';
import { durationSchema } from '../schemas/duration';
import { pollIntervalsShape } from '../schemas/poll-schedule';
import { s3PrefixSchema } from '../schemas/s3-prefix';

// ---- slice A: the config (plan §3.1) ----
export const TIKTOK_IDENTIFIER_TYPES = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'GAID_SHA256'] as const;
export type TiktokIdentifierType = (typeof TIKTOK_IDENTIFIER_TYPES)[number];
/** calculate_type → the engine's identifier type (profile tiktok). */
export const ENGINE_TYPE: Record<TiktokIdentifierType, 'EMAIL' | 'PHONE' | 'IDFA' | 'GAID'> = {
  EMAIL_SHA256: 'EMAIL',
  PHONE_SHA256: 'PHONE',
  IDFA_SHA256: 'IDFA',
  GAID_SHA256: 'GAID',
};

const resourceName = z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, _ or -');
const s3ObjectOrPrefix = z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be an s3:// URI');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');

const columnDefinition = z.discriminatedUnion('kind', [
  z.object({ name: z.string().min(1), kind: z.literal('PII'), type: z.enum(TIKTOK_IDENTIFIER_TYPES) }).strict(),
  z.object({ name: z.string().min(1), kind: z.literal('NON_PII') }).strict(),
]);
export type ColumnDefinition = z.output<typeof columnDefinition>;

const querySource = z
  .object({
    kind: z.literal('cleanRoomsQuery'),
    membershipId: z.string().uuid(),
    sql: z.string().min(1).max(500_000).optional(),
    analysisTemplateArn: z.string().max(200).optional(),
    parameters: z.record(z.string(), z.string()).optional(),
    resultBucket: bucketName,
    resultPrefix: z.string().max(400).regex(/^([\w!.=*-]+\/)*$/).default('audience-upload/'),
    resultFormat: z.enum(['CSV', 'PARQUET']).default('CSV'),
    poll: z
      .object(pollIntervalsShape({ initialInterval: '30 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 }))
      .strict()
      .default({ initialInterval: '30 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 }),
    timeout: durationSchema.default('24 hours'),
  })
  .strict();

export const audienceUploadInputSchema = z
  .object({
    version: z.literal(1).default(1),
    name: resourceName,
    source: z.discriminatedUnion('kind', [z.object({ kind: z.literal('s3'), uri: s3ObjectOrPrefix, format: z.enum(DATA_FORMATS).optional() }).strict(), querySource]),
    columns: z.array(columnDefinition).min(1),
    prepare: z.object({ defaultRegion: regionCode.default('US') }).strict().default({ defaultRegion: 'US' }),
    output: z
      .object({
        workPrefix: s3PrefixSchema,
        maxFileBytes: z.number().int().min(1024 * 1024).max(1024 ** 3).default(50 * 1024 * 1024),
        keepSnapshots: z.number().int().min(2).max(30).default(7),
      })
      .strict(),
    audience: z
      .object({
        name: z.string().min(1).max(128),
        id: z.string().regex(/^\d{1,30}$/).optional(),
        mode: z.enum(['append', 'replace', 'delta']).default('delta'),
        layout: z.enum(['one', 'per-type']).default('one'),
        retentionDays: z.number().int().min(1).max(365).optional(),
        minimumSize: z.number().int().min(0).default(1000),
        allowSmallCreate: z.boolean().default(false),
      })
      .strict(),
    tiktok: z
      .object({
        baseUrl: z.string().url().default('https://business-api.tiktok.com'),
        credentialsSecretId: z.string().min(1),
        filesPerRequest: z.number().int().min(1).max(49).default(20),
        uploadsInParallel: z.number().int().min(1).max(4).default(2),
        rateLimitBackoff: z
          .object(pollIntervalsShape({ initialInterval: '10 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 }))
          .strict()
          .default({ initialInterval: '10 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 }),
      })
      .strict(),
    processingPoll: z
      .object({ ...pollIntervalsShape({ initialInterval: '1 minute', maximumInterval: '1 hour', backoffCoefficient: 2 }), timeout: durationSchema.default('3 days') })
      .strict()
      .default({ initialInterval: '1 minute', maximumInterval: '1 hour', backoffCoefficient: 2, timeout: '3 days' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const types = new Set(config.columns.flatMap((c) => (c.kind === 'PII' ? [c.type] : [])));
    if (config.audience.mode === 'replace' && config.audience.layout === 'one' && types.size > 1) {
      ctx.addIssue({ code: 'custom', path: ['audience', 'mode'], message: 'replace with layout one takes one PII type: one REPLACE carries one identifier type (use layout per-type, or mode delta)' });
    }
  });
export type AudienceUploadInput = z.input<typeof audienceUploadInputSchema>;
export type AudienceUploadConfig = z.output<typeof audienceUploadInputSchema>;
export type AudienceMode = AudienceUploadConfig['audience']['mode'];
export type TiktokTarget = Pick<AudienceUploadConfig['tiktok'], 'baseUrl' | 'credentialsSecretId'>;

export function prepRulesFor(c: AudienceUploadConfig): PrepRules {
  const columns = Object.fromEntries(c.columns.flatMap((col) => (col.kind === 'PII' ? [[col.name, ENGINE_TYPE[col.type]]] : [])));
  return { profile: 'tiktok', columns, defaultRegion: c.prepare.defaultRegion, country: 'US', keepRowWhen: 'any' };
}

/** prepareIdentityData's input for TikTok: unmapped columns dropped, one headerless file per identifier type, capped in size (slice A's engine options). */
export function perTypePrepareInput(c: AudienceUploadConfig, input: string, inputFormat: DataFormat | undefined, output: string): PrepareIdentityDataInput {
  const engineOptions = { outputLayout: 'per-type', maxOutputBytes: c.output.maxFileBytes };
  const rules = { ...prepRulesFor(c), keepUnmapped: false, outputHeader: 'none' };
  return { input, inputFormat, output, outputFormat: 'csv', ...engineOptions, rules } as unknown as PrepareIdentityDataInput;
}

export function audienceLocations(c: AudienceUploadConfig, runKey: string) {
  const work = c.output.workPrefix;
  return {
    prepared: `${work}prepared/`,
    snapshots: `${work}snapshots/`,
    snapshot: `${work}snapshots/run-${runKey}/`,
    delta: `${work}snapshots/run-${runKey}/delta/`,
    current: `${work}snapshots/current.json`,
    pending: `${work}snapshots/pending.json`,
    uploads: `${work}uploads/run-${runKey}/`,
  };
}

/** The audience a type's identifiers go to under layout per-type. */
export const perTypeAudienceName = (name: string, type: TiktokIdentifierType): string => `${name} ${type}`;

export function checkAudienceColumns(defs: ColumnDefinition[], header: string[]): { unknown: string[]; missing: string[] } {
  const defined = new Set(defs.map((d) => d.name));
  const present = new Set(header);
  return { unknown: header.filter((h) => !defined.has(h)), missing: defs.map((d) => d.name).filter((n) => !present.has(n)) };
}

/** One line for a failure or a terminal: names only. */
export function describeColumnMismatch(result: { unknown: string[]; missing: string[] }): string | undefined {
  const parts: string[] = [];
  if (result.unknown.length > 0) parts.push(`the source has columns the definition lacks (add each to columns as PII with its type, or NON_PII): ${result.unknown.join(', ')}`);
  if (result.missing.length > 0) parts.push(`columns defined but not in the source's header: ${result.missing.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** A guess at what a column holds, from sample values it never returns (slice A's schemas/audience-columns.ts). */
export function guessColumnType(samples: string[]): TiktokIdentifierType | 'NON_PII' | 'HASHED' {
  const values = samples.map((value) => value.trim()).filter((value) => value !== '');
  const mostly = (test: (value: string) => boolean) => values.filter(test).length * 5 >= values.length * 4;
  if (values.length === 0) return 'NON_PII';
  if (mostly((v) => /^[0-9a-fA-F]{64}$/.test(v))) return 'HASHED';
  if (mostly((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))) return 'EMAIL_SHA256';
  if (mostly((v) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v))) return mostly((v) => v === v.toUpperCase()) ? 'IDFA_SHA256' : 'GAID_SHA256';
  if (mostly((v) => /^\+?[\d\s().-]+$/.test(v) && v.replace(/\D/g, '').length >= 7)) return 'PHONE_SHA256';
  return 'NON_PII';
}

export type AudienceAction = 'CREATE' | 'APPEND' | 'REMOVE' | 'REPLACE';

export interface AudienceUploadResult {
  outcome: 'applied' | 'unchanged';
  /** The run whose snapshot the audience already matched, when unchanged. */
  since?: string;
  audienceIds: Partial<Record<TiktokIdentifierType, string>>;
  created: boolean;
  mode: AudienceMode;
  identifiers: Partial<Record<TiktokIdentifierType, number>>;
  added: Partial<Record<TiktokIdentifierType, number>>;
  removed: Partial<Record<TiktokIdentifierType, number>>;
  files: { uploaded: number; applied: number };
  rows: { in: number; out: number; rejected: number };
  rejectsPrefix: string;
  snapshotUri: string;
  query?: { id: string; durationMs?: number };
  audience?: AudienceDetail;
}

// ---- slice A: snapshots and the ledger (activities/audience-snapshots.ts) ----
export interface SnapshotFile {
  uri: string;
  bytes: number;
  md5: string;
  type: TiktokIdentifierType;
}
export interface SnapshotSummary {
  manifestUri: string;
  counts: Partial<Record<TiktokIdentifierType, number>>;
  files: SnapshotFile[];
}
export interface SnapshotDiff {
  additions: SnapshotFile[];
  removals: SnapshotFile[];
  counts: Record<TiktokIdentifierType, { added: number; removed: number; kept: number }>;
}
export interface AudienceLedger {
  version: 1;
  runKey: string;
  audienceIds: Partial<Record<TiktokIdentifierType, string>>;
  snapshotManifestUri: string;
  counts: Partial<Record<TiktokIdentifierType, number>>;
  applied: Record<string, AudienceAction>;
}

export interface AudienceSnapshotActivities {
  buildAudienceSnapshot(i: { preparedManifestUri: string; snapshotPrefix: string; maxFileBytes: number }): Promise<SnapshotSummary>;
  diffAudienceSnapshots(i: { previousManifestUri: string; currentManifestUri: string; outPrefix: string; maxFileBytes: number }): Promise<SnapshotDiff>;
  readAudienceLedger(i: { current: string; pending: string }): Promise<AudienceLedger | undefined>;
  writeAudienceLedger(i: { current: string; ledger: AudienceLedger; keep: number }): Promise<void>;
  recordAudiencePending(i: { pending: string; ledger: AudienceLedger }): Promise<void>;
  describeAudienceSource(i: { uri: string; format?: DataFormat }): Promise<{ header: string[]; objects: number; bytes: number }>;
}

// ---- slice B: Clean Rooms protected queries (activities/clean-rooms/clean-rooms-queries.ts) ----
export interface ProtectedQuerySpec {
  membershipId: string;
  sql?: string;
  analysisTemplateArn?: string;
  parameters?: Record<string, string>;
  resultBucket: string;
  keyPrefix: string;
  resultFormat: 'CSV' | 'PARQUET';
}
export interface ProtectedQueryActivities {
  startProtectedQuery(spec: ProtectedQuerySpec): Promise<{ queryId: string; adopted: boolean }>;
  checkProtectedQuery(i: { membershipId: string; queryId: string }): Promise<{ resultUri: string; totalDurationMs?: number }>;
  cancelProtectedQuery(i: { membershipId: string; queryId: string }): Promise<void>;
  checkQueryMembership(i: { membershipId: string }): Promise<{ membershipArn: string; canQuery: boolean; canReceiveResults: boolean }>;
}

// ---- slice C: the TikTok Business API (activities/tiktok-api/) ----
export interface AudienceDetail {
  isValid: boolean;
  isExpired?: boolean;
  size?: number;
  calculateType?: string;
}
export type FoundAudience = { found: 'none' } | { found: 'one'; audienceId: string; calculateType?: string } | { found: 'many'; audienceIds: string[] };

export interface TiktokActivities {
  checkTiktokCredentials(i: { tiktok: TiktokTarget }): Promise<{ keys: ['ACCESS_TOKEN', 'ADVERTISER_ID'] }>;
  findAudience(i: { tiktok: TiktokTarget; name: string; id?: string }): Promise<FoundAudience>;
  uploadAudienceFile(i: { tiktok: TiktokTarget; uri: string; md5: string; calculateType: TiktokIdentifierType }): Promise<{ filePath: string }>;
  createAudience(i: { tiktok: TiktokTarget; name: string; calculateType: TiktokIdentifierType; filePaths: string[]; retentionDays?: number }): Promise<{
    audienceId: string;
    adopted: boolean;
  }>;
  updateAudience(i: { tiktok: TiktokTarget; audienceId: string; action: Exclude<AudienceAction, 'CREATE'>; filePaths: string[] }): Promise<void>;
  checkAudienceProcessed(i: { tiktok: TiktokTarget; audienceId: string }): Promise<AudienceDetail>;
}

/** Every activity audienceUpload calls that the other slices build. */
export type AudienceUploadPorts = AudienceSnapshotActivities & ProtectedQueryActivities & TiktokActivities;
