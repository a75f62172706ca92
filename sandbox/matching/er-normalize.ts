/**
 * A simplified stand-in for AWS Entity Resolution's normalisation, applied by rule-based matching when
 * `applyNormalization` is true (AWS docs, "Normalization" for rule-based matching):
 *
 * - EMAIL_ADDRESS: trim, lowercase.
 * - PHONE_NUMBER / PHONE / PHONE_COUNTRYCODE: keep digits only (drops '+', spaces, dashes, parentheses, dots...).
 * - NAME / NAME_FIRST / NAME_LAST / NAME_MIDDLE: lowercase, remove punctuation, collapse whitespace, trim.
 * - ADDRESS*: lowercase, remove punctuation, collapse whitespace, trim.
 * - any other type: trim.
 *
 * Empty or whitespace-only values normalise to ''.
 *
 * TODO(issue #4): the pii/ normalisation engine will replace this with AWS's published rules; until then the
 * sandbox only approximates them, so matching results may differ from the real service in edge cases.
 */

const PHONE_TYPES = new Set(['PHONE', 'PHONE_NUMBER', 'PHONE_COUNTRYCODE']);
const NAME_TYPES = new Set(['NAME', 'NAME_FIRST', 'NAME_LAST', 'NAME_MIDDLE']);

/** Unicode punctuation and symbols (".", ",", "'", "-", "#", "&", ...). */
const PUNCTUATION = /[\p{P}\p{S}]/gu;
const WHITESPACE_RUN = /\s+/g;

function stripPunctuationAndCollapse(value: string): string {
  return value.toLowerCase().replace(PUNCTUATION, '').replace(WHITESPACE_RUN, ' ').trim();
}

export function normalizeForMatching(type: string, value: string): string {
  if (value.trim() === '') return '';
  const t = type.trim().toUpperCase();
  if (t === 'EMAIL_ADDRESS') return value.trim().toLowerCase();
  if (PHONE_TYPES.has(t)) return value.replace(/\D/g, '');
  if (NAME_TYPES.has(t) || t.startsWith('ADDRESS')) return stripPunctuationAndCollapse(value);
  return value.trim();
}
