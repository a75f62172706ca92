import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DATA_FORMATS, formatFromName, OUTPUT_FORMATS, type DataFormat, type OutputFormat, type PrepRules } from '../../schemas/prep';
import { chunkExecutor } from './chunk-executor';
import { parseLocation, refuseDirectory, writeObject, type ObjectWriter } from '../../storage/data-location';
import { isS3Uri } from '../../storage/s3-uri';
import type { PrepManifest } from './manifest';
import { csvSink, parquetSink, rejectsSink, type RowSink } from './output-sinks';
import { addCounts, countsReconcile, emptyCounts } from './prep-counts';
import { contentType } from './prepare-parts';
import { preparedChunks } from './prepared-chunks';
import { openSource, type OpenedSource } from './record-sources';
import { checkRules } from './check-rules';
import { PrepInputError } from './input-errors';

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

function inputFormatOf(uri: string, given: DataFormat | undefined): DataFormat {
  const format = given ?? formatFromName(uri);
  if (!format) throw new PrepInputError(`cannot tell the input format of ${uri} from its name: give it (${DATA_FORMATS.join(', ')})`);
  return format;
}

/** CSV or Parquet, from the output's name: a name that says JSON is refused rather than given CSV under it. */
function outputFormatOf(output: string): OutputFormat {
  const named = formatFromName(output);
  if (!named) throw new PrepInputError(`cannot tell the output format of ${output} from its name: give it (${OUTPUT_FORMATS.join(' or ')})`);
  if (named === 'json' || named === 'jsonl') throw new PrepInputError(`${output}: the output is written as CSV or Parquet, not ${named === 'json' ? 'JSON' : 'JSON Lines'}`);
  return named;
}

function checkDistinct(...uris: [input: string, output: string, rejects: string]): void {
  const [input, output, rejects] = uris.map((uri) => (isS3Uri(uri) ? uri : resolve(uri))) as [string, string, string];
  if (output === rejects) throw new PrepInputError(`the output and the rejects are the same object: ${uris[1]}`);
  if (input === output || input === rejects) throw new PrepInputError(`${uris[0]} would be overwritten by the preparation's ${input === output ? 'output' : 'rejects'}`);
}

/** Prepares one input object into one output object and one rejects object: `npm run prep`. */
export async function prepareFile(opts: PrepareFileOptions): Promise<PrepManifest> {
  await Promise.all([refuseDirectory(opts.input, 'input'), refuseDirectory(opts.output, 'output'), opts.rejects ? refuseDirectory(opts.rejects, 'rejects') : undefined]);
  const inputFormat = inputFormatOf(opts.input, opts.inputFormat);
  const outputFormat = opts.outputFormat ?? outputFormatOf(opts.output);
  const rejectsUri = opts.rejects ?? rejectsBeside(opts.output);
  checkDistinct(opts.input, opts.output, rejectsUri);
  // The worker threads start (~0.1 s to load the engine) while the input is opened and its header read.
  const executor = chunkExecutor(opts.threads ?? 0);
  let source: OpenedSource;
  try {
    source = await openSource(parseLocation(opts.input), opts.s3, { format: inputFormat, delimiter: opts.delimiter });
  } catch (error) {
    await executor.close();
    throw error;
  }
  try {
    checkRules(opts.rules, source.header);
  } catch (error) {
    await Promise.all([source.close(), executor.close()]);
    throw error;
  }
  const writers: ObjectWriter[] = [];
  try {
    const output = await writeObject(parseLocation(opts.output), opts.s3, contentType(outputFormat));
    writers.push(output);
    const sink: RowSink = outputFormat === 'csv' ? await csvSink(output, source.header) : await parquetSink(output, source.header);
    const rejectsObject = await writeObject(parseLocation(rejectsUri), opts.s3);
    writers.push(rejectsObject);
    const rejects = await rejectsSink(rejectsObject, source.header);
    const counts = emptyCounts(opts.rules.columns);
    let rowOffset = 0;
    for await (const { end, result } of preparedChunks(source, executor, opts.rules, outputFormat)) {
      await sink.write(result);
      await rejects.write(result.rejects, rowOffset);
      rowOffset += result.records;
      addCounts(counts, result.counts);
      opts.onProgress?.({ rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, rowsRejected: counts.rowsRejected, position: end });
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
  } catch (error) {
    // No partial output is left to be taken for a whole one, no multipart upload is left open, no input stream either.
    await Promise.all([...writers.map((writer) => writer.abort()), source.close()]);
    throw error;
  } finally {
    await executor.close();
  }
}
