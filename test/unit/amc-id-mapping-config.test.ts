import { describe, expect, it } from 'vitest';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcResourceNames, generationLocations, guardStateUri } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import { AMC_COLUMN_LIMIT, AMC_NAMESPACE_TABLE_LIMIT, AMC_TABLE_LIMIT } from '../../schemas/failures';

const base: AmcIdMappingInput = {
  name: 'Acme_AMC',
  region: 'us-east-1',
  account: '123456789012',
  input: { uri: 's3://acme-raw/customers/' },
  uniqueId: 'Customer_ID',
  columns: { Email: 'EMAIL', phone: 'PHONE' },
  output: { dataPrefix: 's3://acme-amc-data/tables/', workPrefix: 's3://acme-amc-work/amc/' },
  queryResultsBucket: 'acme-amc-results',
  glue: { database: 'acme_amc' },
  entityResolution: { passRoleArn: 'arn:aws:iam::123456789012:role/AmcEntityResolution' },
  amc: { instanceId: 'amcabc123', advertiserId: 'ENTITY1ABC', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: 'acme/amc-credentials' },
};

/** `path: message` of every issue, for configs that should be refused. */
function issues(input: unknown): string[] {
  const result = amcIdMappingInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const columns = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`id_${i}`, 'MAID' as const]));

describe('amcIdMapping config', () => {
  it('takes a minimal config and fills the documented defaults (parquet, hashed, 14 days, no split, the Ads API URL)', () => {
    const config = amcIdMappingInputSchema.parse(base);
    expect(config.output.format).toBe('parquet');
    expect(config.prepare.hash).toBe(true);
    expect(config.refresh.minInterval).toBe('14 days');
    expect(config.split).toEqual({ allow: false, namespaces: 'one' });
    expect(config.amc.baseUrl).toBe('https://advertising-api.amazon.com');
  });

  it('refuses any Region but us-east-1, naming the guide', () => {
    expect(issues({ ...base, region: 'eu-west-1' })).toEqual([expect.stringMatching(/^region: AMC collaboration instances run in us-east-1 only/)]);
  });

  it('refuses query results in the data bucket', () => {
    expect(issues({ ...base, queryResultsBucket: 'acme-amc-data' })).toEqual([expect.stringMatching(/^queryResultsBucket: must differ from output.dataPrefix's bucket/)]);
  });

  it('keeps work objects (rejects, manifests) out of the Glue locations, either way round', () => {
    const inside = { ...base, output: { dataPrefix: 's3://acme-amc-data/tables/', workPrefix: 's3://acme-amc-data/tables/work/' } };
    const around = { ...base, output: { dataPrefix: 's3://acme-amc-work/amc/tables/', workPrefix: 's3://acme-amc-work/amc/' } };
    expect(issues(inside)).toEqual([expect.stringMatching(/^output.workPrefix: must not be under output.dataPrefix/)]);
    expect(issues(around)).toEqual([expect.stringMatching(/^output.workPrefix: must not be under output.dataPrefix/)]);
    expect(issues({ ...base, input: { uri: 's3://acme-amc-data/tables/raw.csv' } })).toEqual([expect.stringMatching(/^input.uri: must not be under output.dataPrefix/)]);
  });

  it('refuses the unique id mapped as an identity column, in any case', () => {
    expect(issues({ ...base, columns: { customer_id: 'MAID', Email: 'EMAIL' } })).toEqual([expect.stringMatching(/^columns: must not map uniqueId/)]);
  });

  it('takes 24 identity columns; 25 without split.allow is an AmcColumnLimit issue saying what to set', () => {
    expect(issues({ ...base, columns: columns(24) })).toEqual([]);
    expect(issues({ ...base, columns: columns(25) })).toEqual([
      `split: 25 identity columns where AMC reads 24 per table: set split.allow to store them in 2 tables, or drop columns (${AMC_COLUMN_LIMIT})`,
    ]);
    expect(issues({ ...base, columns: columns(25), split: { allow: true } })).toEqual([]);
  });

  it('refuses a split past 20 tables in one namespace, or past 5 AMC tables per table', () => {
    expect(issues({ ...base, columns: columns(24 * 20), split: { allow: true } })).toEqual([]);
    expect(issues({ ...base, columns: columns(24 * 20 + 1), split: { allow: true } })).toEqual([expect.stringContaining(AMC_NAMESPACE_TABLE_LIMIT)]);
    expect(issues({ ...base, columns: columns(24 * 5 + 1), split: { allow: true, namespaces: 'per-table' } })).toEqual([expect.stringContaining(AMC_TABLE_LIMIT)]);
  });

  it('refuses two columns written under one lowercase name', () => {
    expect(issues({ ...base, columns: { Email: 'EMAIL', EMAIL: 'EMAIL' } })).toEqual([expect.stringMatching(/^columns: two columns would both be written as "email"/)]);
  });

  it('refuses collapse caps on unmapped columns and a refresh interval under 14 days', () => {
    expect(issues({ ...base, collapse: { maxValuesPerColumn: { address: 3 } } })).toEqual(['collapse.maxValuesPerColumn: names columns not in columns: address']);
    expect(issues({ ...base, refresh: { minInterval: '13 days' } })).toEqual([expect.stringMatching(/^refresh.minInterval: AMC allows one refresh per 14 days/)]);
  });

  it('refuses Glue names with dots (Entity Resolution\'s input ARN pattern)', () => {
    expect(issues({ ...base, glue: { database: 'acme.amc' } })).toEqual([expect.stringMatching(/^glue.database: must be a Glue name/)]);
  });

  it('messages name fields, never the values given', () => {
    const role = 'arn:aws:iam::123456789012:user/someone';
    const all = issues({ ...base, queryResultsBucket: 'acme-amc-data', entityResolution: { passRoleArn: role } });
    expect(all).toHaveLength(2);
    expect(all.join('\n')).not.toContain('acme-amc-data');
    expect(all.join('\n')).not.toContain(role);
  });
});

describe('amcResourceNames', () => {
  const config = amcIdMappingInputSchema.parse(base);

  it('names one table after the config', () => {
    expect(amcResourceNames(config)).toEqual({
      database: 'acme_amc',
      tables: [{ glueTable: 'acme_amc', schemaName: 'Acme_AMC_1', idNamespace: 'Acme_AMC', amcTable: 'Acme_AMC' }],
      idNamespaces: ['Acme_AMC'],
      associations: ['Acme_AMC'],
      amcTables: ['Acme_AMC'],
    });
  });

  it('numbers split tables; one namespace and AMC table by default, one each per table', () => {
    const one = amcResourceNames(amcIdMappingInputSchema.parse({ ...base, columns: columns(30), split: { allow: true } }));
    expect(one.tables.map((t) => t.glueTable)).toEqual(['acme_amc_1', 'acme_amc_2']);
    expect(one.idNamespaces).toEqual(['Acme_AMC']);
    expect(one.amcTables).toEqual(['Acme_AMC']);
    const perTable = amcResourceNames(amcIdMappingInputSchema.parse({ ...base, columns: columns(30), split: { allow: true, namespaces: 'per-table' }, amc: { ...base.amc, tableName: 'acme' } }));
    expect(perTable.idNamespaces).toEqual(['Acme_AMC_1', 'Acme_AMC_2']);
    expect(perTable.amcTables).toEqual(['acme_1', 'acme_2']);
    expect(perTable.associations).toEqual(['Acme_AMC_1', 'Acme_AMC_2']);
  });

  it('puts a generation\'s table under dataPrefix and everything else under workPrefix', () => {
    expect(generationLocations(config, 'r1-3')).toEqual({
      tableLocations: ['s3://acme-amc-data/tables/acme_amc/gen-r1-3/'],
      work: 's3://acme-amc-work/amc/gen-r1-3/',
      prepared: 's3://acme-amc-work/amc/gen-r1-3/prepared/',
      shards: 's3://acme-amc-work/amc/gen-r1-3/shards/',
      fingerprints: 's3://acme-amc-work/amc/gen-r1-3/fingerprints/',
      manifest: 's3://acme-amc-work/amc/gen-r1-3/manifest.json',
    });
    expect(guardStateUri(config)).toBe('s3://acme-amc-work/amc/guard.json');
  });
});
