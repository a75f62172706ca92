import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PREP_INPUT_ERROR } from '../../schemas/failures';
import { prepare, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();

describe("outputHeader 'lowercase' (AMC's Glue columns must equal the header, all lowercase)", () => {
  for (const outputFormat of ['csv', 'parquet'] as const) {
    it(`writes the header lowercased in ${outputFormat}, maps columns by their input names, keeps the rejects' header as read`, async () => {
      const input = tmp.path('in.csv');
      await writeFile(input, 'Customer_ID,Email,MAID\n1,A@B.com,m-1\n2,not-an-email,m-2\n');
      const out = await prepare({
        input,
        output: tmp.path(`out.${outputFormat}`),
        outputFormat,
        rules: { profile: 'amc', columns: { Email: 'EMAIL' }, hash: false, outputHeader: 'lowercase' },
      });
      expect(out.header).toEqual(['customer_id', 'email', 'maid']);
      expect(out.rows).toEqual([['1', 'a@b.com', 'm-1']]);
      expect(out.rejects.map((r) => r.values)).toEqual([['2', 'not-an-email', 'm-2']]);
      expect(out.rejectsHeader).toEqual(['row_number', 'rejected_columns', 'reasons', 'Customer_ID', 'Email', 'MAID']);
    });
  }

  it('leaves the header as read without it', async () => {
    const input = tmp.path('in.csv');
    await writeFile(input, 'Customer_ID,Email\n1,a@b.com\n');
    const out = await prepare({ input, output: tmp.path('out.csv'), rules: { profile: 'amc', columns: { Email: 'EMAIL' }, hash: false } });
    expect(out.header).toEqual(['Customer_ID', 'Email']);
  });

  it('refuses two columns that lowercase to one name, naming their positions (never a value) and writing nothing', async () => {
    const input = tmp.path('in.csv');
    await writeFile(input, 'id,Email,EMAIL\n1,a@b.com,c@d.com\n');
    const run = prepare({ input, output: tmp.path('out.csv'), rules: { profile: 'amc', columns: { Email: 'EMAIL' }, outputHeader: 'lowercase' } });
    await expect(run).rejects.toMatchObject({ name: PREP_INPUT_ERROR, message: 'columns 2 and 3 of the input would have the same name in lowercase (outputHeader lowercase): rename one' });
  });
});
