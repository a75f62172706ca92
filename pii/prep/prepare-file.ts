import type { S3Client } from '@aws-sdk/client-s3';
import { formatFromName, type DataFormat, type OutputFormat, type PrepRules } from '../../schemas/prep';
import { chunkExecutor } from './chunk-executor';
import { parseLocation, writeObject } from './data-location';
import type { PrepManifest } from './manifest';
import { csvSink, parquetSink, rejectsSink, type RowSink } from './output-sinks';
import { addCounts, countsReconcile, emptyCounts } from './prep-counts';
import { preparedChunks } from './prepared-chunks';
import { openSource } from './record-sources';
import { PrepInputError } from './row-preparer';

export interface PrepProgress {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Bytes (CSV, JSON Lines) or records (Parquet, JSON arrays) read so far. */
  position: number;
}

export interface PrepareFileOptions {
  input: string;
  output: string;
  /** Default: beside the output, `<output name>.rejects.csv`. */
  rejects?: string;
  inputFormat?: DataFormat;
  outputFormat?: OutputFormat;
  delimiter?: string;
  rules: PrepRules;
  s3?: S3Client;
  /** Worker threads; 0 prepares in this thread. */
  threads?: number;
  onProgress?: (progress: PrepProgress) => void;
}

export function rejectsBeside(output: string): string {
  return output.replace(/(\.[a-z]+)?$/i, '.rejects.csv');
}

export function formatOf(uri: string, given: string | undefined, what: string): DataFormat {
  const format = (given as DataFormat | undefined) ?? formatFromName(uri);
  if (!format) throw new PrepInputError(`cannot tell the ${what} format of ${uri} from its name: give it (csv, jsonl, json or parquet)`);
  return format;
}

/** Prepares one input object into one output object and one rejects object: `npm run prep`. */
export async function prepareFile(opts: PrepareFileOptions): Promise<PrepManifest> {
  const inputFormat = formatOf(opts.input, opts.inputFormat, 'input');
  const outputFormat = opts.outputFormat ?? (formatOf(opts.output, undefined, 'output') === 'parquet' ? 'parquet' : 'csv');
  const source = await openSource(parseLocation(opts.input), opts.s3, { format: inputFormat, delimiter: opts.delimiter });
  const executor = chunkExecutor(opts.threads ?? 0);
  try {
    const output = await writeObject(parseLocation(opts.output), opts.s3, outputFormat === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet');
    const sink: RowSink = outputFormat === 'csv' ? await csvSink(output, source.header) : parquetSink(output, source.header);
    const rejects = await rejectsSink(await writeObject(parseLocation(opts.rejects ?? rejectsBeside(opts.output)), opts.s3), source.header);
    const counts = emptyCounts(opts.rules.columns);
    let rowOffset = 0;
    for await (const { item, result } of preparedChunks(source, executor, opts.rules, outputFormat)) {
      await sink.write(result);
      await rejects.write(result.rejects, rowOffset);
      rowOffset += result.records;
      addCounts(counts, result.counts);
      opts.onProgress?.({ rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, rowsRejected: counts.rowsRejected, position: item.end });
    }
    const problems = countsReconcile(counts);
    if (problems.length > 0) throw new Error(`counts do not reconcile: ${problems.join('; ')}`);
    return {
      profile: opts.rules.profile,
      columns: opts.rules.columns,
      outputFormat,
      inputs: [{ uri: opts.input, format: inputFormat }],
      outputs: [await sink.finish()],
      rejects: [await rejects.finish()],
      counts,
    };
  } finally {
    await executor.close();
  }
}
