/**
 * Removes what looks like an email address or a phone number from free text (AWS error messages can
 * echo input values) before the text reaches a Temporal failure or a log line.
 */
const EMAIL = /[^\s@'"<>(),;:]+@[^\s@'"<>(),;:]+\.[A-Za-z]{2,}/g;
const PHONE_INTERNATIONAL = /\+\d[\d\s().-]{6,}\d/g;
// National formats with separators, e.g. (415) 555-0123 or 415.555.0123. Bare digit runs are left
// alone: they are far more often account ids, sizes or counts than phone numbers.
const PHONE_NATIONAL = /\(?\b\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}\b/g;

export function redactPii(text: string): string {
  return text
    .replace(EMAIL, '[redacted-email]')
    .replace(PHONE_INTERNATIONAL, '[redacted-phone]')
    .replace(PHONE_NATIONAL, '[redacted-phone]');
}
