import type { CountryCode } from 'libphonenumber-js';
import { isSha256Base64 } from '../hash';
import { looksLikeEmailAddress } from './email';
import { normalized, prehashed, rejected, type RuleOutcome } from './outcome';
import { toE164 } from './phone';

/**
 * UID2 normalisation and encoding, as published in "Normalization and Encoding"
 * (unifiedid.com/docs/getting-started/gs-normalization-encoding; IABTechLab/uid2docs):
 * email — trim, lowercase, and for gmail.com only remove '.' and any '+suffix' in the local part;
 * phone — E.164 ('+', country code, subscriber number, no separators, at most 15 digits);
 * hash — SHA-256 of the normalised value, Base64 of the raw 32 bytes (44 chars).
 */
const DOT = /\./g;

export function normalizeUid2Email(raw: string): RuleOutcome {
  const trimmed = raw.trim();
  if (trimmed === '') return rejected('empty');
  if (isSha256Base64(trimmed)) return prehashed(trimmed);
  const lower = trimmed.toLowerCase();
  if (!looksLikeEmailAddress(lower)) return rejected('not an email address');
  const at = lower.lastIndexOf('@');
  if (lower.slice(at + 1) !== 'gmail.com') return normalized(lower);
  const plus = lower.indexOf('+');
  const gmailLocal = lower.slice(0, plus >= 0 && plus < at ? plus : at).replace(DOT, '');
  return gmailLocal === '' ? rejected('not an email address') : normalized(`${gmailLocal}@gmail.com`);
}

export function normalizeUid2Phone(raw: string, defaultRegion: CountryCode): RuleOutcome {
  const trimmed = raw.trim();
  if (trimmed === '') return rejected('empty');
  if (isSha256Base64(trimmed)) return prehashed(trimmed);
  const e164 = toE164(trimmed, defaultRegion);
  return e164 ? normalized(e164) : rejected(`not a phone number in E.164 or a ${defaultRegion} national format`);
}
