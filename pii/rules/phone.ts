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
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion);
  return parsed?.isPossible() ? parsed.number : undefined;
}
