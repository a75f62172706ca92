import { link, lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { parquetWriteBuffer } from 'hyparquet-writer';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { sha256Base64 } from '../../pii/hash';
import type { DataFormat, PrepRulesInput } from '../../schemas/preparation/prep';
import { prepare, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();

describe('CSV as people export it', () => {
  it('reads quoted fields, newlines and "" inside quotes, CRLF and a BOM; keeps column order and unmapped cells as they were', async () => {
    const input = tmp.path('in.csv');
    const csv = [
      'id,note,email,city',
      '1,"multi\r\nline, with a comma",  A@B.COM ,"São ""Paulo"""',
      '2,plain,"c@d.com",Berlin',
      '3,"",x@y.org,"\t padded "',
    ].join('\r\n');
    await writeFile(input, '\uFEFF' + csv + '\r\n');
    const out = await prepare({ input, output: tmp.path('out.csv'), rules: { profile: 'er', columns: { email: 'EMAIL' } } });
    expect(out.header).toEqual(['id', 'note', 'email', 'city']);
    expect(out.rows).toEqual([
      ['1', 'multi\r\nline, with a comma', 'a@b.com', 'São "Paulo"'],
      ['2', 'plain', 'c@d.com', 'Berlin'],
      ['3', '', 'x@y.org', '\t padded '],
    ]);
    expect(out.rejects).toEqual([]);
    expect(out.manifest.counts).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0, blankLines: 0 });
  });

  it('detects a semicolon (or tab) delimiter from the header and writes standard comma CSV', async () => {
    const expected = [
      ['1', 'a@b.com', 'x;y, z'],
      ['2', 'c@d.com', ''],
    ];
    for (const [name, text] of [
      ['semi.csv', 'id;email;note\n1;A@B.com;"x;y, z"\n2;c@d.com;\n'],
      ['tab.csv', 'id\temail\tnote\n1\tA@B.com\t"x;y, z"\n2\tc@d.com\t\n'],
    ] as const) {
      const input = tmp.path(name);
      await writeFile(input, text);
      const out = await prepare({ input, output: tmp.path(`out-${name}`), rules: { profile: 'er', columns: { email: 'EMAIL' } } });
      expect(out.header, name).toEqual(['id', 'email', 'note']);
      expect(out.rows, name).toEqual(expected);
    }
    const given = await prepare({ input: tmp.path('semi.csv'), output: tmp.path('given.csv'), delimiter: ';', rules: { profile: 'er', columns: { email: 'EMAIL' } } });
    expect(given.rows).toEqual(expected);
  });

  it('replaces an earlier output rather than truncating it, and writes through an output that is a symbolic link', async () => {
    const input = tmp.path('in.csv');
    await writeFile(input, 'id,email\n1,a@b.com\n');
    const rules: PrepRulesInput = { profile: 'er', columns: { email: 'EMAIL' } };
    const output = tmp.path('replaced.csv');
    await writeFile(output, 'an earlier output\n');
    // A second name for the earlier file keeps its bytes: the output is a new file, not the old one rewritten.
    await link(output, tmp.path('earlier.csv'));
    expect((await prepare({ input, output, rules })).rows).toEqual([['1', 'a@b.com']]);
    expect(await readFile(tmp.path('earlier.csv'), 'utf8')).toBe('an earlier output\n');

    const target = tmp.path('target.csv');
    await writeFile(target, 'old\n');
    await symlink(target, tmp.path('linked.csv'));
    await prepare({ input, output: tmp.path('linked.csv'), rejects: tmp.path('linked.rejects.csv'), rules });
    expect((await lstat(tmp.path('linked.csv'))).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('id,email\n1,a@b.com\n');
  });

  it('reads a last record without a final newline', async () => {
    const input = tmp.path('in.csv');
    await writeFile(input, 'id,email\n1,a@b.com\n2,c@d.com');
    const out = await prepare({ input, output: tmp.path('out.csv'), rules: { profile: 'er', columns: { email: 'EMAIL' } } });
    expect(out.rows).toEqual([
      ['1', 'a@b.com'],
      ['2', 'c@d.com'],
    ]);
  });
});

describe('the same data through every format gives the same prepared values', () => {
  const header = ['id', 'email', 'phone', 'note'];
  const records: [number, string, string, string][] = [
    [1, ' Jane.Doe+Promo@Gmail.COM ', '(415) 555-2671', 'a, "quoted" note'],
    [2, 'not-an-email', '+44 20 7946 0958', 'line 1\nline 2'],
    [3, '', 'n/a', ''],
    [4, 'bob@example.org', '', 'é ü 李'],
  ];
  const rules = { profile: 'uid2', columns: { email: 'EMAIL', phone: 'PHONE' } } as const;
  const expectedRows = [
    ['1', sha256Base64('janedoe@gmail.com'), sha256Base64('+14155552671'), 'a, "quoted" note'],
    ['2', '', sha256Base64('+442079460958'), 'line 1\nline 2'],
    ['4', sha256Base64('bob@example.org'), '', 'é ü 李'],
  ];
  const expectedRejects = [
    { row: 2, columns: 'email', reasons: 'not an email address', values: ['2', 'not-an-email', '+44 20 7946 0958', 'line 1\nline 2'] },
    { row: 3, columns: 'email;phone', reasons: 'empty; not a phone number in E.164 or a US national format', values: ['3', '', 'n/a', ''] },
  ];

  const objects = records.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i]])));
  const inputs: Record<DataFormat, () => string | Uint8Array> = {
    csv: () => Papa.unparse([header, ...records], { newline: '\n' }) + '\n',
    jsonl: () => objects.map((o) => JSON.stringify(o)).join('\n') + '\n',
    json: () => JSON.stringify(objects, null, 2),
    parquet: () =>
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'id', data: records.map((r) => r[0]), type: 'INT32' },
            ...header.slice(1).map((name, i) => ({ name, data: records.map((r) => r[i + 1] as string), type: 'STRING' as const })),
          ],
        }),
      ),
  };

  for (const format of ['csv', 'jsonl', 'json', 'parquet'] as const) {
    for (const outputFormat of ['csv', 'parquet'] as const) {
      it(`${format} in, ${outputFormat} out`, async () => {
        const input = tmp.path(`in.${format}`);
        await writeFile(input, inputs[format]());
        const out = await prepare({ input, output: tmp.path(`out.${outputFormat}`), rules });
        expect(out.manifest.outputFormat).toBe(outputFormat);
        expect(out.manifest.inputs).toEqual([{ uri: input, format }]);
        expect(out.header).toEqual(header);
        expect(out.rows).toEqual(expectedRows);
        expect(out.rejectsHeader).toEqual(['row_number', 'rejected_columns', 'reasons', ...header]);
        expect(out.rejects).toEqual(expectedRejects);
        expect(out.manifest.counts).toEqual({
          rowsIn: 4,
          rowsOut: 3,
          rowsRejected: 1,
          blankLines: 0,
          columns: {
            email: { type: 'EMAIL', normalized: 2, rewritten: 1, passedThrough: 0, empty: 1, rejected: 1, reasons: { 'not an email address': 1 } },
            phone: { type: 'PHONE', normalized: 2, rewritten: 2, passedThrough: 0, empty: 1, rejected: 1, reasons: { 'not a phone number in E.164 or a US national format': 1 } },
          },
        });
      });
    }
  }

  it('reads Parquet columns of other types as text', async () => {
    const input = tmp.path('typed.parquet');
    const data = parquetWriteBuffer({
      columnData: [
        { name: 'big', data: [1n, 9007199254740993n], type: 'INT64' },
        { name: 'flag', data: [true, null], type: 'BOOLEAN' },
        { name: 'email', data: ['A@B.com', 'c@d.com'], type: 'STRING' },
      ],
    });
    await writeFile(input, new Uint8Array(data));
    const out = await prepare({ input, output: tmp.path('out.csv'), rules: { profile: 'er', columns: { email: 'EMAIL' } } });
    expect(out.rows).toEqual([
      ['1', 'true', 'a@b.com'],
      ['9007199254740993', '', 'c@d.com'],
    ]);
  });
});
