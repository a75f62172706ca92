import { createHash, createHmac } from 'node:crypto';

/**
 * Deterministic UID2-like provider output for the sandbox, which stands in for the UID2 operator behind
 * Entity Resolution's provider-service matching (UID2's AWS Entity Resolution Integration Guide, unifiedid.com, declares the output columns UID2_identifier,
 * UID2_advertising_id and UID2_bucket_id).
 *
 * This is NOT the real UID2 algorithm: real advertising ids come from the operator's rotating salt buckets and
 * key material. Only the shape is reproduced: UID2-style normalisation of the identifier, a 44-char base64
 * advertising id, and a short bucket id shared by several identifiers. Same salt + same identifier → same output.
 */

export interface Uid2Output {
  UID2_identifier: string;
  UID2_advertising_id: string;
  UID2_bucket_id: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const E164 = /^\+\d{10,15}$/;

/** UID2 email normalisation: trim, lowercase; for gmail.com drop dots in the local part and any '+' suffix. */
function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email)) return undefined;
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (domain === 'gmail.com') {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, '');
  }
  if (local === '') return undefined;
  return `${local}@${domain}`;
}

/** UID2 phone normalisation: E.164 only ('+' then 10–15 digits), after removing spaces, dashes and parentheses. */
function normalizePhone(raw: string): string | undefined {
  const phone = raw.replace(/[\s\-()]/g, '');
  return E164.test(phone) ? phone : undefined;
}

export function uid2ForIdentifier(type: 'EMAIL_ADDRESS' | 'PHONE_NUMBER', raw: string, salt: string): Uid2Output | undefined {
  let identifier: string | undefined;
  if (type === 'EMAIL_ADDRESS') identifier = normalizeEmail(raw);
  else if (type === 'PHONE_NUMBER') identifier = normalizePhone(raw);
  if (identifier === undefined) return undefined;

  const hmac = createHmac('sha256', salt).update(identifier).digest();
  const bucketSeed = `${salt}bucket${hmac[0]!}`;
  return {
    UID2_identifier: identifier,
    UID2_advertising_id: hmac.toString('base64'),
    UID2_bucket_id: createHash('sha256').update(bucketSeed).digest('base64url').slice(0, 9),
  };
}
