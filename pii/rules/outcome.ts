import { isSha256Hex } from '../hash';

/**
 * What a rule makes of one value: a normalised value to hash, an already hashed value, or a rejection with its
 * reason. `rewritten`: the normalised value differs from the trimmed input (a national phone number made E.164).
 */
export type RuleOutcome = { kind: 'normalized'; value: string; rewritten?: true } | { kind: 'prehashed'; value: string } | { kind: 'rejected'; reason: string };

export const normalized = (value: string): RuleOutcome => ({ kind: 'normalized', value });
export const prehashed = (value: string): RuleOutcome => ({ kind: 'prehashed', value });
export const rejected = (reason: string): RuleOutcome => ({ kind: 'rejected', reason });

/**
 * A value that is already a SHA-256 hex digest once trimmed passes through, lowercased (AMC, TikTok);
 * undefined otherwise. Trimming only shortens, so a value shorter than a digest is turned away untrimmed.
 */
export function prehashedSha256Hex(raw: string): RuleOutcome | undefined {
  if (raw.length < 64) return undefined;
  const trimmed = raw.trim();
  return isSha256Hex(trimmed) ? prehashed(trimmed.toLowerCase()) : undefined;
}
