import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Command, InvalidArgumentError } from 'commander';
import { startSandbox, type Sandbox } from '../sandbox/server';

/**
 * `npm run bench:sandbox-start -- --gb 10 --objects 10`: stores that much in a fresh sandbox data
 * folder (multipart uploads through the sandbox, as the workflows make them), then times sandbox
 * starts on it, and a full and a ranged read of one object. The folder is deleted at the end.
 */
const MB = 1024 * 1024;

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** `bytes` of a repeated 1 MB pattern, streamed. */
function pattern(bytes: number): Readable {
  const block = Buffer.alloc(MB, 'identity-workflows sandbox bench\n');
  let left = bytes;
  return new Readable({
    read() {
      const size = Math.min(block.length, left);
      left -= size;
      this.push(size > 0 ? block.subarray(0, size) : null);
    },
  });
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function main(): Promise<void> {
  const { gb, objects, starts } = new Command()
    .option('--gb <n>', 'gigabytes to store', positive, 10)
    .option('--objects <n>', 'objects to split them in', positive, 10)
    .option('--starts <n>', 'starts to time', positive, 3)
    .parse()
    .opts<{ gb: number; objects: number; starts: number }>();
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-start-bench-'));
  const client = (url: string) => new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  let sandbox: Sandbox | undefined;
  try {
    const objectBytes = Math.floor((gb * 1024 * MB) / objects);
    sandbox = await startSandbox({ port: 0, dataDir });
    const { url } = sandbox;
    await client(sandbox.url).send(new CreateBucketCommand({ Bucket: 'bench' }));
    const [, uploadMs] = await timed(async () => {
      for (let i = 0; i < objects; i++) {
        const params = { Bucket: 'bench', Key: `object-${i}.bin`, Body: pattern(objectBytes) };
        await new Upload({ client: client(url), params, partSize: 64 * MB, queueSize: 2 }).done();
      }
    });
    await sandbox.close();
    sandbox = undefined;
    console.log(`stored ${gb} GB in ${objects} objects in ${(uploadMs / 1000).toFixed(1)} s (${((gb * 1024) / (uploadMs / 1000)).toFixed(0)} MB/s)`);
    const startTimes: number[] = [];
    for (let i = 0; i < starts; i++) {
      const [started, ms] = await timed(() => startSandbox({ port: 0, dataDir }));
      startTimes.push(ms);
      await started.close();
    }
    sandbox = await startSandbox({ port: 0, dataDir });
    console.log(`sandbox start with ${gb} GB stored: ${startTimes.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
    const s3 = client(sandbox.url);
    const [, rangeMs] = await timed(async () => {
      const part = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'object-0.bin', Range: `bytes=${objectBytes - MB}-${objectBytes - 1}` }));
      await part.Body!.transformToByteArray();
    });
    const [readBytes, readMs] = await timed(async () => {
      let bytes = 0;
      for await (const chunk of (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'object-0.bin' }))).Body as Readable) bytes += (chunk as Buffer).length;
      return bytes;
    });
    console.log(`ranged read of the last MB: ${rangeMs.toFixed(0)} ms; full read of ${(readBytes / MB).toFixed(0)} MB: ${(readMs / 1000).toFixed(1)} s`);
    console.log(JSON.stringify({ bench: 'sandbox-start', gb, objects, startMs: startTimes.map(Math.round), uploadMBps: Math.round((gb * 1024) / (uploadMs / 1000)) }));
  } finally {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
