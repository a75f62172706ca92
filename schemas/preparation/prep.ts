import { z } from 'zod';
import { S3_OBJECT_OR_PREFIX_PATTERN, joinUnder } from '../../storage/s3-uri';
import { s3PrefixSchema } from '../s3-prefix';

/** Destinations whose published normalisation and hashing rules the engine applies. */
export const PREP_PROFILES = ['uid2', 'amc', 'tiktok', 'er'] as const;
export type PrepProfile = (typeof PREP_PROFILES)[number];

export const IDENTIFIER_TYPES = ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY', 'IDFA', 'GAID'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export const DATA_FORMATS = ['csv', 'jsonl', 'json', 'parquet'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const OUTPUT_FORMATS = ['csv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const regionCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or GB');

/** How to prepare one dataset: which columns hold which identifier, and for which destination. */
export const prepRulesSchema = z
  .object({
    profile: z.enum(PREP_PROFILES),
    /** Input column name → identifier type. Columns not named here are copied unchanged. */
    columns: z.record(z.string().min(1), z.enum(IDENTIFIER_TYPES)),
    /**
     * Identity columns the profile has no rule for (AMC's MAID, LRP, EXP, MKL): copied as read, never hashed, and
     * a non-empty one makes its row usable for `keepRowWhen`.
     */
    passThrough: z.array(z.string().min(1)).optional(),
    /** Region national phone numbers (no leading '+') are read in. */
    defaultRegion: regionCode.default('US'),
    /** Country of the addresses (AMC's address, state and postal-code rules differ per country). */
    country: regionCode.default('US'),
    /**
     * `any`: a row is written when at least one mapped value is usable; unusable values are left empty.
     * `all`: a row with any unusable mapped value is left out whole.
     * Either way each invalid value is listed in the rejects object.
     */
    keepRowWhen: z.enum(['any', 'all']).default('any'),
    /**
     * false: write the normalised values in clear, for a destination that takes them so (Entity Resolution's
     * UID2 provider); unset: the profile's encoding (uid2, amc and tiktok hash).
     */
    hash: z.boolean().optional(),
    /**
     * The header written into the output: as read (unset), lowercased, as AMC's Glue tables need, or none (a CSV of
     * values only, as TikTok's customer files are). The rejects keep it as read.
     */
    outputHeader: z.enum(['as-read', 'lowercase', 'none']).optional(),
    /** false: columns the rules do not map are dropped, never written (unset: copied unchanged). The rejects keep them. */
    keepUnmapped: z.boolean().optional(),
  })
  .strict()
  .superRefine((rules, ctx) => {
    if (Object.keys(rules.columns).length === 0 && !rules.passThrough?.length) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'map at least one column (or name the columns copied as read in passThrough)' });
    const both = (rules.passThrough ?? []).filter((name) => name in rules.columns);
    if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['passThrough'], message: `${both.map((n) => `"${n}"`).join(', ')} also mapped in columns: name each column once` });
  });
export type PrepRulesInput = z.input<typeof prepRulesSchema>;
export type PrepRules = z.output<typeof prepRulesSchema>;

export function formatFromName(name: string): DataFormat | undefined {
  const lower = name.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}


/** `rows`: the input's rows, one object per part; `per-type`: one headerless single-column CSV per identifier type and part. */
export const OUTPUT_LAYOUTS = ['rows', 'per-type'] as const;
export type OutputLayout = (typeof OUTPUT_LAYOUTS)[number];

/** What the output's shape options allow together. Messages name fields only. */
export function outputShapeIssues(shape: { outputFormat: OutputFormat; outputLayout?: OutputLayout; maxOutputBytes?: number; rules: Pick<PrepRules, 'outputHeader'> }): { path: string[]; message: string }[] {
  if (shape.outputFormat !== 'parquet') return [];
  const issues: { path: string[]; message: string }[] = [];
  if (shape.rules.outputHeader === 'none') issues.push({ path: ['rules', 'outputHeader'], message: 'none is for CSV: a Parquet file always names its columns' });
  if (shape.outputLayout === 'per-type') issues.push({ path: ['outputLayout'], message: 'per-type writes CSV: set outputFormat csv' });
  if (shape.maxOutputBytes !== undefined) issues.push({ path: ['maxOutputBytes'], message: 'applies to CSV output only' });
  return issues;
}

/** Input of `prepareIdentityData`: an S3 object or prefix in, an S3 prefix out, the rules to apply. */
export const prepareIdentityDataInputSchema = z
  .object({
    /** One object (s3://bucket/key.csv) or every data object under a prefix (ending in '/'). */
    input: z.string().regex(S3_OBJECT_OR_PREFIX_PATTERN, 'must be an s3:// object or prefix URI'),
    /** The input format, when object names do not say it (.csv, .jsonl, .json, .parquet). */
    inputFormat: z.enum(DATA_FORMATS).optional(),
    /** Prefix the output parts, the rejects (under rejects/) and manifest.json are written under. */
    output: s3PrefixSchema,
    outputFormat: z.enum(OUTPUT_FORMATS).default('csv'),
    rules: prepRulesSchema,
    /** CSV and JSON Lines objects larger than this are split into byte ranges prepared in parallel. */
    splitBytes: z.number().int().min(1024 * 1024).default(256 * 1024 * 1024),
    /** A task commits (completes) an output part every this many rows; a retry resumes from the last one. */
    partRows: z.number().int().min(1000).default(1_000_000),
    /** Unset: `rows`. `per-type`: parts under `data/<type lowercased>/`, one value per line, empty values skipped. */
    outputLayout: z.enum(OUTPUT_LAYOUTS).optional(),
    /** No CSV output object grows past this many bytes: the writer rolls over to a further object at a line boundary. */
    maxOutputBytes: z.number().int().min(1024).optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const issue of outputShapeIssues(input)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type PrepareIdentityDataInput = z.input<typeof prepareIdentityDataInputSchema>;

/**
 * Where one run of a preparation into `output` writes (`run-<id>/`: parts under `data/`, rejects under
 * `rejects/`), stable across the retries of its tasks. Published by manifest.json at `output`.
 */
export function runLocation(output: string, runId: string): { run: string; data: string; rejects: string } {
  const run = joinUnder(output, `run-${runId}/`);
  return { run, data: `${run}data/`, rejects: `${run}rejects/` };
}

/** `completed` is upserted as IdentityStage "done", the value it had before the stages were unified. */
export type PrepStage = 'planning' | 'preparing' | 'writing-manifest' | 'completed' | 'failed' | 'cancelled';
export interface PrepStatus {
  stage: PrepStage;
  tasks: number;
  tasksDone: number;
}
