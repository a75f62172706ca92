import type { CountryCode } from 'libphonenumber-js';
import { looksLikeEmailAddress } from './email';
import { normalized, prehashedSha256Hex as alreadyHashed, rejected, type RuleOutcome } from './outcome';
import { toE164 } from './phone';

/**
 * TikTok custom audience identifiers (EMAIL_SHA256, PHONE_SHA256, IDFA_SHA256, GAID_SHA256), per
 * TikTok Ads Manager "How to create a Custom Audience with a customer file" (Sept 2025) and its
 * supported-ID table. Where TikTok's pages disagree, the published hashed examples decide:
 * - phone: the page shows "+37493828222" as normalised but its hash 65b7e6dc… is SHA-256 of
 *   "37493828222", so the E.164 number is hashed without the '+';
 * - email: remove spaces and lowercase (the example janedoe@gmail.com → d6117306…); no Gmail dot
 *   removal, which only an older page mentions and no example shows;
 * - MAID: trim, lowercase, keep dashes (5f3a2b18-… → 83dc3f5f…).
 * Hash: SHA-256, lowercase hex. Values already 64 hex chars pass through (lowercased).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WHITESPACE = /\s+/g;

export function normalizeTiktokEmail(raw: string): RuleOutcome {
  const value = raw.replace(WHITESPACE, '').toLowerCase();
  if (value === '') return rejected('empty');
  return alreadyHashed(value) ?? (looksLikeEmailAddress(value) ? normalized(value) : rejected('not an email address'));
}

export function normalizeTiktokPhone(raw: string, defaultRegion: CountryCode): RuleOutcome {
  const trimmed = raw.trim();
  if (trimmed === '') return rejected('empty');
  const hashed = alreadyHashed(trimmed);
  if (hashed) return hashed;
  const e164 = toE164(trimmed, defaultRegion);
  return e164 ? normalized(e164.slice(1)) : rejected(`not a phone number in E.164 or a ${defaultRegion} national format`);
}

/** IDFA (iOS) and GAID (Android) share one format: a UUID. */
export function normalizeTiktokMaid(raw: string): RuleOutcome {
  const value = raw.trim().toLowerCase();
  if (value === '') return rejected('empty');
  return alreadyHashed(value) ?? (UUID.test(value) ? normalized(value) : rejected('not a mobile advertising id (UUID)'));
}
