import type { S3Client } from '@aws-sdk/client-s3';
import type { DataFormat, IdentifierType, OutputFormat, OutputLayout, PrepRules } from '../../../schemas/preparation/prep';
import type { ChunkExecutor } from '../threads/chunk-executor';
import { checkRules, outputHeaderOf } from '../rows/check-rules';
import { parseLocation, writeObject, type ObjectWriter, type WrittenObject } from '../../../storage/data-location';
import { joinUnder } from '../../../storage/s3-uri';
import type { PreparedObject, PrepManifest } from './manifest';
import { parquetSink, rejectsSink } from '../write/output-sinks';
import { rollingCsv, typeSinks } from '../write/type-sinks';
import type { ChunkResult } from '../chunk/chunk-task';
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
  outputs: PreparedObject[];
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
  /** Unset: rows. */
  outputLayout?: OutputLayout;
  /** CSV output objects roll over to a further object before they would pass this size. */
  maxOutputBytes?: number;
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
  /** A part's output object: of one identifier type in the per-type layout, the `roll`th when the part rolled over at maxOutputBytes. */
  output(part: number, type: IdentifierType | undefined, roll: number): string;
  rejects(part: number): string;
  partRows: number;
  /** The first part is written even when the input has no rows (a header-only output), as a single output object always is. */
  alwaysOnePart: boolean;
}

/** The Content-Type an output object is written with. */
export const contentType = (format: OutputFormat) => (format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet');

const pad = (n: number) => String(n).padStart(5, '0');

/** `name.csv` for roll 0, `name-00001.csv` for roll 1…: the first object keeps the name it has without a cap. */
export const rolledName = (uri: string, roll: number): string => (roll === 0 ? uri : uri.replace(/(\.[a-z]+)?$/i, (ext) => `-${pad(roll)}${ext}`));

const typeFolder = (type: IdentifierType) => type.toLowerCase();

function partLayout(prefix: string, task: number, format: OutputFormat, partRows: number): PartLayout {
  const name = (part: number) => `part-${pad(task)}-${pad(part)}`;
  return {
    output: (part, type, roll) => rolledName(joinUnder(prefix, 'data', ...(type ? [typeFolder(type)] : []), `${name(part)}.${format}`), roll),
    rejects: (part) => joinUnder(prefix, 'rejects', `${name(part)}.csv`),
    partRows,
    alwaysOnePart: false,
  };
}

/**
 * Prepares a task into numbered parts. Each part's objects are completed before the checkpoint that
 * names them, and part names are deterministic, so a retry from a checkpoint rewrites at most the one
 * part that was in progress and the final objects equal an uninterrupted run's.
 */
export function prepareParts(opts: PreparePartsOptions): Promise<PrepManifest> {
  return prepareInParts(opts, partLayout(opts.outputPrefix, opts.task.index, opts.outputFormat, opts.partRows));
}

/**
 * Prepares one whole object into one output object (more when it rolls over at maxOutputBytes) and one rejects object:
 * a task of one part. In the per-type layout `output` is a prefix (or directory) and each type's values go to `<type>.csv` in it.
 */
export function prepareWhole(opts: Omit<PrepareOptions, 'resume' | 'onCommit'> & { output: string; rejects: string }): Promise<PrepManifest> {
  const layout: PartLayout = {
    output: (_part, type, roll) => rolledName(type ? joinUnder(opts.output, `${typeFolder(type)}.csv`) : opts.output, roll),
    rejects: () => opts.rejects,
    partRows: Infinity,
    alwaysOnePart: true,
  };
  return prepareInParts({ ...opts, onCommit: () => undefined }, layout);
}

/** A part's output: CSV (rolled over at the cap) or Parquet rows, or one CSV per identifier type. */
interface PartOutput {
  write(result: ChunkResult): Promise<void>;
  finish(): Promise<PreparedObject[]>;
  abort(): Promise<void>;
}

async function openPartOutput(opts: PrepareOptions, layout: PartLayout, part: number, columns: string[]): Promise<PartOutput> {
  // Per-type files are customer files: TikTok checks their MD5.
  const open = (type: IdentifierType | undefined, roll: number) =>
    writeObject(parseLocation(layout.output(part, type, roll)), opts.s3, contentType(opts.outputFormat), { md5: opts.outputLayout === 'per-type' });
  if (opts.outputLayout === 'per-type') return typeSinks((type, roll) => open(type, roll), opts.maxOutputBytes);
  if (opts.outputFormat === 'csv') {
    const csv = await rollingCsv((roll) => open(undefined, roll), opts.rules.outputHeader === 'none' ? undefined : columns, opts.maxOutputBytes);
    return { write: (result) => csv.write(result.csv ?? ''), finish: () => csv.finish(), abort: () => csv.abort() };
  }
  const writer = await open(undefined, 0);
  try {
    const sink = await parquetSink(writer, columns);
    return { write: (result) => sink.write(result), finish: async () => [await sink.finish()], abort: () => writer.abort() };
  } catch (error) {
    await writer.abort();
    throw error;
  }
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
    const sink = await openPartOutput(opts, layout, state.nextPart, written);
    let rejectsObject: ObjectWriter | undefined;
    try {
      rejectsObject = await writeObject(parseLocation(layout.rejects(state.nextPart)), opts.s3);
      const rejects = await rejectsSink(rejectsObject, header);
      return { sink, rejects, abort: [() => sink.abort(), () => rejectsObject!.abort()], records: 0, end: state.position, counts: emptyCounts(opts.rules.columns) };
    } catch (error) {
      // A part that could not be opened leaves no upload open either.
      await Promise.all([sink.abort(), rejectsObject?.abort()]);
      throw error;
    }
  };
  let part: Awaited<ReturnType<typeof openPart>> | undefined;
  const commit = async () => {
    if (!part) return;
    state.outputs.push(...(await part.sink.finish()));
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
    for await (const { end, result } of preparedChunks(source, opts.executor, opts.rules, opts.outputFormat, opts.outputLayout)) {
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
    await Promise.all([...(part?.abort.map((abort) => abort()) ?? []), source.close()]);
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
