import type { IdentifierType } from '../../../schemas/preparation/prep';
import type { ChunkResult } from '../chunk/chunk-task';
import type { ObjectWriter, WrittenObject } from '../../../storage/data-location';
import type { PreparedObject } from '../run/manifest';
import { csvLines } from './output-sinks';

/** Where a part's CSV goes: one object, or more when `maxBytes` rolls it over. */
export interface RollingCsv {
  write(bytes: Uint8Array | string): Promise<void>;
  finish(): Promise<WrittenObject[]>;
  abort(): Promise<void>;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/**
 * CSV lines written to object `open(0)`, then, before an object would pass `maxBytes`, to `open(1)`, `open(2)`…, each
 * cut at a line boundary and starting with the header (if any). The objects depend only on the lines written, so a
 * part written again writes the same objects. A single line longer than `maxBytes` is written whole.
 */
export async function rollingCsv(open: (roll: number) => Promise<ObjectWriter>, header: string[] | undefined, maxBytes = Infinity): Promise<RollingCsv> {
  const headerLine = header ? encoder.encode(csvLines([header])) : new Uint8Array(0);
  const done: WrittenObject[] = [];
  let roll = 0;
  let current = await open(roll);
  let size = 0;
  const start = async () => {
    size = headerLine.byteLength;
    if (size > 0) await current.write(headerLine);
  };
  await start();
  const next = async () => {
    done.push(await current.finish());
    current = await open(++roll);
    await start();
  };
  return {
    async write(data) {
      let bytes = typeof data === 'string' ? encoder.encode(data) : data;
      while (size + bytes.byteLength > maxBytes) {
        const room = maxBytes - size;
        const cut = bytes.subarray(0, room).lastIndexOf(NEWLINE) + 1;
        if (cut === 0 && size === headerLine.byteLength) {
          // Not even one line fits an empty object: it gets that line alone.
          const end = bytes.indexOf(NEWLINE) + 1 || bytes.byteLength;
          await current.write(bytes.subarray(0, end));
          size += end;
          bytes = bytes.subarray(end);
        } else if (cut > 0) {
          await current.write(bytes.subarray(0, cut));
          size += cut;
          bytes = bytes.subarray(cut);
        }
        if (bytes.byteLength === 0) return;
        await next();
      }
      if (bytes.byteLength === 0) return;
      await current.write(bytes);
      size += bytes.byteLength;
    },
    async finish() {
      done.push(await current.finish());
      return done;
    },
    abort: () => current.abort(),
  };
}

/**
 * The per-type layout's sink for one part: each identifier type's lines go to that type's own objects (headerless,
 * rolled over at `maxBytes`), opened when the type's first value comes, so a type without values writes nothing.
 */
export function typeSinks(open: (type: IdentifierType, roll: number) => Promise<ObjectWriter>, maxBytes = Infinity) {
  const sinks = new Map<IdentifierType, RollingCsv>();
  return {
    async write(result: ChunkResult): Promise<void> {
      for (const [type, bytes] of Object.entries(result.byType ?? {}) as [IdentifierType, Uint8Array][]) {
        let sink = sinks.get(type);
        if (!sink) {
          sink = await rollingCsv((roll) => open(type, roll), undefined, maxBytes);
          sinks.set(type, sink);
        }
        await sink.write(bytes);
      }
    },
    async finish(): Promise<PreparedObject[]> {
      const written: PreparedObject[] = [];
      // In a fixed order, so the manifest lists the objects the same way on every run.
      for (const type of [...sinks.keys()].sort()) written.push(...(await sinks.get(type)!.finish()).map((object) => ({ ...object, type })));
      return written;
    },
    abort: async (): Promise<void> => {
      await Promise.all([...sinks.values()].map((sink) => sink.abort()));
    },
  };
}
