import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DATA_FORMATS, formatFromName, OUTPUT_FORMATS, outputShapeIssues, type DataFormat, type OutputFormat, type OutputLayout, type PrepRules } from '../../../schemas/preparation/prep';
import { refuseDirectory } from '../../../storage/data-location';
import { isS3Uri, joinUnder } from '../../../storage/s3-uri';
import { PrepInputError } from '../read/input-errors';
import { chunkExecutor } from '../threads/chunk-executor';
import type { PrepManifest } from './manifest';
import { countsReconcile } from './prep-counts';
import { prepareWhole, type PrepProgress } from './prepare-parts';

export interface PrepareFileOptions {
  input: string;
  /** An object, or in the per-type layout a prefix (or directory) that gets `<type>.csv` for each identifier type. */
  output: string;
  /** Default: beside the output, `<output name>.rejects.csv` (per-type: `rejects.csv` in the output prefix). */
  rejects?: string;
  outputLayout?: OutputLayout;
  maxOutputBytes?: number;
  inputFormat?: DataFormat;
  outputFormat?: OutputFormat;
  delimiter?: string;
  rules: PrepRules;
  s3?: S3Client;
  /** Worker threads; 0 prepares in this thread. */
  threads?: number;
  onProgress?: (progress: PrepProgress) => void;
}

export function rejectsBeside(output: string, layout?: OutputLayout): string {
  return layout === 'per-type' ? joinUnder(output, 'rejects.csv') : output.replace(/(\.[a-z]+)?$/i, '.rejects.csv');
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

/** Prepares one input object into one output object and one rejects object (`npm run prep`): a task of one part. */
export async function prepareFile(opts: PrepareFileOptions): Promise<PrepManifest> {
  const perType = opts.outputLayout === 'per-type';
  await Promise.all([refuseDirectory(opts.input, 'input'), perType ? undefined : refuseDirectory(opts.output, 'output'), opts.rejects ? refuseDirectory(opts.rejects, 'rejects') : undefined]);
  const inputFormat = inputFormatOf(opts.input, opts.inputFormat);
  const outputFormat = opts.outputFormat ?? (perType ? 'csv' : outputFormatOf(opts.output));
  const shapeIssue = outputShapeIssues({ outputFormat, outputLayout: opts.outputLayout, maxOutputBytes: opts.maxOutputBytes, rules: opts.rules })[0];
  if (shapeIssue) throw new PrepInputError(`${shapeIssue.path.join('.')}: ${shapeIssue.message}`);
  const rejects = opts.rejects ?? rejectsBeside(opts.output, opts.outputLayout);
  checkDistinct(opts.input, opts.output, rejects);
  // The worker threads start (~0.1 s to load the engine) while the input is opened and its header read.
  const executor = chunkExecutor(opts.threads ?? 0);
  try {
    const manifest = await prepareWhole({
      task: { index: 0, input: opts.input, format: inputFormat, delimiter: opts.delimiter, rowOffset: 0 },
      output: opts.output,
      rejects,
      outputFormat,
      rules: opts.rules,
      outputLayout: opts.outputLayout,
      maxOutputBytes: opts.maxOutputBytes,
      s3: opts.s3,
      executor,
      onProgress: opts.onProgress,
    });
    const problems = countsReconcile(manifest.counts);
    if (problems.length > 0) throw new Error(`counts do not reconcile: ${problems.join('; ')}`);
    return manifest;
  } finally {
    await executor.close();
  }
}
