import type { OutputFormat, OutputLayout, PrepRules } from '../../../schemas/preparation/prep';
import { inOrder, TASKS_IN_FLIGHT_PER_THREAD, type ChunkExecutor } from './chunk-executor';
import type { ChunkResult, ChunkTask } from '../chunk/chunk-task';
import type { OpenedSource, SourceChunk } from '../read/record-sources';

/**
 * The source's chunks prepared on the executor, in input order, with a bounded number in flight, each with the
 * position just after it. A result's buffers are reused once the next one is asked for: the caller writes each
 * before going on. (The chunks' own bytes are not given: the source has reused their buffer by then.)
 */
export async function* preparedChunks(source: OpenedSource, executor: ChunkExecutor, rules: PrepRules, output: OutputFormat, layout?: OutputLayout): AsyncGenerator<{ end: number; result: ChunkResult }> {
  const toTask = (chunk: SourceChunk): ChunkTask => {
    const common = { header: source.header, rules, output, ...(layout ? { layout } : {}) };
    if (chunk.format === 'csv') return { ...common, format: 'csv', bytes: chunk.bytes, delimiter: source.delimiter };
    if (chunk.format === 'jsonl') return { ...common, format: 'jsonl', bytes: chunk.bytes };
    return { ...common, format: 'records', records: chunk.records };
  };
  for await (const prepared of inOrder(source.chunks, (chunk) => executor.run(toTask(chunk)), executor.parallelism * TASKS_IN_FLIGHT_PER_THREAD)) {
    yield { end: prepared.item.end, result: prepared.result };
    executor.release(prepared.result);
  }
}
