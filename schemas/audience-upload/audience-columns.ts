import { z } from 'zod';

/**
 * The column definition of an audience upload (step 3 of the Audience Uploader from AWS Clean Rooms UI, "define columns", in config): every column of
 * the source file is PII, with the TikTok identifier type it holds, or NON_PII (never written). Checks name fields and
 * column names, never values.
 */

/** TikTok `calculate_type`s this version supports: the four SHA-256 types of the Audience Uploader from AWS Clean Rooms. */
export const TIKTOK_IDENTIFIER_TYPES = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'GAID_SHA256'] as const;
export type TiktokIdentifierType = (typeof TIKTOK_IDENTIFIER_TYPES)[number];

export const columnDefinitionSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string().min(1), kind: z.literal('PII'), type: z.enum(TIKTOK_IDENTIFIER_TYPES) }).strict(),
  z.object({ name: z.string().min(1), kind: z.literal('NON_PII') }).strict(),
]);
export type ColumnDefinition = z.output<typeof columnDefinitionSchema>;

type Issue = { path: (string | number)[]; message: string };

/** Rules of a definition on its own: no column twice, at least one PII column. */
export function columnDefinitionIssues(defs: ColumnDefinition[]): Issue[] {
  const issues: Issue[] = [];
  const firstAt = new Map<string, number>();
  defs.forEach((def, i) => {
    const first = firstAt.get(def.name);
    if (first === undefined) firstAt.set(def.name, i);
    else issues.push({ path: ['columns', i, 'name'], message: `mapped twice: columns[${first}] and columns[${i}]` });
  });
  if (!defs.some((def) => def.kind === 'PII')) issues.push({ path: ['columns'], message: 'at least one column must be PII: TikTok needs an identifier' });
  return issues;
}

/** The distinct TikTok types the PII columns hold, in the definition's order. */
export function piiTypesOf(defs: ColumnDefinition[]): TiktokIdentifierType[] {
  return [...new Set(defs.flatMap((def) => (def.kind === 'PII' ? [def.type] : [])))];
}

/**
 * The definition against the source's header: columns in the file but not defined (`unknown`: add them as PII or
 * NON_PII) and defined columns the file lacks (`missing`).
 */
export function checkAudienceColumns(defs: ColumnDefinition[], header: string[]): { unknown: string[]; missing: string[] } {
  const defined = new Set(defs.map((def) => def.name));
  const present = new Set(header);
  return { unknown: header.filter((name) => !defined.has(name)), missing: defs.map((def) => def.name).filter((name) => !present.has(name)) };
}

/** One line for a failure or a terminal: names only. */
export function describeColumnMismatch(result: { unknown: string[]; missing: string[] }): string | undefined {
  const parts: string[] = [];
  if (result.unknown.length > 0) parts.push(`the source has columns the definition lacks (add each to columns as PII with its type, or NON_PII): ${result.unknown.join(', ')}`);
  if (result.missing.length > 0) parts.push(`columns defined but not in the source's header: ${result.missing.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const PHONE_CHARS = /^\+?[\d\s().-]+$/;

/** Most (4 in 5) of the values pass the test. */
const mostly = (values: string[], test: (value: string) => boolean) => values.filter(test).length * 5 >= values.length * 4;

/**
 * A guess at what a column holds, from sample values (which it never returns): 64 hex digits → already hashed;
 * an email shape → EMAIL_SHA256; a UUID → IDFA_SHA256 when mostly uppercase (Apple's spelling) else GAID_SHA256 (the user
 * confirms which); at least 7 digits in phone punctuation → PHONE_SHA256; anything else NON_PII.
 */
export function guessColumnType(samples: string[]): TiktokIdentifierType | 'NON_PII' | 'HASHED' {
  const values = samples.map((value) => value.trim()).filter((value) => value !== '');
  if (values.length === 0) return 'NON_PII';
  if (mostly(values, (v) => SHA256_HEX.test(v))) return 'HASHED';
  if (mostly(values, (v) => EMAIL_LIKE.test(v))) return 'EMAIL_SHA256';
  if (mostly(values, (v) => UUID.test(v))) return mostly(values, (v) => v === v.toUpperCase()) ? 'IDFA_SHA256' : 'GAID_SHA256';
  if (mostly(values, (v) => PHONE_CHARS.test(v) && v.replace(/\D/g, '').length >= 7)) return 'PHONE_SHA256';
  return 'NON_PII';
}
