import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runChunkTask } from '../../pii/prep/chunk/chunk-task';
import { splitCsv } from '../../pii/prep/read/split-csv';
import { prepRulesSchema, type PrepRulesInput } from '../../schemas/preparation/prep';

/** The records splitCsv gives, and which it called plain; undefined when it hands the text back to papaparse. */
function split(text: string, delimiter: string, newline: string): { records: string[][]; plain: boolean[] } | undefined {
  const records: string[][] = [];
  const plain: boolean[] = [];
  const read = splitCsv(text, delimiter, newline, {
    add(fields, isPlain) {
      records.push(fields.slice());
      plain.push(isPlain);
    },
  });
  return read ? { records, plain } : undefined;
}

const papa = (text: string, delimiter: string, newline: '\n' | '\r\n') =>
  Papa.parse<string[]>(text, { delimiter, newline, header: false, skipEmptyLines: false, dynamicTyping: false });

describe('splitCsv: papaparse’s records, or the text handed back to papaparse', () => {
  it('reads quoted fields, "" escapes, newlines inside quotes, empty fields and a last record without a newline', () => {
    const text = 'id,name,note\n1,"Smith, J","say ""hi""\nthere"\n2,,x\n3," ",\n4,a"b,"end"';
    expect(split(text, ',', '\n')?.records).toEqual(papa(text, ',', '\n').data);
    expect(split(text, ',', '\n')?.plain).toEqual([true, false, true, false, false]);
  });

  it('hands back what papaparse reports as an error or reads leniently', () => {
    expect(split('a,"b\nc,d', ',', '\n')).toBeUndefined(); // unclosed quote
    expect(split('a,"b"x,c', ',', '\n')).toBeUndefined(); // text after a closing quote
    expect(split('a,"b"  ,c', ',', '\n')).toBeUndefined(); // spaces between a closing quote and the delimiter
  });

  it('agrees with papaparse on 5,000 random texts of quotes, delimiters, CR, LF, spaces and letters', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['"', '""', ',', ';', '\t', '\r', '\n', '\r\n', ' ', 'a', 'bc', 'é', '\u00EF\u00BB\u00BF'];
    let accepted = 0;
    for (let round = 0; round < 5000; round++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const delimiter = [',', ';', '\t'][round % 3]!;
      const newline = round % 4 === 3 ? '\r\n' : '\n';
      const ours = split(text, delimiter, newline);
      if (!ours) continue;
      accepted++;
      const parsed = papa(text, delimiter, newline);
      expect(parsed.errors, JSON.stringify({ text, delimiter, newline })).toEqual([]);
      expect(ours.records, JSON.stringify({ text, delimiter, newline })).toEqual(parsed.data);
      // A plain record's values need quotes in CSV only for a space at either end.
      ours.records.forEach((fields, i) => {
        if (!ours.plain[i]) return;
        expect(delimiter).toBe(',');
        for (const field of fields) expect(/[",\r\n]|\u00EF\u00BB\u00BF/.test(field), JSON.stringify({ text, field })).toBe(false);
      });
    }
    expect(accepted).toBeGreaterThan(2000);
  });
});

describe('a CSV chunk prepared from its bytes, as from its records read by papaparse', () => {
  const header = ['id', 'first_name', 'email', 'phone', 'note'];
  const values = {
    first_name: ['Anna', ' José ', 'MÜLLER', 'O"Brien', 'a,b', '', '  ', 'Zoë  ', 'x\ny', '\uFEFFbom'],
    email: ['anna@example.com', ' Bob@Example.COM ', 'not an email', '', 'zoë@exämple.de', 'a"b@c.d', 'x@y'],
    phone: ['(212) 555-0100', '+1 212 555 0101', '2125550102', 'N/A', '', ' 415.555.0103 ', '+44 20 7946 0958'],
    note: ['', 'plain', ' lead', 'trail ', 'a "quoted" word', 'comma, inside', 'ünïcode', 'line\nbreak', '\uFEFF', 'a\uFEFFb'],
  };

  function randomCsv(random: () => number, rows: number, newline: string): string {
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
    const field = (value: string) => (/[",\r\n]/.test(value) || random() < 0.1 ? `"${value.replace(/"/g, '""')}"` : value);
    const lines = [];
    for (let i = 0; i < rows; i++) {
      const row = [String(i), pick(values.first_name), pick(values.email), pick(values.phone), pick(values.note)].map(field);
      // Now and then a record of the wrong width, or a blank line.
      const shape = random();
      lines.push(shape < 0.02 ? row.slice(0, 3).join(',') : shape < 0.04 ? '' : row.join(','));
    }
    return lines.join(newline) + newline;
  }

  for (const profile of ['amc', 'er'] as const) {
    it(`writes the same bytes, rejects and counts (${profile} profile)`, () => {
      let seed = 11;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const input: PrepRulesInput = { profile, columns: { first_name: 'FIRST_NAME', email: 'EMAIL', phone: 'PHONE' } };
      const rules = prepRulesSchema.parse(input);
      for (let round = 0; round < 60; round++) {
        const newline = round % 3 === 2 ? '\r\n' : '\n';
        const text = randomCsv(random, 200, newline);
        const fromBytes = runChunkTask({ header, rules, output: 'csv', format: 'csv', bytes: new Uint8Array(Buffer.from(text, 'utf8')), delimiter: ',' });
        const parsed = Papa.parse<string[]>(text.slice(0, -newline.length), { delimiter: ',', newline, header: false, skipEmptyLines: false });
        expect(parsed.errors).toEqual([]);
        const records = parsed.data.map((fields) => (fields.length === 1 && fields[0]!.trim() === '' ? ('blank' as const) : { fields }));
        const fromRecords = runChunkTask({ header, rules, output: 'csv', format: 'records', records });
        expect(Buffer.from(fromBytes.csv!).toString('utf8'), text).toBe(Buffer.from(fromRecords.csv!).toString('utf8'));
        expect(fromBytes.rejects).toEqual(fromRecords.rejects);
        expect(fromBytes.counts).toEqual(fromRecords.counts);
        expect(fromBytes.records).toBe(fromRecords.records);
      }
    });
  }
});
