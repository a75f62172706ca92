import { z } from 'zod';

/** Destinations whose published normalisation and hashing rules the engine applies. */
export const PREP_PROFILES = ['uid2', 'amc', 'tiktok', 'er'] as const;
export type PrepProfile = (typeof PREP_PROFILES)[number];

export const IDENTIFIER_TYPES = ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY', 'IDFA', 'GAID'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export const DATA_FORMATS = ['csv', 'jsonl', 'json', 'parquet'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const OUTPUT_FORMATS = ['csv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const regionCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or GB');

/** How to prepare one dataset: which columns hold which identifier, and for which destination. */
export const prepRulesSchema = z
  .object({
    profile: z.enum(PREP_PROFILES),
    /** Input column name → identifier type. Columns not named here are copied unchanged. */
    columns: z.record(z.string().min(1), z.enum(IDENTIFIER_TYPES)).refine((c) => Object.keys(c).length > 0, 'map at least one column'),
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
  })
  .strict();
export type PrepRulesInput = z.input<typeof prepRulesSchema>;
export type PrepRules = z.output<typeof prepRulesSchema>;

/** A local path or an s3://bucket/key URI. */
export const dataLocationSchema = z.string().min(1);

export function formatFromName(name: string): DataFormat | undefined {
  const lower = name.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}
