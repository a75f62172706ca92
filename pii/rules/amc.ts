import type { CountryCode } from 'libphonenumber-js';
import { normalized, prehashedSha256Hex as alreadyHashed, rejected, type RuleOutcome } from './outcome';
import { nanpDigits, parsePhone } from './phone';

/**
 * Amazon Ads / AMC hashed identity data, as Amazon's own AWS solution applies it before upload
 * (aws-solutions/amazon-marketing-cloud-uploader-from-aws, source/glue/library/): Amazon Ads
 * publishes no worked examples, and AMC matches what that solution produces. Hash: SHA-256, hex.
 * - email: lowercase, drop every character but letters, digits, '_', '.', '@', '-';
 * - phone: E.164 without '+', possible numbers only (GB: no national number starting 4 or 6). A
 *   number written with '+' is read as international; one without is read in the file's country.
 *   One written with the country's international prefix (0044 … in FR) is read as international too,
 *   as the solution does; its normalised form has no prefix, so normalising it again in that country
 *   rejects it (the one non-idempotent case, pinned in test/unit/prep-properties.test.ts).
 *   This reproduces the solution's published check hashes (us_check.json, national numbers such as
 *   5714120599 → sha256("15714120599")). Its phone_normalizer.py since v3.0.3 instead prefixes '+'
 *   to every number and parses with no region, which reads national numbers as foreign ones
 *   (5714120599 → Colombia) against Amazon Ads' own E.164 requirement and its own check data; for
 *   numbers given with their country code both agree.
 * - names and other text (the solution's default normaliser): lowercase, transliterate ß ä ö ü ø æ,
 *   drop every character but a–z and 0–9.
 */
const GB_RESTRICTED_FIRST_DIGITS = ['4', '6'];

const PHONE_DIGIT = /[0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/;

export function normalizeAmcEmail(raw: string): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  const value = cleanEmail(raw);
  return hasEmailShape(value) ? normalized(value) : rejected('not an email address');
}

/**
 * Lowercase, then drop every character but letters, digits, '_', '.', '@', '-'. Most addresses need no
 * more than lowercasing and trimming (all whitespace is dropped anyway), which the regex need not do.
 */
function cleanEmail(raw: string): string {
  if (CLEAN_EMAIL.test(raw)) return raw;
  const lower = raw.toLowerCase();
  if (CLEAN_EMAIL.test(lower)) return lower;
  const trimmed = lower.trim();
  if (CLEAN_EMAIL.test(trimmed)) return trimmed;
  // In ASCII text the letters and digits are [A-Za-z0-9]: the same characters go as with the Unicode classes,
  // found by a regex many times cheaper (an address with '+' or a space inside comes this way).
  return NON_ASCII.test(lower) ? lower.replace(NOT_EMAIL_CHAR, '') : lower.replace(NOT_ASCII_EMAIL_CHAR, '');
}

const CLEAN_EMAIL = /^[a-z0-9_.@-]+$/;
const NOT_EMAIL_CHAR = /[^\p{L}\p{N}_.@-]+/gu;
const NOT_ASCII_EMAIL_CHAR = /[^A-Za-z0-9_.@-]+/g;
const NON_ASCII = /[^\x00-\x7F]/;
const AT = 0x40;

/**
 * Whether a value the email rule has cleaned holds an address, /[\p{L}\p{N}_.-]+@[\p{L}\p{N}_.-]+/u,
 * without that Unicode regex: every code point left is '@' or in its class, so it matches exactly
 * where an '@' has a code point other than '@' on both sides.
 */
function hasEmailShape(value: string): boolean {
  for (let at = value.indexOf('@'); at !== -1; at = value.indexOf('@', at + 1)) {
    if (at > 0 && at < value.length - 1 && value.charCodeAt(at - 1) !== AT && value.charCodeAt(at + 1) !== AT) return true;
  }
  return false;
}

export function normalizeAmcPhone(raw: string, country: CountryCode): RuleOutcome {
  const trimmed = raw.trim();
  if (trimmed === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  const fast = nanpDigits(trimmed, country);
  if (fast) return normalized(fast);
  // Without a digit (of those libphonenumber reads) there is no number to parse: "N/A", "unknown".
  if (!PHONE_DIGIT.test(trimmed)) return rejected(`not a phone number for ${country}`);
  const parsed = trimmed.startsWith('+') ? parsePhone(trimmed) : parsePhone(trimmed, country);
  if (!parsed?.possible) return rejected(`not a phone number for ${country}`);
  if (country === 'GB' && GB_RESTRICTED_FIRST_DIGITS.includes(parsed.nationalNumber[0]!)) return rejected('not a GB phone number');
  return normalized(parsed.number.slice(1));
}

const TRANSLITERATE: [RegExp, string][] = [[/ß/g, 'ss'], [/ä/g, 'ae'], [/ö/g, 'oe'], [/ü/g, 'ue'], [/ø/g, 'o'], [/æ/g, 'ae']];
const HAS_TRANSLITERATED = /[ßäöüøæ]/;
const NOT_LOWER_ALNUM = /[^a-z0-9]+/g;

/** First name, last name and other free text. */
export function normalizeAmcText(raw: string): RuleOutcome {
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  let value = raw.toLowerCase();
  if (HAS_TRANSLITERATED.test(value)) for (const [from, to] of TRANSLITERATE) value = value.replace(from, to);
  value = value.replace(NOT_LOWER_ALNUM, '');
  return value === '' ? rejected('empty') : normalized(value);
}
