import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * E.164 form of a phone number, or undefined when it cannot be one. Numbers without a leading '+'
 * are read in `defaultRegion` (a national number, e.g. "(02) 1234 5678" in AU → +61212345678).
 * Acceptance follows E.164's length rules (libphonenumber's isPossible), not its numbering-plan
 * validity: UID2's own published examples include numbers the plan data calls invalid.
 */
export function toE164(raw: string, defaultRegion: CountryCode): string | undefined {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed) || !/\d/.test(trimmed)) return undefined;
  const fast = nanpFastPath(trimmed, defaultRegion);
  if (fast !== undefined) return fast;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion);
  return parsed?.isPossible() ? parsed.number : undefined;
}

const FAST_REGIONS = new Set<CountryCode>(['US', 'CA']);
const FAST_SHAPE = /^\+?\(?\d[\d\s().-]*\d$/;
const SEPARATORS = /[\s().-]/g;
const NANP_NUMBER = /^[2-9]\d{2}[2-9]\d{6}$/;

/**
 * The answer libphonenumber gives for the commonest North American shapes, without its general
 * parser (which tries every NANP country's patterns and costs ~40 µs a number): a 10-digit number
 * with a valid area code and exchange, optionally preceded by +1 or the national prefix 1. Anything
 * else returns undefined and goes through libphonenumber. Equivalence is a test
 * (test/unit/pii-phone-fast-path.test.ts), not an assumption.
 */
export function nanpFastPath(trimmed: string, region: CountryCode): string | undefined {
  if (!FAST_REGIONS.has(region) || !FAST_SHAPE.test(trimmed) || trimmed.indexOf('+', 1) !== -1) return undefined;
  const digits = trimmed.replace(SEPARATORS, '').replace('+', '');
  const international = trimmed.startsWith('+');
  if (digits.length === 11 && digits.startsWith('1') && NANP_NUMBER.test(digits.slice(1))) return `+${digits}`;
  if (!international && digits.length === 10 && NANP_NUMBER.test(digits)) return `+1${digits}`;
  return undefined;
}
