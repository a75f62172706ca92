/**
 * Text held as its UTF-8 bytes, one char per byte (a chunk read as latin1, see csv-bytes' `runCsvBytes`),
 * and back. ASCII is the same either way, so only values holding other chars are converted.
 */
const NON_ASCII = /[^\x00-\x7F]/;

/** A value held as bytes, as text. */
export const fromBytes = (value: string) => (NON_ASCII.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value);
/** Text, as a value held as bytes. */
export const toBytes = (value: string) => (NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value);
