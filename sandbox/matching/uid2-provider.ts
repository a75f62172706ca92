import { createHash, createHmac } from 'node:crypto';
import type { RuleOutcome } from '../../pii/rules/outcome';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';
import { normalizeUid2Email, normalizeUid2Phone } from '../../pii/rules/uid2';

/**
 * Deterministic UID2-like provider output for the sandbox, which stands in for the UID2 operator behind
 * Entity Resolution's provider-service matching (UID2's AWS Entity Resolution Integration Guide, unifiedid.com, declares the output columns UID2_identifier,
 * UID2_advertising_id and UID2_bucket_id).
 *
 * This is NOT the real UID2 algorithm: real advertising ids come from the operator's rotating salt buckets and
 * key material. Only the shape is reproduced: UID2's normalisation of the identifier (the project's own rules,
 * `pii/rules/uid2.ts`), a 44-char base64 advertising id, and a short bucket id shared by several identifiers.
 * Same salt + same identifier → same output.
 */

export interface Uid2Output {
  UID2_identifier: string;
  UID2_advertising_id: string;
  UID2_bucket_id: string;
}

/**
 * UID2 takes an email raw, normalised or hashed, and a phone number normalised (with its country code) or
 * hashed, never in a national format ("Preparing Emails and Phone Numbers for Processing", unifiedid.com).
 */
function uid2Rule(type: 'EMAIL_ADDRESS' | 'PHONE_NUMBER', raw: string): RuleOutcome | undefined {
  if (type === 'EMAIL_ADDRESS') return normalizeUid2Email(raw);
  const outcome = normalizeUid2Phone(raw, 'US');
  return outcome.kind === 'normalized' && !raw.trim().startsWith('+') ? undefined : outcome;
}

export function uid2ForIdentifier(type: 'EMAIL_ADDRESS' | 'PHONE_NUMBER', raw: string, salt: string): Uid2Output | undefined {
  const outcome = uid2Rule(type, raw);
  if (!outcome || outcome.kind === 'rejected') return undefined;
  // Keyed by the identifier's UID2 hash, as UID2 is: a value sent hashed gets the UID2 of the same value sent raw.
  const hash = outcome.kind === 'normalized' ? DESTINATION_PROFILES.uid2.encode(outcome.value) : outcome.value;
  const hmac = createHmac('sha256', salt).update(Buffer.from(hash, 'base64')).digest();
  const bucketSeed = `${salt}bucket${hmac[0]!}`;
  return {
    UID2_identifier: outcome.value,
    UID2_advertising_id: hmac.toString('base64'),
    UID2_bucket_id: createHash('sha256').update(bucketSeed).digest('base64url').slice(0, 9),
  };
}
