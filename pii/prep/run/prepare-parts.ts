import type { S3Client } from '@aws-sdk/client-s3';
import type { DataFormat, OutputFormat, PrepRules } from '../../../schemas/prep';
import type { ChunkExecutor } from '../threads/chunk-executor';
import { checkRules, outputHeaderOf } from '../rows/check-rules';
import { parseLocation, writeObject, type ObjectWriter, type WrittenObject } from '../../../storage/data-location';
import { joinUnder } from '../../../storage/s3-uri';
import type { PrepManifest } from './manifest';
import { csvSink, parquetSink, rejectsSink } from '../write/output-sinks';
import { addCounts, emptyCounts, type PrepCounts } from './prep-counts';
import { preparedChunks } from '../threads/prepared-chunks';
import { openSource } from '../read/record-sources';

/** One unit of a dataset's preparation: an object, or a byte range of one aligned to records. */
export interface PrepTask {
  index: number;
  input: string;
  format: DataFormat;
  range?: { start: number; end: number };
  /** Column names, for a range that does not start at the object's header. */
  header?: string[];
  delimiter?: string;
  /** Records before this task's first one in its object, so reject row numbers are the object's. */
  rowOffset: number;
}

/** What has been committed: output parts complete in S3, and where the input continues. Counts and URIs only. */
export interface PrepCheckpoint {
  position: number;
  /** The columns as read at the start, since a resumed read starts past the header. */
  header: string[];
  delimiter: string;
  nextPart: number;
  rowOffset: number;
  counts: PrepCounts;
  outputs: WrittenObject[];
  rejects: WrittenObject[];
}

export interface PrepProgress {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Bytes (CSV, JSON Lines) or records (Parquet, JSON arrays) read so far. */
  position: number;
}

interface PrepareOptions {
  task: PrepTask;
  outputFormat: OutputFormat;
  rules: PrepRules;
  s3?: S3Client;
  executor: ChunkExecutor;
  /** Resume from here instead of the task's start. */
  resume?: PrepCheckpoint;
  /** Called after each committed part; a crash after it resumes from this checkpoint. */
  onCommit(checkpoint: PrepCheckpoint): Promise<void> | void;
  /** Called after each chunk. */
  onProgress?(progress: PrepProgress): void;
}

export interface PreparePartsOptions extends PrepareOptions {
  /** Output prefix (s3://bucket/prefix/ or a local directory): parts go under `data/`, rejects under `rejects/`, named after the task and part number. */
  outputPrefix: string;
  /** A part is committed (its objects completed) once it holds this many rows read. */
  partRows: number;
}

/** Where the parts go and how large they grow. */
interface PartLayout {
  objects(part: number): { output: string; rejects: string };
  partRows: number;
  /** The first part is written even when the input has no rows (a header-only output), as a single output object always is. */
  alwaysOnePart: boolean;
}

/** The Content-Type an output object is written with. */
export const contentType = (format: OutputFormat) => (format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet');

const pad = (n: number) => String(n).padStart(5, '0');

function partObjects(prefix: string, task: number, part: number, format: OutputFormat): { output: string; rejects: string } {
  const name = `part-${pad(task)}-${pad(part)}`;
  return { output: joinUnder(prefix, 'data', `${name}.${format}`), rejects: joinUnder(prefix, 'rejects', `${name}.csv`) };
}

/**
 * Prepares a task into numbered parts. Each part's objects are completed before the checkpoint that
 * names them, and part names are deterministic, so a retry from a checkpoint rewrites at most the one
 * part that was in progress and the final objects equal an uninterrupted run's.
 */
export function prepareParts(opts: PreparePartsOptions): Promise<PrepManifest> {
  const objects = (part: number) => partObjects(opts.outputPrefix, opts.task.index, part, opts.outputFormat);
  return prepareInParts(opts, { objects, partRows: opts.partRows, alwaysOnePart: false });
}

/** Prepares one whole object into one output object and one rejects object: a task of one part. */
export function prepareWhole(opts: Omit<PrepareOptions, 'resume' | 'onCommit'> & { output: string; rejects: string }): Promise<PrepManifest> {
  const layout = { objects: () => ({ output: opts.output, rejects: opts.rejects }), partRows: Infinity, alwaysOnePart: true };
  return prepareInParts({ ...opts, onCommit: () => undefined }, layout);
}

async function prepareInParts(opts: PrepareOptions, layout: PartLayout): Promise<PrepManifest> {
  const { task } = opts;
  const resume = opts.resume;
  const source = await openSource(parseLocation(task.input), opts.s3, {
    format: task.format,
    delimiter: resume?.delimiter ?? task.delimiter,
    header: resume?.header ?? task.header,
    range: task.range,
    resumeFrom: resume?.position,
  });
  const header = source.header;
  let written: string[];
  try {
    checkRules(opts.rules, header);
    written = outputHeaderOf(opts.rules, header);
  } catch (error) {
    await source.close();
    throw error;
  }
  const state: PrepCheckpoint = resume ? structuredClone(resume) : {
    position: task.range?.start ?? 0,
    header,
    delimiter: source.delimiter,
    nextPart: 0,
    rowOffset: task.rowOffset,
    counts: emptyCounts(opts.rules.columns),
    outputs: [],
    rejects: [],
  };

  const openPart = async () => {
    const uris = layout.objects(state.nextPart);
    const writers: ObjectWriter[] = [];
    try {
      const output = await writeObject(parseLocation(uris.output), opts.s3, contentType(opts.outputFormat));
      writers.push(output);
      const sink = opts.outputFormat === 'csv' ? await csvSink(output, written) : await parquetSink(output, written);
      const rejectsObject = await writeObject(parseLocation(uris.rejects), opts.s3);
      writers.push(rejectsObject);
      const rejects = await rejectsSink(rejectsObject, header);
      return { sink, rejects, writers, records: 0, end: state.position, counts: emptyCounts(opts.rules.columns) };
    } catch (error) {
      // A part that could not be opened leaves no upload open either.
      await Promise.all(writers.map((writer) => writer.abort()));
      throw error;
    }
  };
  let part: Awaited<ReturnType<typeof openPart>> | undefined;
  const commit = async () => {
    if (!part) return;
    state.outputs.push(await part.sink.finish());
    state.rejects.push(await part.rejects.finish());
    addCounts(state.counts, part.counts);
    state.rowOffset += part.records;
    state.position = part.end;
    state.nextPart++;
    part = undefined;
    await opts.onCommit(structuredClone(state));
  };

  try {
    if (layout.alwaysOnePart) part = await openPart();
    for await (const { end, result } of preparedChunks(source, opts.executor, opts.rules, opts.outputFormat)) {
      part ??= await openPart();
      await part.sink.write(result);
      await part.rejects.write(result.rejects, state.rowOffset + part.records);
      part.records += result.records;
      part.end = end;
      addCounts(part.counts, result.counts);
      const { counts } = state;
      opts.onProgress?.({ rowsIn: counts.rowsIn + part.counts.rowsIn, rowsOut: counts.rowsOut + part.counts.rowsOut, rowsRejected: counts.rowsRejected + part.counts.rowsRejected, position: end });
      if (part.counts.rowsIn >= layout.partRows) await commit();
    }
    await commit();
  } catch (error) {
    // The part in progress is not committed: abort its uploads (a retry writes it again) and release the input.
    await Promise.all([...(part?.writers.map((writer) => writer.abort()) ?? []), source.close()]);
    throw error;
  }
  return {
    profile: opts.rules.profile,
    columns: opts.rules.columns,
    outputFormat: opts.outputFormat,
    inputs: [{ uri: task.input, format: task.format, ...(task.range ? { range: task.range } : {}) }],
    outputs: state.outputs,
    rejects: state.rejects,
    counts: state.counts,
  };
}
