import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../pii/prep/threads/buffer-pool';
import { PrepInputError } from '../../pii/prep/read/input-errors';
import type { PrepRulesInput } from '../../schemas/preparation/prep';
import { prepare, rules, useTempDir, writeLines } from '../fixtures/prep/harness';
import { prepareFile } from '../../pii/prep/run/prepare-file';

const tmp = useTempDir();

/** Buffer.equals: vitest's deep equality walks a Buffer byte by byte (a minute for 3 MB). */
async function expectSameBytes(actual: string, expected: string): Promise<void> {
  const [a, b] = await Promise.all([readFile(actual), readFile(expected)]);
  expect(a.length).toBe(b.length);
  expect(a.equals(b)).toBe(true);
}

/**
 * A CSV of ~3 MB, so a dozen 256 KiB chunks, whose record numbers differ from its line numbers (quoted newlines),
 * with records that go to the rejects all through it: every 997th an invalid email, every 1499th a field short.
 * Its first column is the record number (header excluded).
 */
const ROWS = 48_000;
const invalidEmail = (i: number) => i % 997 === 0;
const fieldShort = (i: number) => i % 1499 === 0 && !invalidEmail(i);
function* bigCsv(rows = ROWS): Generator<string> {
  yield 'id,email,phone,first_name,note\n';
  for (let i = 1; i <= rows; i++) {
    const email = invalidEmail(i) ? `user${i}@@example` : ` User.${i}@Example.com`;
    const phone = `(415) 555-${String(i % 10_000).padStart(4, '0')}`;
    const note = i % 3 === 0 ? `"two\nlines, ""quoted"" ${i}"` : `note ${i}`;
    yield fieldShort(i) ? `${i},${email},${phone}\n` : `${i},${email},${phone},Näme${i % 50},${note}\n`;
  }
}
const amc: PrepRulesInput = { profile: 'amc', columns: { email: 'EMAIL', phone: 'PHONE', first_name: 'FIRST_NAME' } };

describe('multi-chunk inputs, inline and on worker threads', () => {
  it('writes the same bytes with threads: 2 as with threads: 0 (CSV out), and numbers rejects by input record', { timeout: 60_000 }, async () => {
    const input = tmp.path('big.csv');
    await writeLines(input, bigCsv());
    expect((await stat(input)).size).toBeGreaterThan(3 * 1024 * 1024);
    const inline = await prepare({ input, output: tmp.path('inline.csv'), threads: 0, rules: amc });
    const threaded = await prepare({ input, output: tmp.path('threaded.csv'), threads: 2, rules: amc });

    await expectSameBytes(tmp.path('threaded.csv'), tmp.path('inline.csv'));
    await expectSameBytes(tmp.path('threaded.rejects.csv'), tmp.path('inline.rejects.csv'));
    expect(threaded.manifest.outputs[0]!.sha256).toBe(inline.manifest.outputs[0]!.sha256);
    expect(threaded.manifest.rejects[0]!.sha256).toBe(inline.manifest.rejects[0]!.sha256);
    expect(threaded.manifest.counts).toEqual(inline.manifest.counts);

    const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
    const rejectedIds = ids.filter((i) => invalidEmail(i) || fieldShort(i));
    expect(inline.manifest.counts).toMatchObject({ rowsIn: ROWS, rowsOut: ROWS - rejectedIds.filter(fieldShort).length, blankLines: 0 });
    expect(inline.rows.map((r) => Number(r[0]))).toEqual(ids.filter((i) => !fieldShort(i)));
    // The row number of each reject is the record number in the input, whichever chunk it fell in.
    expect(threaded.rejects.map((r) => r.row)).toEqual(rejectedIds);
    for (const reject of threaded.rejects) expect(reject.values[0]).toBe(String(reject.row));
    expect(threaded.rejects.find((r) => r.row === 997)).toMatchObject({ columns: 'email', reasons: 'not an email address' });
    expect(threaded.rejects.find((r) => r.row === 1499)).toMatchObject({ columns: '', reasons: '3 fields where the header has 5' });
    // Quoted newlines survive the chunk boundaries: every third record's note is two lines.
    expect(inline.rows.find((r) => r[0] === '3000')![4]).toBe('two\nlines, "quoted" 3000');
  });

  it('writes the same bytes over more chunks than are in flight, where the buffers of written chunks carry later ones', { timeout: 60_000 }, async () => {
    // ~10 MiB: 40 chunks, 8 in flight on 2 threads, so from the 9th on a chunk goes out, and its output comes back,
    // in buffers an earlier chunk used: a buffer reused before its output was written would change the bytes.
    const input = tmp.path('bigger.csv');
    await writeLines(input, bigCsv(3 * ROWS));
    expect((await stat(input)).size).toBeGreaterThan(9 * 1024 * 1024);
    const inline = await prepareFile({ input, output: tmp.path('inline.csv'), threads: 0, rules: rules(amc) });
    const give = vi.spyOn(BufferPool.prototype, 'give');
    const take = vi.spyOn(BufferPool.prototype, 'take');
    const threaded = await prepareFile({ input, output: tmp.path('threaded.csv'), threads: 2, rules: rules(amc) }).finally(() => vi.restoreAllMocks());
    const givenAt = new Map(give.mock.calls.map(([buffer], i) => [buffer, give.mock.invocationCallOrder[i]!]));
    const reused = take.mock.results.filter((result, i) => (givenAt.get(result.value as ArrayBuffer) ?? Infinity) < take.mock.invocationCallOrder[i]!).length;
    // Inputs and outputs alike went out again in buffers that had carried an earlier chunk.
    expect(reused).toBeGreaterThanOrEqual(10);
    await expectSameBytes(tmp.path('threaded.csv'), tmp.path('inline.csv'));
    expect(threaded.outputs[0]!.sha256).toBe(inline.outputs[0]!.sha256);
    expect(threaded.counts).toEqual(inline.counts);
    expect(threaded.counts.rowsIn).toBe(3 * ROWS);
  });

  it('writes the same Parquet with threads: 2 as with threads: 0, and the same JSON Lines output', { timeout: 60_000 }, async () => {
    const input = tmp.path('big.csv');
    await writeLines(input, bigCsv());
    const inline = await prepare({ input, output: tmp.path('inline.parquet'), threads: 0, rules: amc });
    const threaded = await prepare({ input, output: tmp.path('threaded.parquet'), threads: 2, rules: amc });
    await expectSameBytes(tmp.path('threaded.parquet'), tmp.path('inline.parquet'));
    expect(threaded.manifest.counts).toEqual(inline.manifest.counts);
    expect(inline.rows).toHaveLength(inline.manifest.counts.rowsOut);
    const fromCsv = await prepare({ input, output: tmp.path('inline.csv'), threads: 0, rules: amc });
    expect(inline.rows).toEqual(fromCsv.rows);

    const jsonl = tmp.path('big.jsonl');
    await writeLines(jsonl, (function* () {
      for (let i = 1; i <= ROWS; i++) yield JSON.stringify({ id: i, email: invalidEmail(i) ? 'x' : `u${i}@example.com`, note: `n\n${i}` }) + '\n';
    })());
    const jsonRules: PrepRulesInput = { profile: 'tiktok', columns: { email: 'EMAIL' } };
    const a = await prepare({ input: jsonl, output: tmp.path('j0.csv'), threads: 0, rules: jsonRules });
    const b = await prepare({ input: jsonl, output: tmp.path('j2.csv'), threads: 2, rules: jsonRules });
    expect(b.manifest.outputs[0]!.sha256).toBe(a.manifest.outputs[0]!.sha256);
    expect(b.rejects.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1).filter(invalidEmail));
  });
});

describe('a record too long to be one', () => {
  it('fails a 100 MB line with a PrepInputError, in bounded memory, and leaves no partial output', { timeout: 60_000 }, async () => {
    const input = tmp.path('long.csv');
    const megabyte = Buffer.alloc(1024 * 1024, 'x');
    const row = (i: number) => `${i},user${i}@example.com\n`;
    let longRecordStart = 'id,email\n'.length;
    for (let i = 1; i <= 30_000; i++) longRecordStart += row(i).length;
    await writeLines(input, (function* () {
      yield 'id,email\n';
      for (let i = 1; i <= 30_000; i++) yield row(i);
      yield '30001,';
      for (let i = 0; i < 100; i++) yield megabyte;
      yield '@example.com\n30002,a@b.com\n';
    })());
    expect((await stat(input)).size).toBeGreaterThan(100 * 1024 * 1024);

    // Buffers (file reads, chunks) live outside the JS heap: their peak is what a 100 MB record held whole would show.
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers));
    const sampler = setInterval(sample, 5);
    const outcome = await prepareFile({ input, output: tmp.path('out.csv'), rules: rules({ profile: 'amc', columns: { email: 'EMAIL' } }) }).catch((e: unknown) => e);
    clearInterval(sampler);
    sample();

    expect(outcome).toBeInstanceOf(PrepInputError);
    expect((outcome as Error).message).toMatch(new RegExp(`^a record longer than 16 MiB starts at byte ${longRecordStart}: not CSV records`));
    // The chunker holds at most one record of 16 MiB (plus the read-ahead), never the 100 MB line.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    expect(existsSync(tmp.path('out.csv'))).toBe(false);
    expect(existsSync(tmp.path('out.rejects.csv'))).toBe(false);
  });
});
