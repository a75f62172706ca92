import type { S3Client } from '@aws-sdk/client-s3';
import { parseLocation, writeObject, type ObjectWriter } from '../../../storage/data-location';

/** One file of a sorted hash set: one value a line, no header; `first` and `last` bound its values (hashes, never values in clear). */
export interface HashFile {
  uri: string;
  bytes: number;
  md5: string;
  sha256: string;
  count: number;
  first: string;
  last: string;
}

const BATCH_CHARS = 1 << 20;
const pad = (n: number) => String(n).padStart(5, '0');

/** `<prefix>part-00000.csv`, `part-00001.csv`…: named by position only, so equal sets give equal names. */
export const hashFileUri = (prefix: string, n: number) => `${prefix}part-${pad(n)}.csv`;

/**
 * Writes sorted, distinct values into files of at most `maxBytes` (whole lines), each opened when its first value comes.
 * The cut points depend only on the values, so the same set always gives the same files, byte for byte.
 */
export class SortedFileWriter {
  readonly files: HashFile[] = [];
  private writer: ObjectWriter | undefined;
  private batch = '';
  private size = 0;
  private count = 0;
  private first = '';
  private last = '';

  constructor(
    private readonly prefix: string,
    private readonly maxBytes: number,
    private readonly s3?: S3Client,
  ) {}

  get total(): number {
    return this.files.reduce((sum, file) => sum + file.count, 0) + this.count;
  }

  async add(value: string): Promise<void> {
    const bytes = value.length + 1;
    if (this.writer && this.size + bytes > this.maxBytes) await this.close();
    if (!this.writer) {
      this.writer = await writeObject(parseLocation(hashFileUri(this.prefix, this.files.length)), this.s3, 'text/csv', { md5: true });
      this.first = value;
    }
    this.batch += `${value}\n`;
    this.size += bytes;
    this.count++;
    this.last = value;
    if (this.batch.length >= BATCH_CHARS) await this.flush();
  }

  async finish(): Promise<HashFile[]> {
    await this.close();
    return this.files;
  }

  async abort(): Promise<void> {
    await this.writer?.abort();
    this.writer = undefined;
  }

  private async flush(): Promise<void> {
    if (this.batch === '') return;
    await this.writer!.write(this.batch);
    this.batch = '';
  }

  private async close(): Promise<void> {
    if (!this.writer) return;
    await this.flush();
    const written = await this.writer.finish();
    this.files.push({ uri: written.uri, bytes: written.bytes, md5: written.md5!, sha256: written.sha256, count: this.count, first: this.first, last: this.last });
    this.writer = undefined;
    this.size = 0;
    this.count = 0;
  }
}
