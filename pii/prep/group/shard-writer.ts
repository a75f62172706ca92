import { gzipSync } from 'node:zlib';
import { csvField } from '../write/csv-field';

/** Where shard objects go: the name of a shard's n-th object from one task, and how to put it. */
export interface ShardObjects {
  uri(shard: number, seq: number): string;
  put(uri: string, body: Uint8Array): Promise<void>;
}

const pad = (n: number, width = 5) => String(n).padStart(width, '0');

/** `<shardsPrefix>shard-<iiiii>/part-<task>-<seq>.csv.gz`: deterministic, so a retried task overwrites its own objects. */
export const shardObjectUri = (shardsPrefix: string, shard: number, task: number, seq: number) => `${shardsPrefix}shard-${pad(shard)}/part-${pad(task)}-${pad(seq)}.csv.gz`;

export const csvLine = (row: string[]) => `${row.map(csvField).join(',')}\n`;

/**
 * Buffers CSV rows per shard under one budget for all shards together. A row that would take the total past it
 * first flushes the largest buffers, each as one small gzipped object with the header, so memory holds at most
 * the budget (plus one row) whatever the shard count, and no upload stays open.
 */
export class ShardWriter {
  private readonly buffers: string[][];
  private readonly bufferBytes: number[];
  private total = 0;
  readonly rowsPerShard: number[];
  readonly objectsPerShard: number[];
  peakBufferedBytes = 0;

  constructor(
    private readonly shards: number,
    private readonly header: string[],
    private readonly budgetBytes: number,
    private readonly objects: ShardObjects,
  ) {
    this.buffers = Array.from({ length: shards }, () => []);
    this.bufferBytes = new Array<number>(shards).fill(0);
    this.rowsPerShard = new Array<number>(shards).fill(0);
    this.objectsPerShard = new Array<number>(shards).fill(0);
  }

  async add(shard: number, row: string[]): Promise<void> {
    const line = csvLine(row);
    const bytes = Buffer.byteLength(line);
    while (this.total + bytes > this.budgetBytes && this.total > 0) await this.flush(this.largest());
    this.buffers[shard]!.push(line);
    this.bufferBytes[shard]! += bytes;
    this.total += bytes;
    this.rowsPerShard[shard]!++;
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.total);
  }

  /** Flushes every buffer: after it, every row added is in an object. */
  async finish(): Promise<void> {
    for (let shard = 0; shard < this.shards; shard++) if (this.bufferBytes[shard]! > 0) await this.flush(shard);
  }

  private largest(): number {
    let best = 0;
    for (let shard = 1; shard < this.shards; shard++) if (this.bufferBytes[shard]! > this.bufferBytes[best]!) best = shard;
    return best;
  }

  private async flush(shard: number): Promise<void> {
    const body = gzipSync(csvLine(this.header) + this.buffers[shard]!.join(''));
    await this.objects.put(this.objects.uri(shard, this.objectsPerShard[shard]!), body);
    this.objectsPerShard[shard]!++;
    this.total -= this.bufferBytes[shard]!;
    this.buffers[shard] = [];
    this.bufferBytes[shard] = 0;
  }
}
