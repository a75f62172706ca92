import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { prepare, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();

/** The values Entity Resolution's UID2 provider is given (clear, `hash: false`), through the engine's CSV path. */
async function preparePhones(phones: string[], defaultRegion: string) {
  const input = tmp.path(`phones-${defaultRegion}.csv`);
  await writeFile(input, ['customer_id,Phone,note', ...phones.map((phone, i) => `c${i + 1},"${phone}","n, ${i + 1}"`)].join('\n') + '\n');
  return prepare({
    input,
    output: tmp.path(`out-${defaultRegion}.csv`),
    rules: { profile: 'uid2', columns: { Phone: 'PHONE' }, defaultRegion, keepRowWhen: 'all', hash: false },
  });
}

describe('uid2 phones in clear (hash: false), read for a default region', () => {
  it('US: national numbers and numbers with + become E.164; invalid and empty values go to the rejects with their reason', async () => {
    const out = await preparePhones(['(405) 555-0101', '595.555.0103', '+1 405-555-0101', '+14055550102', '+44 20 7946 0958', '020 7946 0958', 'n/a', '12', ''], 'US');
    expect(out.header).toEqual(['customer_id', 'Phone', 'note']);
    expect(out.rows).toEqual([
      ['c1', '+14055550101', 'n, 1'],
      ['c2', '+15955550103', 'n, 2'],
      ['c3', '+14055550101', 'n, 3'],
      ['c4', '+14055550102', 'n, 4'],
      ['c5', '+442079460958', 'n, 5'],
    ]);
    const usReason = 'not a phone number in E.164 or a US national format';
    expect(out.rejects.map(({ row, reasons }) => [row, reasons])).toEqual([
      [6, usReason],
      [7, usReason],
      [8, usReason],
      [9, 'empty'],
    ]);
    expect(out.manifest.counts).toEqual({
      rowsIn: 9,
      rowsOut: 5,
      rowsRejected: 4,
      blankLines: 0,
      // '+14055550102' is already E.164: normalised, not rewritten.
      columns: { Phone: { type: 'PHONE', normalized: 5, rewritten: 4, passedThrough: 0, empty: 1, rejected: 3, reasons: { [usReason]: 3 } } },
    });
  });

  it('GB as the default region: the UK national number is read as +44; a national number is always read as GB', async () => {
    const out = await preparePhones(['020 7946 0958', '+1 405-555-0101', '(405) 555-0101', '12'], 'GB');
    // Acceptance is E.164's length rule (pii/rules/phone.ts): a US number written nationally is a possible GB number.
    expect(out.rows).toEqual([
      ['c1', '+442079460958', 'n, 1'],
      ['c2', '+14055550101', 'n, 2'],
      ['c3', '+444055550101', 'n, 3'],
    ]);
    expect(out.rejects.map(({ row, reasons }) => [row, reasons])).toEqual([[4, 'not a phone number in E.164 or a GB national format']]);
    expect(out.manifest.counts.columns.Phone).toMatchObject({ normalized: 3, rewritten: 3, rejected: 1 });
  });

  it('hashing on (hash unset) still gives the published UID2 encoding and counts the same rewrites', async () => {
    const input = tmp.path('hashed.csv');
    await writeFile(input, 'id,phone,email\n1,+12345678901,user@example.com\n2,(234) 567-8901, User@Example.com\n');
    const out = await prepare({ input, output: tmp.path('hashed-out.csv'), rules: { profile: 'uid2', columns: { phone: 'PHONE', email: 'EMAIL' } } });
    // UID2 "Normalization and Encoding": +12345678901 and user@example.com, SHA-256 then Base64.
    const phoneHash = 'EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4=';
    const emailHash = 'tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ=';
    expect(out.rows).toEqual([
      ['1', phoneHash, emailHash],
      ['2', phoneHash, emailHash],
    ]);
    expect(out.manifest.counts.columns.phone).toMatchObject({ normalized: 2, rewritten: 1 });
    expect(out.manifest.counts.columns.email).toMatchObject({ normalized: 2, rewritten: 1 });
  });
});
