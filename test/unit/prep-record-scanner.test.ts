import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { parseLocation } from '../../storage/data-location';
import { recordChunks, type ByteReader, type ChunkOptions } from '../../pii/prep/read/record-chunks';
import { openSource } from '../../pii/prep/read/record-sources';
import { useTempDir } from '../fixtures/prep/harness';
import { RecordScanner } from '../../pii/prep/read/record-scanner';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Every record end the scanner finds, one at a time. */
function recordEnds(text: string, format: 'csv' | 'jsonl' = 'csv', delimiter?: string): number[] {
  const scanner = new RecordScanner(format, delimiter);
  const data = bytes(text);
  const ends: number[] = [];
  for (let from = 0; ; ) {
    const { stop } = scanner.scan(data, from, from + 1);
    if (stop < 0) return ends;
    ends.push(stop);
    from = stop;
  }
}

async function* pieces(text: string, size: number) {
  const data = bytes(text);
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** A reader over `data` that gives at most `most` bytes a read, as a file read may return fewer than asked. */
function reader(data: Buffer, most: number): ByteReader & { closed: boolean } {
  let position = 0;
  return {
    closed: false,
    readInto(into, at, length) {
      const n = Math.min(length, most, data.length - position);
      into.set(data.subarray(position, position + n), at);
      position += n;
      return Promise.resolve(n);
    },
    close() {
      this.closed = true;
      return Promise.resolve();
    },
  };
}

/** Each chunk's bytes, copied as they come (a chunk is a view that holds only until the next is asked for), and its offset. */
async function chunksOf(source: Parameters<typeof recordChunks>[0], opts: ChunkOptions): Promise<{ offset: number; text: string }[]> {
  const chunks: { offset: number; text: string }[] = [];
  for await (const chunk of recordChunks(source, opts)) chunks.push({ offset: chunk.offset, text: chunk.bytes.toString('utf8') });
  return chunks;
}

describe('RecordScanner: where records end, as papaparse reads them', () => {
  it('a newline inside a quoted field does not end the record; "" is an escaped quote', () => {
    const text = 'a,b\n1,"x\ny"\n2,"say ""hi""\n there"\n';
    expect(recordEnds(text)).toEqual([4, 12, 34]);
    expect(Papa.parse(text.trimEnd()).data).toHaveLength(3);
  });

  it('a quote inside an unquoted field is a character, so an odd number of them does not swallow the file', () => {
    const text = 'id,height,note\n1,5\'11",tall\n2,6\'0",x\n3,"quoted, with comma",y\n4,12" pizza,z\n';
    expect(recordEnds(text)).toHaveLength(5);
    const parsed = Papa.parse<string[]>(text.trimEnd(), { delimiter: ',' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((row) => row[1])).toEqual(['height', '5\'11"', '6\'0"', 'quoted, with comma', '12" pizza']);
  });

  it('a quote opens a field only after the delimiter in use', () => {
    // With ';' as the delimiter, the quote after ',' is inside an unquoted field.
    expect(recordEnds('a;b\n1,"x;2\n3;4\n', 'csv', ';')).toEqual([4, 11, 15]);
    expect(recordEnds('a;b\n1;"x\n2";3\n', 'csv', ';')).toEqual([4, 14]);
  });

  it('CRLF line ends, and JSON Lines where every newline ends a record', () => {
    expect(recordEnds('a,b\r\n"1\r\n2",3\r\n')).toEqual([5, 15]);
    expect(recordEnds('{"a":"x\\"y"}\n{"a":"\\""}\n', 'jsonl')).toEqual([13, 24]);
  });

  it('cuts chunks at the same places however the bytes arrive', async () => {
    const lines = ['id,note'];
    for (let i = 0; i < 2000; i++) lines.push(i % 7 === 0 ? `${i},"multi\nline ""${i}"""` : i % 11 === 0 ? `${i},${i}" stray` : `${i},plain`);
    const text = lines.join('\n') + '\n';
    const cutsFor = async (pieceSize: number) => {
      const cuts: number[] = [];
      for await (const chunk of recordChunks(pieces(text, pieceSize), { format: 'csv', targetBytes: 1024 })) cuts.push(chunk.offset + chunk.bytes.length);
      return cuts;
    };
    const reference = await cutsFor(text.length);
    expect(reference.length).toBeGreaterThan(10);
    expect(await cutsFor(97)).toEqual(reference);
    expect(await cutsFor(4096)).toEqual(reference);
    // Every chunk is whole records: papaparse reads each without an error.
    let offset = 0;
    for (const end of reference) {
      expect(Papa.parse(text.slice(offset, end).trimEnd(), { delimiter: ',' }).errors).toEqual([]);
      offset = end;
    }
  });
});

describe('recordChunks read straight into its buffer (local files)', () => {
  const lines = ['id,note'];
  for (let i = 0; i < 3000; i++) lines.push(i % 5 === 0 ? `${i},"quoted\nnewline ${i}"` : `${i},plain ${'x'.repeat(i % 40)}`);
  const text = lines.join('\n') + '\n';

  it('cuts where the piece-by-piece path cuts, whatever the reads return, and gives back every byte once', async () => {
    const reference = await chunksOf(pieces(text, text.length), { format: 'csv', targetBytes: 2048 });
    expect(reference.length).toBeGreaterThan(20);
    for (const most of [1, 97, 4096, text.length]) {
      const source = reader(bytes(text), most);
      expect(await chunksOf(source, { format: 'csv', targetBytes: 2048 })).toEqual(reference);
      expect(source.closed).toBe(true);
    }
    expect(reference.map((c) => c.text).join('')).toBe(text);
  });

  it('drops a byte-order mark split across reads, and counts offsets after it', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(text)]);
    const chunks = await chunksOf(reader(data, 1), { format: 'csv', targetBytes: 2048 });
    expect(chunks[0]!.offset).toBe(3);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    // Without stripping (a range that starts past the object's start), the bytes stay as they are.
    const kept = await chunksOf(reader(data, 1), { format: 'csv', targetBytes: 2048, stripBom: false, startOffset: 0 });
    expect(Buffer.from(kept.map((c) => c.text).join(''), 'utf8').equals(data)).toBe(true);
  });

  it('reports offsets from where a range starts, and cuts at the same multiples of the target as a whole read', async () => {
    const whole = await chunksOf(reader(bytes(text), 500), { format: 'csv', targetBytes: 2048 });
    const from = whole[3]!.offset;
    const resumed = await chunksOf(reader(bytes(text).subarray(from), 500), { format: 'csv', targetBytes: 2048, startOffset: from, stripBom: false });
    expect(resumed).toEqual(whole.slice(3));
  });

  it('refuses a record longer than the limit rather than growing its buffer without end', async () => {
    const long = `id,note\n1,${'y'.repeat(300_000)}\n`;
    await expect(chunksOf(reader(bytes(long), 65536), { format: 'csv', maxRecordBytes: 100_000 })).rejects.toThrow(/a record longer than/);
  });
});

describe('openSource cuts a CSV with the delimiter its header names', () => {
  const tmp = useTempDir();

  it('does not cut inside a quoted field where a quote follows another likely delimiter', async () => {
    // With ',' the quote of `x;"y` is a character of an unquoted field (papaparse's reading); taken as a field
    // start after ';', it would pair with the opening quote of the next record's field, and the newline inside
    // that field would look like a record end: a cut there splits the record in two.
    const lines = ['id,note', '1,x;"y', '2,"a', 'b"', ...Array.from({ length: 40 }, (_, i) => `${i + 3},"p\nq ${i}"`)];
    const text = lines.join('\n') + '\n';
    const path = tmp.path('semicolon-quote.csv');
    await writeFile(path, text);
    const source = await openSource(parseLocation(path), undefined, { format: 'csv', chunkBytes: 16 });
    expect(source.delimiter).toBe(',');
    const records: string[][] = [];
    for await (const chunk of source.chunks) {
      if (chunk.format !== 'csv') throw new Error('expected CSV chunks');
      const parsed = Papa.parse<string[]>(Buffer.from(chunk.bytes).toString('utf8').replace(/\n$/, ''), { delimiter: ',' });
      expect(parsed.errors).toEqual([]);
      records.push(...parsed.data);
    }
    expect(records).toEqual(Papa.parse<string[]>(text.replace(/\n$/, ''), { delimiter: ',' }).data.slice(1));
    expect(records[1]).toEqual(['2', 'a\nb']);
  });
});

/** The scanner's rule spelled out byte by byte: the oracle the indexOf-jumping scanner must agree with. */
function referenceEnds(data: Uint8Array, delimiter: number): number[] {
  const ends: number[] = [];
  let [inQuotes, fieldStart, justClosed] = [false, true, false];
  data.forEach((byte, i) => {
    if (inQuotes) {
      if (byte === 0x22) [inQuotes, justClosed] = [false, true];
    } else if (byte === 0x22) {
      inQuotes = fieldStart || justClosed;
      [fieldStart, justClosed] = [false, false];
    } else if (byte === 0x0a) {
      ends.push(i + 1);
      [fieldStart, justClosed] = [true, false];
    } else if (byte === delimiter) [fieldStart, justClosed] = [true, false];
    else if (byte !== 0x0d) [fieldStart, justClosed] = [false, false];
  });
  return ends;
}

describe('RecordScanner against its byte-by-byte rule', () => {
  it('agrees on 3,000 random inputs made of quotes, delimiters, CR, LF and letters, scanned in random pieces', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['"', ',', ';', '\r', '\n', 'a', 'b', ' ', '""'];
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const data = bytes(text);
      const scanner = new RecordScanner('csv', ',');
      const ends: number[] = [];
      // Fed in pieces, as a stream arrives; each call continues the state of the one before.
      let scannedTo = 0;
      let from = 0;
      while (scannedTo < data.length) {
        scannedTo = Math.min(data.length, scannedTo + 1 + Math.floor(random() * 12));
        const piece = data.subarray(0, scannedTo);
        for (;;) {
          const { stop } = scanner.scan(piece, from, from + 1);
          if (stop < 0) {
            from = scannedTo;
            break;
          }
          ends.push(stop);
          from = stop;
        }
      }
      expect(ends, JSON.stringify(text)).toEqual(referenceEnds(data, 0x2c));
    }
  });
});
