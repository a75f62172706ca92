import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from './chunk-task';
import { chunkWorker } from './worker-bundle';

/** Runs chunk tasks, on worker threads or in this thread. */
export interface ChunkExecutor {
  readonly parallelism: number;
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

/** Prepares in this thread; the rules are loaded when first needed (with worker threads, only they load them). */
function inlineExecutor(): ChunkExecutor {
  return { parallelism: 1, run: async (task) => (await import('./chunk-task')).runChunkTask(task), close: () => Promise.resolve() };
}

/** `threads` worker threads (default: one per core) running `runChunkTask`. */
export function threadExecutor(threads = availableParallelism()): ChunkExecutor {
  const { filename, execArgv } = chunkWorker();
  const options = {
    filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Nearly every allocation (fields, normalised values, hashes) dies with its row: 8 MiB semi-spaces
    // (24 MiB of young generation) scavenge as cheaply as larger ones did in profiles, in less memory.
    resourceLimits: { maxYoungGenerationSizeMb: 24 },
  };
  let pool: Piscina<ChunkTask, ChunkResult>;
  try {
    pool = new Piscina<ChunkTask, ChunkResult>({ ...options, execArgv });
  } catch (error) {
    // Options given to a worker are checked, and some the process may run with (V8's, --inspect) are refused
    // there though a worker inherits them when none are given: then it inherits them, tsx's loader with them.
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !execArgv) throw error;
    pool = new Piscina<ChunkTask, ChunkResult>(options);
  }
  return { parallelism: threads, run: (task) => pool.run(task), close: () => pool.close() };
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
