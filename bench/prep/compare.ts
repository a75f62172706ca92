import { createReadStream } from 'node:fs';
import Papa from 'papaparse';

const NEWLINE = 0x0a;
const COMMA = 0x2c;

/**
 * The rows of a CSV whose first field is one of `ids`, streamed: each line's first field is read as bytes,
 * and only sampled lines are decoded and parsed. The benchmark's values hold no line breaks, so a line is a
 * record, and its ids are never quoted.
 */
export async function sampledRows(path: string, ids: Set<string>): Promise<Map<string, string[]>> {
  const rows = new Map<string, string[]>();
  const line = (bytes: Buffer, start: number, end: number) => {
    const comma = bytes.indexOf(COMMA, start);
    const id = bytes.toString('latin1', start, comma !== -1 && comma < end ? comma : end);
    if (ids.has(id)) rows.set(id, Papa.parse<string[]>(bytes.toString('utf8', start, end), { delimiter: ',' }).data[0] ?? []);
  };
  let rest: Buffer = Buffer.alloc(0);
  for await (const piece of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    const bytes = rest.length > 0 ? Buffer.concat([rest, piece]) : piece;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; start = end + 1, end = bytes.indexOf(NEWLINE, start)) line(bytes, start, end);
    rest = Buffer.from(bytes.subarray(start));
    if (rows.size === ids.size) return rows;
  }
  if (rest.length > 0) line(rest, 0, rest.length);
  return rows;
}

export interface Agreement {
  compared: number;
  agreed: number;
  /** First few disagreements, for the report. */
  examples: string[];
  missing: number;
}

/** Compares every column of the sampled rows of the two outputs. */
export function agreement(ids: Set<string>, header: readonly string[], ours: Map<string, string[]>, theirs: Map<string, string[]>): Agreement {
  const result: Agreement = { compared: 0, agreed: 0, examples: [], missing: 0 };
  for (const id of ids) {
    const a = ours.get(id);
    const b = theirs.get(id);
    if (!a || !b) {
      result.missing++;
      if (result.examples.length < 5) result.examples.push(`${id}: missing from ${a ? 'DuckDB' : 'ours'}`);
      continue;
    }
    result.compared++;
    const differing = header.filter((_name, i) => a[i] !== b[i]);
    if (differing.length === 0) result.agreed++;
    else if (result.examples.length < 5) result.examples.push(`${id}: ${differing.map((name) => `${name} ours=${a[header.indexOf(name)]} duckdb=${b[header.indexOf(name)]}`).join(', ')}`);
  }
  return result;
}
