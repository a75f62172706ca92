import { z } from 'zod';
import { AMC_FIELD_TYPES, AMC_IDENTITY_COLUMNS_PER_TABLE, planAmcColumns } from './amc-columns';
import { durationSchema, durationToMs } from '../duration';
import { pollIntervalsShape } from '../poll-schedule';
import { DATA_FORMATS, prepRulesSchema } from '../preparation/prep';
import { s3PrefixSchema } from '../s3-prefix';
import { parseS3Uri, S3_OBJECT_OR_PREFIX_PATTERN } from '../../storage/s3-uri';

/**
 * Input of `amcIdMapping` (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"): prepare a raw identity file
 * for AMC, publish it as a Glue table behind an Entity Resolution ID namespace associated with the AMC Clean Rooms
 * collaboration, create the AMC ID mapping table over it, and refresh it when the input changes, at most once per 14 days.
 */

/** Names every resource (Glue tables, schema mappings, ID namespace, association, AMC table): the ER ARN pattern's characters. */
const resourceName = z.string().regex(/^[a-zA-Z0-9_-]{1,60}$/, 'may hold only letters, digits, _ and - (at most 60): it names Glue, Entity Resolution and AMC resources');
/** A column of the input, as its header spells it (a schema mapping fieldName's characters). */
const columnName = z.string().regex(/^[a-zA-Z_0-9-]{1,255}$/, 'must be a column name of letters, digits, _ or -');
/** Entity Resolution's input ARN allows `[a-zA-Z_0-9-]` in the database and table names: no dots. */
const glueName = z.string().regex(/^[a-z0-9_-]{1,255}$/, 'must be a Glue name of lowercase letters, digits, _ and - (Entity Resolution refuses dots in its input ARN)');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http(s) URL');
const MIN_REFRESH_INTERVAL_MS = 14 * 24 * 3600_000;

const prefix = s3PrefixSchema.refine((uri) => uri.endsWith('/'), 'must end with /');

const amcIdMappingObject = z
  .object({
    version: z.literal(1).default(1),
    name: resourceName,
    region: z.literal('us-east-1', { error: 'AMC collaboration instances run in us-east-1 only (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms")' }),
    /** The account that owns the Glue catalog, the ID namespace and the data. */
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    input: z.object({ uri: z.string().regex(S3_OBJECT_OR_PREFIX_PATTERN, 'must be an s3:// object or prefix URI'), format: z.enum(DATA_FORMATS).optional() }).strict(),
    /** The input column with each person's unique key, written as a string under its lowercased name. */
    uniqueId: columnName,
    /** Identity column (as the input names it) → its AMC type. */
    columns: z.record(columnName, z.enum(AMC_FIELD_TYPES)).refine((c) => Object.keys(c).length > 0, 'map at least one identity column'),
    prepare: z
      .object({
        /** Hash the prepared values (Amazon Ads' normalisation, then SHA-256); false writes them normalised in clear. Sets each field's `hashed`. */
        hash: z.boolean().default(true),
        defaultRegion: prepRulesSchema.shape.defaultRegion,
        country: prepRulesSchema.shape.country,
        keepRowWhen: prepRulesSchema.shape.keepRowWhen,
      })
      .strict()
      .default({ hash: true, defaultRegion: 'US', country: 'US', keepRowWhen: 'any' }),
    output: z
      .object({
        /** Glue table locations: `<dataPrefix><table>/gen-<g>/`. Holds nothing else. */
        dataPrefix: prefix,
        /** Prepared parts, rejects, shards, fingerprints and manifests: `<workPrefix>gen-<g>/…`. */
        workPrefix: prefix,
        format: z.enum(['parquet', 'csv']).default('parquet'),
        kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, 'must be a KMS key ARN').optional(),
        keepGenerations: z.number().int().min(2).max(10).default(2),
      })
      .strict(),
    /** The bucket AMC writes query results to: it must not be the data's bucket. */
    queryResultsBucket: bucketName,
    collapse: z
      .object({
        /** Identity column → the most values one collapsed row keeps of it (values past it are dropped and counted). */
        maxValuesPerColumn: z.record(columnName, z.number().int().min(1).max(AMC_IDENTITY_COLUMNS_PER_TABLE)).default({}),
      })
      .strict()
      .default({ maxValuesPerColumn: {} }),
    split: z
      .object({
        /** More than 24 identity columns go to further tables (each its own Glue table and schema mapping). */
        allow: z.boolean().default(false),
        /** 'one': every split table an input source of one namespace (one AMC table); 'per-table': a namespace and AMC table each. */
        namespaces: z.enum(['one', 'per-table']).default('one'),
      })
      .strict()
      .default({ allow: false, namespaces: 'one' }),
    glue: z.object({ database: glueName }).strict(),
    entityResolution: z
      .object({
        passRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)').min(32).max(512),
        onDrift: z.enum(['update', 'fail']).default('fail'),
      })
      .strict(),
    cleanRooms: z
      .object({
        membershipId: z.string().uuid('must be a Clean Rooms membership id (a UUID)').optional(),
        associationName: z.string().min(1).max(100).optional(),
      })
      .strict()
      .default({}),
    amc: z
      .object({
        baseUrl: httpUrl.default('https://advertising-api.amazon.com'),
        tokenUrl: httpUrl.default('https://api.amazon.com/auth/o2/token'),
        instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be an AMC instance id'),
        advertiserId: z.string().min(1).max(100),
        marketplaceId: z.string().regex(/^[A-Z0-9]{1,20}$/, 'must be a marketplace id such as ATVPDKIKX0DER'),
        /** Secrets Manager id or ARN of {"clientId", "clientSecret", "refreshToken"}. */
        credentialsSecretId: z.string().min(1).max(2048),
        /** Default: `name`. */
        tableName: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'may hold only letters, digits, _ and -').optional(),
      })
      .strict(),
    refresh: z
      .object({
        minInterval: durationSchema.default('14 days').refine((d) => durationToMs(d) >= MIN_REFRESH_INTERVAL_MS, 'AMC allows one refresh per 14 days: at least "14 days"'),
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
  .strict();
export const amcIdMappingInputSchema = amcIdMappingObject.superRefine(crossChecks);

export type AmcIdMappingInput = z.input<typeof amcIdMappingInputSchema>;
export type AmcIdMappingConfig = z.output<typeof amcIdMappingInputSchema>;

type Shape = z.output<typeof amcIdMappingObject>;

const under = (inner: string, outer: string) => inner.startsWith(outer);

/** Rules across fields. Messages name fields, never values. */
function crossChecks(config: Shape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const dataBucket = parseS3Uri(config.output.dataPrefix)?.bucket;
  if (dataBucket === config.queryResultsBucket) {
    issue(['queryResultsBucket'], 'must differ from output.dataPrefix\'s bucket: AMC requires query results in another S3 location than the identity data');
  }
  if (under(config.output.workPrefix, config.output.dataPrefix) || under(config.output.dataPrefix, config.output.workPrefix)) {
    issue(['output', 'workPrefix'], 'must not be under output.dataPrefix, nor hold it: rejects and manifests stay out of the Glue tables\' locations');
  }
  if (under(config.input.uri, config.output.dataPrefix)) issue(['input', 'uri'], 'must not be under output.dataPrefix, which holds the published tables only');
  const lower = config.uniqueId.toLowerCase();
  if (Object.keys(config.columns).some((c) => c.toLowerCase() === lower)) {
    issue(['columns'], 'must not map uniqueId as an identity column: it is the UNIQUE_ID of every table');
    return;
  }
  const unknownCaps = Object.keys(config.collapse.maxValuesPerColumn).filter((c) => !(c in config.columns));
  if (unknownCaps.length > 0) issue(['collapse', 'maxValuesPerColumn'], `names columns not in columns: ${unknownCaps.join(', ')}`);
  const planned = planAmcColumns({ uniqueId: config.uniqueId, columns: config.columns, split: config.split });
  if (!planned.ok) issue(planned.clash ? ['columns'] : ['split'], `${planned.message} (${planned.type})`);
}
