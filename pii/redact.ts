/**
 * Removes what looks like an email address or a phone number from free text (AWS error messages can
 * echo input values) before the text reaches a Temporal failure or a log line.
 */
const EMAIL = /[^\s@'"<>(),;:]+@[^\s@'"<>(),;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d\s().-]{6,}\d/g;

export function redactPii(text: string): string {
  return text.replace(EMAIL, '[redacted-email]').replace(PHONE, '[redacted-phone]');
}
