/** Lines held before they are written: a few hundred lines' worth of chars. */
const BATCH_CHARS = 16 * 1024;

/**
 * Lines written one byte per char, a batch at a time: no array of a chunk's lines, no joined copy of them.
 * A batch is one string built by concatenation (V8 links the pieces and copies them once, when the batch is
 * written), which costs less than joining an array of the values and separators. The bytes go into
 * the buffer given (the executor's, reused chunk after chunk), or one made for them, grown as needed.
 */
export class OutputBuffer {
  private scratch: Buffer;
  private length = 0;
  private batch = '';

  /** `expected`: the bytes to make room for when no buffer is given. */
  constructor(buffer: ArrayBuffer | undefined, expected: number) {
    this.scratch = buffer ? Buffer.from(buffer) : Buffer.allocUnsafeSlow(Math.max(expected, 64 * 1024));
  }

  /** One line: the row's values (quoted where they must be) joined by ',', then '\n'. */
  writeRow(row: string[]): void {
    let line = row[0]!;
    for (let i = 1; i < row.length; i++) line = line + ',' + row[i]!;
    const batch = this.batch + line + '\n';
    if (batch.length >= BATCH_CHARS) {
      this.write(batch);
      this.batch = '';
    } else {
      this.batch = batch;
    }
  }

  private flush(): void {
    if (this.batch === '') return;
    this.write(this.batch);
    this.batch = '';
  }

  private write(text: string): void {
    if (this.length + text.length > this.scratch.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.length + text.length, this.scratch.length * 2));
      this.scratch.copy(grown, 0, 0, this.length);
      this.scratch = grown;
    }
    this.length += this.scratch.write(text, this.length, 'latin1');
  }

  /** The bytes written: a view on the buffer, which holds nothing else (moved to the main thread, see `movable`). */
  bytes(): Uint8Array {
    this.flush();
    return this.scratch.subarray(0, this.length);
  }
}
