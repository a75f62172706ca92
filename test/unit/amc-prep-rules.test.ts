import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcPrepRules } from '../../schemas/amc-id-mapping/amc-prep-rules';
import { prepRulesSchema } from '../../schemas/preparation/prep';
import { sha256Hex } from '../../pii/hash';
import { prepare, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();
const config = (columns: AmcIdMappingInput['columns']) =>
  amcIdMappingInputSchema.parse({
    name: 'Acme_AMC',
    region: 'us-east-1',
    account: '123456789012',
    input: { uri: 's3://acme-raw/customers/all.csv' },
    uniqueId: 'Customer_ID',
    columns,
    output: { dataPrefix: 's3://acme-amc-data/tables/', workPrefix: 's3://acme-amc-work/amc/' },
    queryResultsBucket: 'acme-amc-results',
    glue: { database: 'acme_amc' },
    entityResolution: { passRoleArn: 'arn:aws:iam::123456789012:role/AmcEntityResolution' },
    amc: { instanceId: 'amcabc123', advertiserId: 'ENTITY1ABC', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: 'acme/amc-credentials' },
  });

describe('amcPrepRules', () => {
  it('a config of MAID/LRP/EXP/MKL columns only: values copied as read, the key kept, nothing hashed, the header lowercased', async () => {
    const rules = amcPrepRules(config({ MAID: 'MAID', Loyalty: 'LRP', Exp_Id: 'EXP', Mkl: 'MKL' }));
    expect(rules).toMatchObject({ profile: 'amc', columns: {}, passThrough: ['MAID', 'Loyalty', 'Exp_Id', 'Mkl'] });
    const input = tmp.path('in.csv');
    await writeFile(input, 'Customer_ID,MAID,Loyalty,Exp_Id,Mkl\nK1,AbC-D1,L 1,,\nK2,,,,\nK3,,,e-3,\n');
    const out = await prepare({ input, output: tmp.path('out.csv'), rules });
    expect(out.header).toEqual(['customer_id', 'maid', 'loyalty', 'exp_id', 'mkl']);
    expect(out.rows).toEqual([
      ['K1', 'AbC-D1', 'L 1', '', ''],
      ['K3', '', '', 'e-3', ''],
    ]);
    // A row with no identity value at all is refused, as with mapped columns, naming the empty columns.
    expect(out.rejects).toMatchObject([{ row: 2, columns: 'MAID;Loyalty;Exp_Id;Mkl', reasons: 'empty; empty; empty; empty' }]);
  });

  it('with an email column too: the email hashed, the MAID copied, and a row with a MAID but no email kept', async () => {
    const rules = amcPrepRules(config({ Email: 'EMAIL', MAID: 'MAID' }));
    expect(rules).toMatchObject({ columns: { Email: 'EMAIL' }, passThrough: ['MAID'], hash: true });
    const input = tmp.path('in2.csv');
    await writeFile(input, 'Customer_ID,Email,MAID\nK1,A@B.com,m-1\nK2,,m-2\nK3,,\n');
    const out = await prepare({ input, output: tmp.path('out2.csv'), rules });
    expect(out.rows).toEqual([
      ['K1', sha256Hex('a@b.com'), 'm-1'],
      ['K2', '', 'm-2'],
    ]);
    expect(out.rejects.map((r) => r.row)).toEqual([3]);
  });

  it('leaves passThrough out when every column has a rule, and the engine refuses a column named twice or a rule set with no column', () => {
    expect(amcPrepRules(config({ Email: 'EMAIL' }))).not.toHaveProperty('passThrough');
    const twice = prepRulesSchema.safeParse({ profile: 'amc', columns: { MAID: 'EMAIL' }, passThrough: ['MAID'] });
    expect(twice.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['passThrough', '"MAID" also mapped in columns: name each column once']]);
    const none = prepRulesSchema.safeParse({ profile: 'amc', columns: {} });
    expect(none.error?.issues.map((i) => i.message)).toEqual(['map at least one column (or name the columns copied as read in passThrough)']);
  });
});
