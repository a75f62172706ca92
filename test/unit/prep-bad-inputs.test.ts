import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sha256Base64, sha256Hex } from '../../pii/hash';
import { prepareFile } from '../../pii/prep/run/prepare-file';
import { PrepInputError } from '../../pii/prep/read/input-errors';
import type { PrepRulesInput } from '../../schemas/preparation/prep';
import { prepare, readParquet, rules, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();
const er: PrepRulesInput = { profile: 'er', columns: { email: 'EMAIL' } };

async function prepareText(text: string | Uint8Array, rulesInput: PrepRulesInput = er, name = 'in.csv') {
  const input = tmp.path(name);
  await writeFile(input, text);
  return prepare({ input, output: tmp.path('out.csv'), rules: rulesInput });
}

async function failure(text: string, rulesInput: PrepRulesInput = er, name = 'in.csv', threads = 0): Promise<Error> {
  const input = tmp.path(name);
  await writeFile(input, text);
  const error = await prepareFile({ input, output: tmp.path('out.csv'), threads, rules: rules(rulesInput) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PrepInputError);
  return error as Error;
}

describe('records that cannot be read go to the rejects, with a reason', () => {
  it('an unterminated quote: the counts reconcile and the malformed record is rejected', async () => {
    const out = await prepareText('id,email,note\n1,a@b.com,ok\n2,"c@d.com,oops\n3,e@f.com,ok\n4,g@h.com,ok\n');
    expect(out.rows).toEqual([['1', 'a@b.com', 'ok']]);
    expect(out.rejects).toHaveLength(1);
    expect(out.rejects[0]).toMatchObject({ row: 2, columns: '', reasons: 'malformed CSV: Quoted field unterminated' });
    expect(out.manifest.counts).toMatchObject({ rowsOut: 1, rowsRejected: 1 });
  });

  it('a malformed quoted field takes only its own record, not the next one', async () => {
    const out = await prepareText('id,email,note\n1,a@b.com,ok\n2,"c""@d.com"x,bad\n3,e@f.com,ok\n');
    expect(out.rows).toEqual([
      ['1', 'a@b.com', 'ok'],
      ['3', 'e@f.com', 'ok'],
    ]);
    expect(out.rejects.map((r) => [r.row, r.reasons])).toEqual([[2, 'malformed CSV: Trailing quote on quoted field is malformed']]);
  });

  it('too few or too many fields', async () => {
    const out = await prepareText('id,email,note\n1,a@b.com\n2,c@d.com,x,y\n3,e@f.com,ok\n');
    expect(out.rows).toEqual([['3', 'e@f.com', 'ok']]);
    expect(out.rejects).toEqual([
      { row: 1, columns: '', reasons: '2 fields where the header has 3', values: ['1', 'a@b.com'] },
      { row: 2, columns: '', reasons: '4 fields where the header has 3', values: ['2', 'c@d.com', 'x', 'y'] },
    ]);
  });

  it('invalid UTF-8 in one row rejects that row only', async () => {
    const bytes = Buffer.concat([Buffer.from('id,email,city\n1,a@b.com,Zürich\n2,c@d.com,M'), Buffer.from([0xfc]), Buffer.from('nchen\n3,e@f.com,Köln\n')]);
    const out = await prepareText(bytes);
    expect(out.rows).toEqual([
      ['1', 'a@b.com', 'Zürich'],
      ['3', 'e@f.com', 'Köln'],
    ]);
    expect(out.rejects.map((r) => [r.row, r.reasons])).toEqual([[2, 'invalid UTF-8']]);
    // The rejected row keeps the bytes it was read with, not U+FFFD in their place.
    const written = await readFile(out.manifest.rejects[0]!.uri);
    expect(written.includes(Buffer.from([0x4d, 0xfc, 0x6e]))).toBe(true);
    expect(written.toString('latin1')).not.toContain('\ufffd');
    expect(written.includes(Buffer.from('\ufffd'))).toBe(false);
  });

  it('invalid UTF-8 in a JSON Lines record: that record is rejected with its bytes as read', async () => {
    const bytes = Buffer.concat([Buffer.from('{"id":1,"email":"a@b.com"}\n{"id":2,"email":"c@d.com","city":"M'), Buffer.from([0xfc]), Buffer.from('nchen"}\n{"id":3,"email":"é@f.com"}\n')]);
    const out = await prepareText(bytes, er, 'in.jsonl');
    expect(out.rows.map((r) => r[0])).toEqual(['1', '3']);
    expect(out.rejects.map((r) => [r.row, r.reasons])).toEqual([[2, 'invalid UTF-8']]);
    expect((await readFile(out.manifest.rejects[0]!.uri)).includes(Buffer.from([0x4d, 0xfc, 0x6e]))).toBe(true);
  });

  it('JSON Lines: invalid JSON, a field the first record lacks, a value that is not an object', async () => {
    const out = await prepareText('{"id":1,"email":"a@b.com"}\nnot json\n{"id":3,"email":"c@d.com","extra":1}\n[1]\n{"id":5}\n', er, 'in.jsonl');
    expect(out.rows).toEqual([['1', 'a@b.com']]);
    expect(out.rejects.map((r) => [r.row, r.reasons])).toEqual([
      [2, 'invalid JSON'],
      [3, 'a field the first record does not have'],
      [4, 'not a JSON object'],
      [5, 'empty'],
    ]);
  });

  it('blank lines are skipped, not counted as rows, but keep their place in the row numbers', async () => {
    const out = await prepareText('id,email\n1,a@b.com\n\n   \n4,not-an-email\n\n');
    expect(out.rows).toEqual([['1', 'a@b.com']]);
    expect(out.manifest.counts).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1, blankLines: 3 });
    // Record 4, as a spreadsheet shows it (row 5 under the header), although it is the second row read.
    expect(out.rejects.map((r) => [r.row, r.values[0]])).toEqual([[4, '4']]);
  });
});

describe('inputs that cannot be prepared at all: a PrepInputError, and nothing written', () => {
  it('a mapped column the input does not have names it and counts the columns there are, quoting none (inline, on threads, without rows)', async () => {
    for (const [text, threads] of [['id,email,note\n1,a@b.com,x\n', 0], ['id,email,note\n1,a@b.com,x\n', 2], ['id,email,note\n', 0]] as const) {
      const error = await failure(text, { profile: 'er', columns: { mail: 'EMAIL' } }, 'in.csv', threads);
      expect(error.message).toBe(`mapped column "mail" not in the input's header (3 columns; is its first line a header?)`);
      expect(existsSync(tmp.path('out.csv'))).toBe(false);
    }
  });

  it('an identifier type the profile does not take', async () => {
    const error = await failure('id,email\n1,a@b.com\n', { profile: 'uid2', columns: { email: 'FIRST_NAME' } });
    expect(error.message).toBe('profile uid2 takes EMAIL, PHONE: not FIRST_NAME (column "email")');
  });

  it('an empty file, in every line format', async () => {
    expect((await failure('')).message).toMatch(/in\.csv is empty: expected a header line$/);
    expect((await failure('', er, 'in.jsonl')).message).toMatch(/in\.jsonl is empty: expected a JSON object per line$/);
    expect((await failure('', er, 'in.json')).message).toMatch(/in\.json holds no records: expected a JSON array of objects$/);
  });

  it('a JSON array cut short, a top-level object, or elements that are not objects', async () => {
    expect((await failure('[{"id":1,"email":"a@b.com"},{"id":2,"email":"c@d.com"}', er, 'in.json')).message).toMatch(/is not a JSON array of objects \(it ends before the closing bracket\)$/);
    expect((await failure('{"a":{"id":1,"email":"a@b.com"}}', er, 'in.json')).message).toMatch(/is not a JSON array of objects \(the top level is not an array\)$/);
    expect((await failure('[[1,"a@b.com"]]', er, 'in.json')).message).toMatch(/is not a JSON array of objects \(the first record is not a JSON object\)$/);
  });

  it('a directory given as the input, the output or the rejects is named as one, not a raw EISDIR', async () => {
    await mkdir(tmp.path('folder.csv'), { recursive: true });
    await writeFile(tmp.path('in.csv'), 'id,email\n1,a@b.com\n');
    const attempt = (paths: { input: string; output: string; rejects?: string }) => prepareFile({ ...paths, rules: rules(er) }).catch((e: unknown) => e);
    expect(await attempt({ input: tmp.path('folder.csv'), output: tmp.path('out.csv') })).toEqual(new PrepInputError(`the input ${tmp.path('folder.csv')} is a directory: give a file`));
    expect(await attempt({ input: tmp.path('in.csv'), output: tmp.path('folder.csv') })).toEqual(new PrepInputError(`the output ${tmp.path('folder.csv')} is a directory: give a file`));
    expect(await attempt({ input: tmp.path('in.csv'), output: tmp.path('out.csv'), rejects: tmp.path('folder.csv') })).toEqual(new PrepInputError(`the rejects ${tmp.path('folder.csv')} is a directory: give a file`));
  });

  it('an output whose name gives no format is told the output formats only', async () => {
    await writeFile(tmp.path('in.csv'), 'id,email\n1,a@b.com\n');
    const error = await prepareFile({ input: tmp.path('in.csv'), output: tmp.path('out.dat'), rules: rules(er) }).catch((e: unknown) => e);
    expect(error).toEqual(new PrepInputError(`cannot tell the output format of ${tmp.path('out.dat')} from its name: give it (csv or parquet)`));
  });

  it('an input that does not exist, an output that would overwrite it, an output named as JSON', async () => {
    const missing = await prepareFile({ input: tmp.path('nope.csv'), output: tmp.path('out.csv'), rules: rules(er) }).catch((e: unknown) => e);
    expect(missing).toEqual(new PrepInputError(`${tmp.path('nope.csv')} does not exist`));
    await writeFile(tmp.path('in.csv'), 'id,email\n1,a@b.com\n');
    const overwrite = await prepareFile({ input: tmp.path('in.csv'), output: tmp.path('in.csv'), rules: rules(er) }).catch((e: unknown) => e);
    expect(overwrite).toBeInstanceOf(PrepInputError);
    expect(await readFile(tmp.path('in.csv'), 'utf8')).toBe('id,email\n1,a@b.com\n');
    const json = await prepareFile({ input: tmp.path('in.csv'), output: tmp.path('out.jsonl'), rules: rules(er) }).catch((e: unknown) => e);
    expect(json).toEqual(new PrepInputError(`${tmp.path('out.jsonl')}: the output is written as CSV or Parquet, not JSON Lines`));
  });

  it('a header without rows is not an error: 0 rows, and valid outputs', async () => {
    const out = await prepareText('id,email\r\n');
    expect(out.header).toEqual(['id', 'email']);
    expect(out.rows).toEqual([]);
    expect(out.rejectsHeader).toEqual(['row_number', 'rejected_columns', 'reasons', 'id', 'email']);
    expect(out.manifest.counts).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0 });
    const parquet = await prepareFile({ input: tmp.path('in.csv'), output: tmp.path('out.parquet'), rules: rules(er) });
    expect(parquet.outputs[0]!.bytes).toBeGreaterThan(0);
    expect(await readParquet(tmp.path('out.parquet'))).toEqual({ header: ['id', 'email'], rows: [] });
  });
});

describe('invalid identifiers', () => {
  const text = 'id,email,phone\n1,John@@Example.com,(415) 555-2671\n2,jane@example.com,12\n3,bob@example.com,(212) 555-0100\n4, ,\n';

  it('are rejected with their reasons and never hashed: the output cell is empty', async () => {
    const out = await prepareText(text, { profile: 'uid2', columns: { email: 'EMAIL', phone: 'PHONE' } });
    expect(out.rows).toEqual([
      ['1', '', sha256Base64('+14155552671')],
      ['2', sha256Base64('jane@example.com'), ''],
      ['3', sha256Base64('bob@example.com'), sha256Base64('+12125550100')],
    ]);
    const output = await readFile(tmp.path('out.csv'), 'utf8');
    for (const value of ['John@@Example.com', 'john@@example.com', '12', '+12', '+112']) {
      expect(output).not.toContain(sha256Base64(value));
      expect(output).not.toContain(sha256Hex(value));
    }
    expect(out.rejects).toEqual([
      { row: 1, columns: 'email', reasons: 'not an email address', values: ['1', 'John@@Example.com', '(415) 555-2671'] },
      { row: 2, columns: 'phone', reasons: 'not a phone number in E.164 or a US national format', values: ['2', 'jane@example.com', '12'] },
      { row: 4, columns: 'email;phone', reasons: 'empty; empty', values: ['4', ' ', ''] },
    ]);
    expect(out.manifest.counts).toMatchObject({ rowsIn: 4, rowsOut: 3, rowsRejected: 1 });
  });

  it("keepRowWhen 'all' leaves out every row with an unusable value, 'any' only rows with none usable", async () => {
    const columns = { email: 'EMAIL', phone: 'PHONE' } as const;
    const any = await prepareText(text, { profile: 'amc', columns, keepRowWhen: 'any' });
    const all = await prepareText(text, { profile: 'amc', columns, keepRowWhen: 'all' });
    expect(any.rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(all.rows.map((r) => r[0])).toEqual(['3']);
    expect(all.rows[0]).toEqual(['3', sha256Hex('bob@example.com'), sha256Hex('12125550100')]);
    // Either way each invalid value is listed once in the rejects.
    expect(all.rejects.map((r) => [r.row, r.columns])).toEqual(any.rejects.map((r) => [r.row, r.columns]));
    expect(all.manifest.counts).toMatchObject({ rowsIn: 4, rowsOut: 1, rowsRejected: 3 });
    expect(all.manifest.counts.columns).toEqual(any.manifest.counts.columns);
  });
});
