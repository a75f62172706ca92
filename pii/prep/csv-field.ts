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
