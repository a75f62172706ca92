import type { PrepRules } from '../../../schemas/preparation/prep';
import { hashesValues } from '../../rules/profiles';

/**
 * When papaparse's unparse (quotes: false) quotes a field: it holds the delimiter (always ',' here), a quote,
 * CR, LF or a byte-order mark, or it starts or ends with a space. BYTES_NEED_QUOTES is the same test on a
 * field held as bytes (see `runCsvBytes`), where U+FEFF is its three UTF-8 bytes.
 */
export const NEEDS_QUOTES = /[",\r\n\uFEFF]|^ | $/;
export const BYTES_NEED_QUOTES = /[",\r\n]|\u00EF\u00BB\u00BF|^ | $/;
export const QUOTES = /"/g;

/** A value as Papa.unparse writes it in CSV with ',' (quoted when it must be). */
export const csvField = (value: string): string => (NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTES, '""')}"` : value);

/**
 * Columns whose prepared values may need quoting: all of them, except mapped columns of a profile that
 * hashes (their values are then hex or Base64 hashes, or empty).
 */
export function columnsToCheck(header: string[], rules: PrepRules): number[] {
  const hashed = hashesValues(rules) ? new Set(Object.keys(rules.columns)) : new Set<string>();
  return header.flatMap((name, i) => (hashed.has(name) ? [] : [i]));
}

/** The row's values as Papa.unparse writes them (its `safe` rules), in place, without its per-field scans. */
export function quoteFields(row: string[], check: number[], needsQuotes: RegExp): string[] {
  for (let c = 0; c < check.length; c++) {
    const i = check[c]!;
    const value = row[i];
    if (value !== undefined && needsQuotes.test(value)) row[i] = `"${value.replace(QUOTES, '""')}"`;
  }
  return row;
}
