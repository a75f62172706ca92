import { z } from 'zod';
import { columnDefinitionIssues, columnDefinitionSchema, piiTypesOf, type TiktokIdentifierType } from './audience-columns';
import { durationSchema } from '../duration';
import { pollIntervalsShape } from '../poll-schedule';
import { DATA_FORMATS, regionCode, type DataFormat, type PrepareIdentityDataInput, type PrepRules } from '../preparation/prep';
import { s3PrefixSchema } from '../s3-prefix';
import { joinUnder, S3_OBJECT_OR_PREFIX_PATTERN } from '../../storage/s3-uri';

export { TIKTOK_IDENTIFIER_TYPES, type TiktokIdentifierType } from './audience-columns';

/**
 * Input of `audienceUpload`: a customer file in S3 (or an AWS Clean Rooms protected query's result) prepared with
 * TikTok's rules into one hashed file per identifier type and applied to a TikTok custom audience, exactly once,
 * kept in step run after run (after the AWS solution "Audience Uploader from AWS Clean Rooms").
 */

/** calculate_type → the engine's identifier type (profile tiktok). */
export const ENGINE_TYPE = { EMAIL_SHA256: 'EMAIL', PHONE_SHA256: 'PHONE', IDFA_SHA256: 'IDFA', GAID_SHA256: 'GAID' } as const satisfies Record<TiktokIdentifierType, 'EMAIL' | 'PHONE' | 'IDFA' | 'GAID'>;
/** The engine's identifier type → TikTok's calculate_type. */
export const TIKTOK_TYPE_OF = { EMAIL: 'EMAIL_SHA256', PHONE: 'PHONE_SHA256', IDFA: 'IDFA_SHA256', GAID: 'GAID_SHA256' } as const satisfies Record<(typeof ENGINE_TYPE)[TiktokIdentifierType], TiktokIdentifierType>;

/** TikTok's custom_audience_name limit. */
export const AUDIENCE_NAME_MAX = 128;

const resourceName = z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'may hold only letters, digits, _ and - (at most 60): it names the run, its state prefix and its workflow id');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
/** https anywhere; plain http only to this machine (the sandbox's stand-in). */
const httpsOrLocalUrl = z.string().regex(/^(https:\/\/[^\s/]+|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)(\/\S*)?$/, 'must be an https URL (http only to localhost or 127.0.0.1)');
/** botocore's AnalysisTemplateArn pattern. */
const analysisTemplateArn = z
  .string()
  .max(200)
  .regex(/^arn:aws[-a-z]*:cleanrooms:[\w]{2}-[\w]{4,9}-[\d]:[\d]{12}:membership\/[\d\w-]+\/analysistemplate\/[\d\w-]+$/, 'must be a Clean Rooms analysis template ARN');
/** StartProtectedQuery's keyPrefix pattern, plus a trailing '/' (the run's key goes under it). */
const s3KeyPrefix = z.string().max(400).regex(/^([\w!.=*-]+\/)*$/, 'must be a key prefix of letters, digits and !.=*_- segments, each ending in /');

const workPrefix = s3PrefixSchema.refine((uri) => uri.endsWith('/'), 'must end with /');

const s3Source = z.object({ kind: z.literal('s3'), uri: z.string().regex(S3_OBJECT_OR_PREFIX_PATTERN, 'must be an s3:// object or prefix URI'), format: z.enum(DATA_FORMATS).optional() }).strict();

const queryPoll = { initialInterval: '30 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 };
const cleanRoomsQuerySource = z
  .object({
    kind: z.literal('cleanRoomsQuery'),
    membershipId: z.string().uuid('must be a Clean Rooms membership id (a UUID)'),
    sql: z.string().min(1).max(500_000).optional(),
    analysisTemplateArn: analysisTemplateArn.optional(),
    parameters: z.record(z.string(), z.string()).optional(),
    /** Where Clean Rooms writes the result: not a bucket that holds a configured table's data. */
    resultBucket: bucketName,
    resultPrefix: s3KeyPrefix.default('audience-upload/'),
    resultFormat: z.enum(['CSV', 'PARQUET']).default('CSV'),
    poll: z.object(pollIntervalsShape(queryPoll)).strict().default(queryPoll),
    timeout: durationSchema.default('24 hours'),
  })
  .strict();

const rateLimitBackoff = { initialInterval: '10 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 };
const processingPoll = { initialInterval: '1 minute', maximumInterval: '1 hour', backoffCoefficient: 2 };

const audienceUploadObject = z
  .object({
    version: z.literal(1).default(1),
    name: resourceName,
    source: z.discriminatedUnion('kind', [s3Source, cleanRoomsQuerySource]),
    /** Every column of the source: PII with its TikTok type, or NON_PII (dropped, never written). */
    columns: z.array(columnDefinitionSchema).min(1),
    prepare: z.object({ defaultRegion: regionCode.default('US') }).strict().default({ defaultRegion: 'US' }),
    output: z
      .object({
        /** Prepared parts, rejects, snapshots, upload files and manifests. */
        workPrefix,
        /** Audience Uploader from AWS Clean Rooms splits at 50 MB; TikTok's Ads Manager takes files under 1 GB. */
        maxFileBytes: z.number().int().min(1024 * 1024).max(1024 ** 3).default(50 * 1024 * 1024),
        keepSnapshots: z.number().int().min(2).max(30).default(7),
      })
      .strict(),
    audience: z
      .object({
        name: z.string().min(1).max(AUDIENCE_NAME_MAX),
        /** Pins the audience when several share the name (TikTok allows duplicate names). */
        id: z.string().regex(/^\d{1,30}$/, 'must be a TikTok audience id (digits)').optional(),
        mode: z.enum(['append', 'replace', 'delta']).default('delta'),
        /** one: a single audience, other types APPENDed (as Audience Uploader from AWS Clean Rooms does); per-type: one audience per identifier type. */
        layout: z.enum(['one', 'per-type']).default('one'),
        retentionDays: z.number().int().min(1).max(365).optional(),
        /** TikTok refuses APPEND, REMOVE and REPLACE leaving an audience under 1,000. */
        minimumSize: z.number().int().min(0).default(1000),
        allowSmallCreate: z.boolean().default(false),
      })
      .strict(),
    tiktok: z
      .object({
        baseUrl: httpsOrLocalUrl.default('https://business-api.tiktok.com'),
        /** Secrets Manager id or ARN of {"ACCESS_TOKEN": "…", "ADVERTISER_ID": "…"} (the keys Audience Uploader from AWS Clean Rooms uses). */
        credentialsSecretId: z.string().min(1).max(2048),
        /** TikTok recommends fewer than 50 file paths per create or update. */
        filesPerRequest: z.number().int().min(1).max(49).default(20),
        uploadsInParallel: z.number().int().min(1).max(4).default(2),
        rateLimitBackoff: z.object(pollIntervalsShape(rateLimitBackoff)).strict().default(rateLimitBackoff),
      })
      .strict(),
    processingPoll: z
      .object({ ...pollIntervalsShape(processingPoll), timeout: durationSchema.default('3 days') })
      .strict()
      .default({ ...processingPoll, timeout: '3 days' }),
  })
  .strict();

export const audienceUploadInputSchema = audienceUploadObject.superRefine(crossChecks);
export type AudienceUploadInput = z.input<typeof audienceUploadInputSchema>;
export type AudienceUploadConfig = z.output<typeof audienceUploadInputSchema>;

/** Rules across fields. Messages name fields, never values. */
function crossChecks(config: z.output<typeof audienceUploadObject>, ctx: z.RefinementCtx): void {
  for (const issue of columnDefinitionIssues(config.columns)) ctx.addIssue({ code: 'custom', ...issue });
  if (config.audience.mode === 'replace' && config.audience.layout === 'one' && piiTypesOf(config.columns).length > 1) {
    ctx.addIssue({ code: 'custom', path: ['audience', 'mode'], message: 'replace with layout one takes one PII type: one REPLACE carries one identifier type (use layout per-type, or mode delta)' });
  }
  if (config.source.kind === 'cleanRoomsQuery' && (config.source.sql === undefined) === (config.source.analysisTemplateArn === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of sql and analysisTemplateArn' });
  }
  if (config.audience.layout === 'per-type') {
    const longest = Math.max(...piiTypesOf(config.columns).map((type) => perTypeAudienceName(config.audience.name, type).length));
    if (longest > AUDIENCE_NAME_MAX) ctx.addIssue({ code: 'custom', path: ['audience', 'name'], message: `with layout per-type, "<name> <TYPE>" must fit TikTok's ${AUDIENCE_NAME_MAX} characters` });
  }
}

/** The audience a type's identifiers go to under layout per-type. */
export const perTypeAudienceName = (name: string, type: TiktokIdentifierType): string => `${name} ${type}`;

/** The engine rules that prepare the source for TikTok: PII columns mapped, NON_PII columns not (dropped with keepUnmapped false). */
export function prepRulesFor(c: AudienceUploadConfig): PrepRules {
  const columns = Object.fromEntries(c.columns.flatMap((def) => (def.kind === 'PII' ? [[def.name, ENGINE_TYPE[def.type]]] : [])));
  return { profile: 'tiktok', columns, defaultRegion: c.prepare.defaultRegion, country: 'US', keepRowWhen: 'any', keepUnmapped: false, outputHeader: 'none' };
}

/** prepareIdentityData's input for TikTok: one headerless file per identifier type, each at most `maxFileBytes`. */
export function perTypePrepareInput(c: AudienceUploadConfig, input: string, inputFormat: DataFormat | undefined, output: string): PrepareIdentityDataInput {
  return { input, inputFormat, output, outputFormat: 'csv', outputLayout: 'per-type', maxOutputBytes: c.output.maxFileBytes, rules: prepRulesFor(c) };
}

/**
 * Where a run keeps its state under the work prefix: the prepared parts, the snapshots (one `run-<key>/` each, this run's
 * `snapshot`, and its `delta` against the last), the ledger `current.json` and `pending.json`, and the run's upload files.
 */
export function audienceLocations(c: AudienceUploadConfig, runKey: string) {
  const work = c.output.workPrefix;
  const snapshots = joinUnder(work, 'snapshots/');
  return {
    prepared: joinUnder(work, 'prepared/'),
    snapshots,
    snapshot: joinUnder(snapshots, `run-${runKey}/`),
    delta: joinUnder(snapshots, `run-${runKey}/delta/`),
    current: joinUnder(snapshots, 'current.json'),
    pending: joinUnder(snapshots, 'pending.json'),
    uploads: joinUnder(work, 'uploads', `run-${runKey}/`),
  };
}

type PerType = Partial<Record<TiktokIdentifierType, number>>;

/** What a run did: ids, counts and URIs only. */
export interface AudienceUploadResult {
  outcome: 'applied' | 'unchanged';
  /** The run whose snapshot the audience already matched, when unchanged. */
  since?: string;
  audienceIds: Partial<Record<TiktokIdentifierType, string>>;
  created: boolean;
  mode: AudienceUploadConfig['audience']['mode'];
  identifiers: PerType;
  added: PerType;
  removed: PerType;
  files: { uploaded: number; applied: number };
  rows: { in: number; out: number; rejected: number };
  rejectsPrefix: string;
  snapshotUri: string;
  query?: { id: string; durationMs?: number };
  /** What TikTok reports of the audience (lenient: the fields it returned). */
  audience?: { audienceId: string; isValid: boolean; isExpired?: boolean; size?: number; calculateType?: string };
}
