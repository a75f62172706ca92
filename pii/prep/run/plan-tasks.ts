import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { formatFromName, type DataFormat, type PrepRules } from '../../../schemas/preparation/prep';
import { needS3, parseLocation, readBytes, sizeOf, type DataLocation } from '../../../storage/data-location';
import { listObjects } from '../../../storage/s3-objects';
import { isS3Uri } from '../../../storage/s3-uri';
import type { PrepTask } from './prepare-parts';
import { checkRules } from '../rows/check-rules';
import { openSource } from '../read/record-sources';
import { RecordScanner } from '../read/record-scanner';
import { PrepInputError } from '../read/input-errors';

interface InputObject {
  uri: string;
  size: number;
  format: DataFormat;
}

/** The data objects at `input`: one object, or every object under a prefix (ending in '/') whose format is known. */
export async function listInputObjects(input: string, s3: S3Client | undefined, format?: DataFormat): Promise<InputObject[]> {
  const isPrefix = input.endsWith('/');
  if (!isPrefix) {
    const known = format ?? formatFromName(input);
    if (!known) throw new PrepInputError(`cannot tell the format of ${input} from its name: give the input format`);
    return [{ uri: input, size: await sizeOf(parseLocation(input), s3), format: known }];
  }
  const found: { uri: string; size: number }[] = [];
  if (isS3Uri(input)) {
    for (const { uri, size } of await listObjects(needS3(s3, input), input, { skipFolderMarkers: true })) found.push({ uri, size });
  } else {
    for (const name of (await readdir(input)).sort()) {
      const path = join(input, name);
      const info = await stat(path);
      if (info.isFile()) found.push({ uri: path, size: info.size });
    }
  }
  const objects = found
    .filter((o) => o.size > 0)
    .map((o) => ({ ...o, format: format ?? formatFromName(o.uri) }))
    .filter((o): o is InputObject => o.format !== undefined);
  if (objects.length === 0) throw new PrepInputError(`no CSV, JSON Lines, JSON or Parquet objects under ${input}`);
  return objects;
}

/**
 * Record boundaries near every `splitBytes` of a CSV or JSON Lines object, found by streaming it once
 * with the reader's own RecordScanner, with the number of records before each (header excluded).
 */
async function splitPoints(location: DataLocation, s3: S3Client | undefined, format: 'csv' | 'jsonl', delimiter: string, splitBytes: number, onBytes?: (bytes: number) => void) {
  const cuts: { offset: number; recordsBefore: number }[] = [];
  const scanner = new RecordScanner(format, delimiter);
  let offset = 0;
  let records = format === 'csv' ? -1 : 0;
  let nextCut = splitBytes;
  for await (const piece of await readBytes(location, s3)) {
    const bytes = piece as Buffer;
    // Record ends one at a time: each is counted, and the first at or past the next cut point is kept.
    let from = offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    for (;;) {
      const { stop } = scanner.scan(bytes, from, from + 1);
      if (stop < 0) break;
      records++;
      if (offset + stop >= nextCut) {
        cuts.push({ offset: offset + stop, recordsBefore: records });
        nextCut = offset + stop + splitBytes;
      }
      from = stop;
    }
    offset += bytes.length;
    onBytes?.(offset);
  }
  return { size: offset, cuts: cuts.filter((cut) => cut.offset < offset) };
}

export interface PlanOptions {
  input: string;
  format?: DataFormat;
  s3?: S3Client;
  /** CSV and JSON Lines objects larger than this are split into byte ranges aligned to records. */
  splitBytes: number;
  rules: PrepRules;
  onBytes?: (bytes: number) => void;
}

/** The tasks a dataset is prepared in: one per object, or per aligned byte range of a large line-format object. */
export async function planTasks(opts: PlanOptions): Promise<PrepTask[]> {
  const tasks: PrepTask[] = [];
  for (const object of await listInputObjects(opts.input, opts.s3, opts.format)) {
    const { format } = object;
    if ((format !== 'csv' && format !== 'jsonl') || object.size <= opts.splitBytes) {
      tasks.push({ index: tasks.length, input: object.uri, format, rowOffset: 0 });
      continue;
    }
    const location = parseLocation(object.uri);
    // The header (and the CSV delimiter) from the object's first MiB; only its first chunk is read, so the rest is let go.
    const head = await openSource(location, opts.s3, { format, range: { start: 0, end: Math.min(object.size, 1024 * 1024) } });
    await head.close();
    // Before the header goes into the tasks (and so into the workflow's history): a file without a header
    // line would put a data row there, and then the mapped columns are not in it.
    checkRules(opts.rules, head.header);
    const { size, cuts } = await splitPoints(location, opts.s3, format, head.delimiter, opts.splitBytes, opts.onBytes);
    const starts = [{ offset: 0, recordsBefore: 0 }, ...cuts];
    starts.forEach((start, i) => {
      const end = starts[i + 1]?.offset ?? size;
      tasks.push({
        index: tasks.length,
        input: object.uri,
        format,
        range: { start: start.offset, end },
        ...(i > 0 ? { header: head.header, delimiter: head.delimiter } : {}),
        rowOffset: start.recordsBefore,
      });
    });
  }
  return tasks;
}
