const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Delimiters a CSV may use when the reader has not been told which (the header decides later). */
const LIKELY_DELIMITERS = [0x2c, 0x3b, 0x09, 0x7c];

/**
 * Finds where records end in CSV or JSON Lines bytes, the way papaparse reads them: a newline ends a
 * record unless it is inside a quoted field; a quote opens a quoted field only at the start of a field
 * (so the `"` of `5'11"` in an unquoted field is a character, as papaparse takes it), `""` inside quotes
 * is an escaped quote. JSON Lines cannot hold a raw newline inside a value, so every newline ends one.
 * The state carries across calls, so a stream can be scanned piece by piece.
 */
export class RecordScanner {
  private inQuotes = false;
  private fieldStart = true;
  private justClosed = false;
  private readonly isDelimiter: Uint8Array;

  constructor(
    private readonly format: 'csv' | 'jsonl',
    delimiter?: string,
  ) {
    this.isDelimiter = new Uint8Array(256);
    this.useDelimiter(delimiter);
  }

  /** From here on, a quote opens a field only after this delimiter (or after any likely one, when not given). */
  useDelimiter(delimiter?: string): void {
    this.isDelimiter.fill(0);
    for (const code of delimiter ? [delimiter.charCodeAt(0)] : LIKELY_DELIMITERS) this.isDelimiter[code] = 1;
  }

  /** A fresh start, as at the beginning of a record. */
  reset(): void {
    this.inQuotes = false;
    this.fieldStart = true;
    this.justClosed = false;
  }

  /**
   * Scans bytes[from..]: the end (just past the newline) of the first record ending at or after
   * `stopFrom` — where the scan stops, the state being that of a record start — or -1 when none does;
   * `last` is the end of the last record seen.
   */
  scan(bytes: Uint8Array, from: number, stopFrom = Infinity): { stop: number; last: number } {
    const length = bytes.length;
    let last = -1;
    if (this.format === 'jsonl') {
      for (let i = from; i < length; ) {
        const newline = bytes.indexOf(NEWLINE, i);
        if (newline < 0) break;
        last = newline + 1;
        if (last >= stopFrom) return { stop: last, last };
        i = last;
      }
      return { stop: -1, last };
    }
    // Jumps from quote to quote with indexOf (native, ~0.3 ns/byte) rather than visiting every byte: between
    // two quotes, outside a quoted field, every newline ends a record and only the last byte sets the state.
    let { inQuotes, fieldStart, justClosed } = this;
    const isDelimiter = this.isDelimiter;
    let i = from;
    while (i < length) {
      if (inQuotes) {
        const close = bytes.indexOf(QUOTE, i);
        if (close < 0) break;
        inQuotes = false;
        justClosed = true;
        i = close + 1;
        continue;
      }
      let quote = bytes.indexOf(QUOTE, i);
      if (quote < 0) quote = length;
      if (quote > i) {
        const firstStop = Math.max(stopFrom - 1, i);
        if (firstStop < quote) {
          const newline = bytes.indexOf(NEWLINE, firstStop);
          if (newline >= 0 && newline < quote) {
            this.reset();
            return { stop: newline + 1, last: newline + 1 };
          }
        }
        const newline = bytes.lastIndexOf(NEWLINE, quote - 1);
        if (newline >= i) last = newline + 1;
        let k = quote - 1;
        while (k >= i && bytes[k] === CARRIAGE_RETURN) k--;
        if (k >= i) {
          const byte = bytes[k]!;
          fieldStart = byte === NEWLINE || isDelimiter[byte] === 1;
          justClosed = false;
        }
      }
      if (quote === length) break;
      if (fieldStart || justClosed) inQuotes = true;
      fieldStart = false;
      justClosed = false;
      i = quote + 1;
    }
    this.inQuotes = inQuotes;
    this.fieldStart = fieldStart;
    this.justClosed = justClosed;
    return { stop: -1, last };
  }
}
