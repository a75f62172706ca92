import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from '../chunk/chunk-task';
import { BufferPool } from './buffer-pool';
import { chunkWorker } from './worker-bundle';

/**
 * Chunks in flight per thread: one being prepared and one queued at the thread (`concurrentTasksPerWorker`), so
 * a thread starts its next chunk without waiting for the main thread to hand it over, and two more queued here.
 */
export const TASKS_IN_FLIGHT_PER_THREAD = 4;

/** Runs chunk tasks, on worker threads or in this thread. */
export interface ChunkExecutor {
  readonly parallelism: number;
  /** The task's bytes are copied before this returns: the caller may reuse their buffer at once. */
  run(task: ChunkTask): Promise<ChunkResult>;
  /** The result's output has been written: its buffer may take another chunk's. */
  release(result: ChunkResult): void;
  close(): Promise<void>;
}

/**
 * Prepares in this thread; the rules are loaded when first needed (with worker threads, only they load them). A chunk's
 * bytes are copied first, as the thread executor copies them: the source reuses its buffer for the next chunk.
 */
function inlineExecutor(): ChunkExecutor {
  return {
    parallelism: 1,
    run: (task) => {
      const own = task.format === 'records' ? task : { ...task, bytes: new Uint8Array(task.bytes) };
      return import('../chunk/chunk-task').then(({ runChunkTask }) => runChunkTask(own));
    },
    release: () => undefined,
    close: () => Promise.resolve(),
  };
}

/** `threads` worker threads (default: one per core) running `runChunkTask`. */
export function threadExecutor(threads = availableParallelism()): ChunkExecutor {
  const { filename, execArgv } = chunkWorker();
  const options = {
    filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 2,
    // Nearly every allocation dies with its row, so a small young generation scavenges cheaply. A limit below
    // 1 GB lets V8 grow a thread's old generation to 2x what is live, not 4x; 512 MB fits a 16 MiB record.
    resourceLimits: { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 512 },
  };
  let pool: Piscina<ChunkTask, ChunkResult>;
  try {
    pool = new Piscina<ChunkTask, ChunkResult>({ ...options, execArgv });
  } catch (error) {
    // A worker refuses the options that are the process's (V8's, such as --single-threaded-gc, which the npm
    // scripts run with; --inspect): V8's apply to every thread of the process anyway, and the bundle needs no other.
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !execArgv) throw error;
    pool = new Piscina<ChunkTask, ChunkResult>({ ...options, execArgv: [] });
  }
  // Each chunk goes to its thread in a buffer of this pool, moved rather than copied, with an output buffer to
  // write into; both come back with the result. Enough are kept for every chunk in flight and the one being written.
  const inputs = new BufferPool(TASKS_IN_FLIGHT_PER_THREAD * threads + 2);
  const outputs = new BufferPool(TASKS_IN_FLIGHT_PER_THREAD * threads + 2);
  return {
    parallelism: threads,
    async run(task) {
      const transferList: ArrayBuffer[] = [];
      let sent = task;
      if (task.format !== 'records') {
        const input = inputs.take(task.bytes.byteLength)!;
        const bytes = new Uint8Array(input, 0, task.bytes.byteLength);
        bytes.set(task.bytes);
        sent = { ...task, bytes };
        transferList.push(input);
      }
      const outputBuffer = task.output === 'csv' && task.layout !== 'per-type' ? outputs.take(0) : undefined;
      if (outputBuffer) {
        sent = { ...sent, outputBuffer };
        transferList.push(outputBuffer);
      }
      const result = await pool.run(sent, { transferList });
      if (result.input) inputs.give(result.input);
      return result;
    },
    release: (result) => outputs.give(result.csv?.buffer as ArrayBuffer | undefined),
    close: () => pool.close(),
  };
}

export function chunkExecutor(threads: number): ChunkExecutor {
  return threads <= 0 ? inlineExecutor() : threadExecutor(threads);
}

/**
 * Runs `run` over the items with up to `inFlight` at once and yields the results in input order, so the
 * output keeps the input's order while every thread is busy. Memory holds at most `inFlight` results.
 */
export async function* inOrder<T, R>(items: AsyncIterable<T>, run: (item: T) => Promise<R>, inFlight: number): AsyncGenerator<{ item: T; result: R }> {
  const queue: Promise<{ item: T; result: R }>[] = [];
  for await (const item of items) {
    const started = run(item).then((result) => ({ item, result }));
    started.catch(() => undefined);
    queue.push(started);
    if (queue.length >= inFlight) yield await queue.shift()!;
  }
  while (queue.length > 0) yield await queue.shift()!;
}
