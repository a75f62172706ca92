import { z } from 'zod';
import { durationSchema } from '../duration';
import type { EnsuredResource } from '../ensured-resource';
import type { ErSlotWait } from './er-quotas';
import { regionCode } from '../preparation/prep';
import { pollIntervalsShape, pollScheduleSchema } from '../poll-schedule';
import { TERMINAL_STAGES } from '../stages';
import { uid2SubscriptionApprovalInputSchema } from '../uid2-subscription-approval';
import { s3PrefixSchema } from '../s3-prefix';

/**
 * Input of `uid2Matching` (UID2 docs, "AWS Entity Resolution Integration Guide": "Configure AWS Account", "Create a Matching Workflow", "Run the
 * Matching Workflow"): map the emails and/or phone numbers of one table to raw UID2s through an Entity
 * Resolution PROVIDER matching workflow.
 */

/** Entity Resolution resource names: `[a-zA-Z_0-9-]`, at most 255; the workflow appends `_email` / `_phone`. */
const resourceName = z
  .string()
  .regex(/^[a-zA-Z_0-9-]+$/, 'may hold only letters, digits, _ and - (an Entity Resolution resource name)')
  .max(200, 'at most 200 characters, so the _email / _phone suffix still fits the 255-character limit');
/** A schema mapping's fieldName (`^[a-zA-Z_0-9- \t]*$`): the Glue table's column name. */
const columnName = z.string().regex(/^[a-zA-Z_0-9- ]{1,255}$/, 'must be a column name of letters, digits, _, - or spaces');
const glueName = z.string().regex(/^[a-z0-9_]{1,255}$/, 'must be a Glue name: lowercase letters, digits and _');

export const UID2_IDENTIFIERS = ['email', 'phone'] as const;
export type Uid2Identifier = (typeof UID2_IDENTIFIERS)[number];
/** The Entity Resolution attribute type of each identifier: the only types a UID2 schema takes besides UNIQUE_ID. */
export const UID2_ATTRIBUTE_TYPE = { email: 'EMAIL_ADDRESS', phone: 'PHONE_NUMBER' } as const satisfies Record<Uid2Identifier, string>;

export const uid2DataSourceSchema = z.union([
  z.object({ glueTable: z.object({ database: glueName, table: glueName }).strict() }).strict(),
  z
    .object({
      /** CSV or Parquet objects under this prefix; the workflow catalogs them as a Glue table itself. */
      s3: z
        .object({
          prefix: s3PrefixSchema.refine((uri) => uri.endsWith('/'), 'must end with / (a prefix, as a Glue table location is)'),
          format: z.enum(['csv', 'parquet']),
          glueDatabase: glueName.default('identity_workflows'),
          /** Default: the workflow's name, lowercased. */
          glueTable: glueName.optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type Uid2DataSource = z.output<typeof uid2DataSourceSchema>;

/** Preparation of the identifiers before matching (emails normalised by UID2's rules, phones made E.164), into a table Entity Resolution reads. */
export const prepareOptionsSchema = z
  .object({
    /** Where the prepared tables and rejects go: `<output><ER workflow>/` (manifest.json, run-<id>/data/, run-<id>/rejects/). Default: `<output.s3Path>prepared/`. */
    output: s3PrefixSchema.refine((uri) => uri.endsWith('/'), 'must end with /').optional(),
    /** Region national phone numbers (no leading '+') are read in. */
    defaultRegion: regionCode.default('US'),
    /** Glue database of the prepared tables. Default: the input's database. */
    glueDatabase: glueName.optional(),
  })
  .strict();
export type PrepareOptions = z.output<typeof prepareOptionsSchema>;

export const jobPollSchema = z
  .object({
    ...pollIntervalsShape({ initialInterval: '1 minute', maximumInterval: '10 minutes', backoffCoefficient: 2 }),
    /** Give up on a job that has not finished after this long (the job itself keeps running in AWS). */
    timeout: durationSchema.default('7 days'),
  })
  .strict();

export const uid2MatchingInputSchema = z
  .object({
    /** 2: the current config shape, in which `prepare` is on unless set to false. A config without it is version 1 (no preparation), as it was written. */
    version: z.union([z.literal(1), z.literal(2)]).default(1),
    /** Names the Entity Resolution resources (`<name>_email`, `<name>_phone`) and the run, e.g. CompanyName_UID2_Daily_Matching. */
    name: resourceName,
    description: z.string().max(255).optional(),
    data: uid2DataSourceSchema,
    /** The column with each record's unique id (the schema mapping's UNIQUE_ID, at most 38 characters per value). */
    uniqueIdColumn: columnName,
    emailColumn: columnName.optional(),
    phoneColumn: columnName.optional(),
    output: z
      .object({
        /** Entity Resolution writes under `<s3Path><erWorkflowName>/<jobId>/`. */
        s3Path: s3PrefixSchema,
        /** `normalized` (the console's default) normalizes the inputs before matching and in the output; `original` keeps them as they are. */
        format: z.enum(['normalized', 'original']).default('normalized'),
        /** Mapped input columns left out of the output (the unique id always stays: it joins the UID2s back to your records). */
        exclude: z.array(columnName).default([]),
        /** Mapped input columns written hashed in the output. */
        hash: z.array(columnName).default([]),
        /** Customer managed KMS key for the output; default: a key Entity Resolution owns. */
        kmsKeyArn: z
          .string()
          .regex(/^arn:(aws|aws-us-gov|aws-cn):kms:.*:[0-9]+:.*$/, 'must be a KMS key ARN')
          .optional(),
      })
      .strict(),
    /** The role Entity Resolution assumes: reads the Glue table and S3 data, writes the output, and may call dataexchange:SendApiAsset on the UID2 asset. */
    roleArn: z.string().regex(/^arn:aws(-[a-z]+)?:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
    /** What to do when an existing matching workflow differs from this config: update it, or fail naming each difference. */
    onDrift: z.enum(['update', 'fail']).default('update'),
    /** The UID2 subscription the run needs; when it is not approved yet the run waits for uid2SubscriptionApproval with these settings. */
    subscription: uid2SubscriptionApprovalInputSchema.default(uid2SubscriptionApprovalInputSchema.parse({})),
    jobPoll: jobPollSchema.default(jobPollSchema.parse({})),
    /**
     * 'er-workflow': jobs take turns per Entity Resolution matching workflow. 'account-region': each job's
     * start and run also take turns with every run that asks this, per account + Region, so several
     * pipelines do not compete for the Region's one provider-service job slot.
     */
    jobQueue: z.enum(['er-workflow', 'account-region']).default('er-workflow'),
    /** Prepare the identifiers before matching (default: on in version 2, off in version 1); false: give Entity Resolution the table as it is. */
    prepare: z.union([z.literal(false), prepareOptionsSchema]).optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!input.emailColumn && !input.phoneColumn) {
      issue(['emailColumn'], 'set emailColumn, phoneColumn or both: UID2 maps email addresses and phone numbers only');
    }
    const mapped = new Map<string, string>();
    for (const key of ['uniqueIdColumn', 'emailColumn', 'phoneColumn'] as const) {
      const column = input[key];
      if (column === undefined) continue;
      const clash = mapped.get(column.toLowerCase());
      if (clash) issue([key], `is the same column as ${clash}: each record has one unique id and one identifier per type`);
      mapped.set(column.toLowerCase(), key);
    }
    const inSchema = (column: string) => mapped.has(column.toLowerCase());
    input.output.exclude.forEach((column, i) => {
      if (column.toLowerCase() === input.uniqueIdColumn.toLowerCase()) {
        issue(['output', 'exclude', i], 'the unique id cannot be excluded: it is how the output rows join back to your records');
      } else if (!inSchema(column)) {
        issue(['output', 'exclude', i], `is not a mapped column: a UID2 schema holds only the unique id, email and phone columns, and only those reach the output`);
      }
    });
    input.output.hash.forEach((column, i) => {
      if (preparationOf(input) && column.toLowerCase() === input.uniqueIdColumn.toLowerCase()) {
        issue(['output', 'hash', i], 'the unique id cannot be hashed when the identifiers are prepared: it is how the output rows join back to your records');
      } else if (!inSchema(column)) {
        issue(['output', 'hash', i], `is not a mapped column: a UID2 schema holds only the unique id, email and phone columns, and only those reach the output`);
      } else if (input.output.exclude.some((e) => e.toLowerCase() === column.toLowerCase())) {
        issue(['output', 'hash', i], 'is also excluded: a column is either left out or hashed');
      }
    });
  });
export type Uid2MatchingInput = z.input<typeof uid2MatchingInputSchema>;
export type Uid2MatchingConfig = z.output<typeof uid2MatchingInputSchema>;

/** The identifiers a config maps, in a fixed order: one schema mapping + matching workflow each (the integration guide's note on duplicated records). */
export function identifiersOf(config: Pick<Uid2MatchingConfig, 'emailColumn' | 'phoneColumn'>): { identifier: Uid2Identifier; column: string }[] {
  const out: { identifier: Uid2Identifier; column: string }[] = [];
  if (config.emailColumn) out.push({ identifier: 'email', column: config.emailColumn });
  if (config.phoneColumn) out.push({ identifier: 'phone', column: config.phoneColumn });
  return out;
}

/** The preparation a config asks for, or undefined: every decision on the prepared path reads this. */
export function preparationOf(config: { version?: 1 | 2; prepare?: false | PrepareOptions }): PrepareOptions | undefined {
  if (config.prepare === false) return undefined;
  if (config.prepare) return config.prepare;
  return config.version === 2 ? prepareOptionsSchema.parse({}) : undefined;
}

export const erResourceName = (name: string, identifier: Uid2Identifier) => `${name}_${identifier}`;

export const uid2MatchingStages = [
  'checking-subscription',
  'waiting-for-approval',
  'cataloging-input',
  'checking-input',
  'matching',
  ...TERMINAL_STAGES,
] as const;
export type Uid2MatchingStage = (typeof uid2MatchingStages)[number];

/** A job ends `completed`, `skipped` (nothing left to match after preparation) or `failed`: the run's cancellation shows on the run. */
export const matchingJobStages = ['pending', 'preparing', 'cataloging-prepared', 'ensuring-resources', 'queued', 'starting-job', 'waiting-for-slot', 'job-running', 'listing-output', 'completed', 'skipped', 'failed'] as const;
export type MatchingJobStage = (typeof matchingJobStages)[number];

export interface JobMetrics {
  inputRecords: number;
  totalRecordsProcessed: number;
  recordsNotProcessed: number;
}

export type { EnsuredResource, FieldDrift } from '../ensured-resource';

/**
 * Where each input row of one identifier went; `inputRows` = `matched` + `notProcessedByEr` + `rejectedBeforeEr`.
 * Without preparation nothing is rejected before Entity Resolution.
 */
export interface IdentifierCounts {
  inputRows: number;
  /** Rows left out of the prepared table: an empty or invalid identifier, or a row that could not be read. */
  rejectedBeforeEr: number;
  /** Why, by reason (`empty`, `unreadable`, the rule's reason). */
  rejectReasons: Record<string, number>;
  /** Values normalisation rewrote into the form UID2 takes (for phones: national numbers made E.164). */
  recovered: number;
  sentToEr: number;
  matched: number;
  notProcessedByEr: number;
  /** Set when the counts do not reconcile (reported, not thrown: the UID2s are written). */
  discrepancy?: string;
}

/** What the preparation of one identifier published (URIs only). */
export interface IdentifierPreparation {
  manifestUri: string;
  rejectsPrefix: string;
  preparedTableArn: string;
}

export interface Uid2IdentifierResult {
  identifier: Uid2Identifier;
  erWorkflow: EnsuredResource;
  schemaMapping: EnsuredResource;
  jobId: string;
  status: 'SUCCEEDED';
  metrics: JobMetrics;
  /** s3:// URIs of the objects the job wrote (its success and error outputs). */
  outputObjects: string[];
  outputPrefix: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Time spent waiting for an earlier job on the same Entity Resolution workflow. */
  queuedMs: number;
  counts?: IdentifierCounts;
  preparation?: IdentifierPreparation;
}

/** An identifier with no usable value left after preparation: no Entity Resolution job ran for it. */
export interface Uid2SkippedIdentifier {
  identifier: Uid2Identifier;
  skipped: 'no usable values';
  counts: IdentifierCounts;
  preparation: Omit<IdentifierPreparation, 'preparedTableArn'>;
}

export interface Uid2MatchingResult {
  name: string;
  /** The table Entity Resolution read as it is; absent when the identifiers were prepared (each job's `preparation` names its table). */
  inputTableArn?: string;
  /** The S3 prefix the identifiers were prepared from. */
  preparedFrom?: string;
  providerServiceArn: string;
  subscription: 'entitled' | 'approved-during-run';
  identifiers: Uid2IdentifierResult[];
  /** Prepared identifiers whose every row was rejected before Entity Resolution (see their rejects). */
  skipped?: Uid2SkippedIdentifier[];
}

/** Per identifier progress, for the `status` query. */
export interface MatchingJobStatus {
  identifier: Uid2Identifier;
  erWorkflow: string;
  stage: MatchingJobStage;
  queuedSince?: string;
  /** In stage `queued`: the queue waited in (the ER workflow's, or the account + Region's with jobQueue 'account-region'). */
  queue?: 'er-workflow' | 'account-region';
  /** Set once a start is refused for the Region's concurrency quota: the wait for the slot. */
  slotWait?: ErSlotWait;
  jobId?: string;
  jobStartedAt?: string;
  /** While the job runs: the poll schedule, from which checks made and the next check are derived. */
  polling?: z.infer<typeof pollScheduleSchema>;
  checks?: number;
  lastCheckAt?: string;
  nextCheckAt?: string;
  metrics?: JobMetrics;
  counts?: IdentifierCounts;
  /** The prepared table's ARN is absent for a skipped identifier (nothing was cataloged). */
  preparation?: Omit<IdentifierPreparation, 'preparedTableArn'> & { preparedTableArn?: string };
}

export interface Uid2MatchingStatus {
  stage: Uid2MatchingStage;
  startedAt: string;
  inputTableArn?: string;
  jobs: MatchingJobStatus[];
  nextAction: string;
}
