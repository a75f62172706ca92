import { describe, expect, it } from 'vitest';
import { arnAccount, arnRegion, glueTableArn } from '../../schemas/arn';
import { preparationOf, uid2MatchingInputSchema, type Uid2MatchingInput } from '../../schemas/uid2-matching/uid2-matching';
import { uid2InputTable, uid2MatchingWorkflow, uid2PreparedTable, uid2PrepareInput, uid2SchemaMapping } from '../../schemas/uid2-matching/uid2-matching-resources';

const config = (over: Partial<Uid2MatchingInput> = {}) =>
  uid2MatchingInputSchema.parse({
    name: 'Company_UID2-Daily',
    data: { glueTable: { database: 'crm', table: 'customers' } },
    uniqueIdColumn: 'customer_id',
    emailColumn: 'email',
    phoneColumn: 'phone',
    output: { s3Path: 's3://uid2-output/daily/' },
    roleArn: 'arn:aws:iam::123456789012:role/EntityResolutionUid2',
    ...over,
  });
const described = { tableArn: 'arn:aws:glue:us-east-1:123456789012:table/crm/customers', columns: { uniqueId: 'Customer_ID', email: 'EMAIL', phone: 'phone' } };

describe('arnAccount', () => {
  it('reads the account field of an ARN, and is empty for one without', () => {
    expect(arnAccount('arn:aws:iam::123456789012:role/x')).toBe('123456789012');
    expect(arnAccount('arn:aws:s3:::bucket')).toBe('');
    expect(arnAccount('not-an-arn')).toBe('');
  });
});

describe('arnRegion', () => {
  it('reads the Region field of an ARN (a provider service has no account), and is empty for one without', () => {
    expect(arnRegion('arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment')).toBe('us-east-1');
    expect(arnRegion('arn:aws:iam::123456789012:role/x')).toBe('');
    expect(arnRegion('not-an-arn')).toBe('');
  });
});

describe('glueTableArn', () => {
  it("names the table in its Region's partition", () => {
    expect(glueTableArn('us-east-1', '123456789012', 'crm', 'customers')).toBe('arn:aws:glue:us-east-1:123456789012:table/crm/customers');
    expect(glueTableArn('cn-north-1', '123456789012', 'crm', 'customers')).toBe('arn:aws-cn:glue:cn-north-1:123456789012:table/crm/customers');
    expect(glueTableArn('us-gov-west-1', '123456789012', 'crm', 'customers')).toBe('arn:aws-us-gov:glue:us-gov-west-1:123456789012:table/crm/customers');
  });
});

describe('jobQueue', () => {
  it('is per ER workflow unless a config asks for the account + Region queue; other values are refused', () => {
    expect(config().jobQueue).toBe('er-workflow');
    expect(config({ jobQueue: 'account-region' }).jobQueue).toBe('account-region');
    expect(() => config({ jobQueue: 'region' as never })).toThrow(/jobQueue/);
  });
});

describe('uid2InputTable', () => {
  it("is the configured Glue table, in the role's account, with the mapped columns", () => {
    expect(uid2InputTable(config())).toEqual({
      database: 'crm',
      table: 'customers',
      account: '123456789012',
      columns: { uniqueId: 'customer_id', email: 'email', phone: 'phone' },
    });
  });

  it('catalogs an S3 prefix first, as a table named after the run unless one is named', () => {
    const fromS3 = config({ data: { s3: { prefix: 's3://crm/customers/', format: 'parquet' } }, phoneColumn: undefined });
    expect(uid2InputTable(fromS3)).toEqual({
      database: 'identity_workflows',
      table: 'company_uid2_daily',
      account: '123456789012',
      columns: { uniqueId: 'customer_id', email: 'email' },
      catalogFrom: { prefix: 's3://crm/customers/', format: 'parquet' },
    });
  });
});

describe('Entity Resolution resources of one identifier type', () => {
  it("maps the table's own column names to UNIQUE_ID and the identifier's attribute type", () => {
    expect(uid2SchemaMapping(config(), 'phone', described)).toEqual({
      schemaName: 'Company_UID2-Daily_phone',
      description: 'UID2 phone input of Company_UID2-Daily (identity-workflows)',
      mappedInputFields: [
        { fieldName: 'Customer_ID', type: 'UNIQUE_ID' },
        { fieldName: 'phone', type: 'PHONE_NUMBER' },
      ],
    });
  });

  it('is a PROVIDER workflow on the UID2 service, writing the unique id and identifier as the output config says', () => {
    const spec = uid2MatchingWorkflow(config({ output: { s3Path: 's3://uid2-output/daily/', format: 'original', hash: ['email'] } }), 'email', described, 'arn:provider');
    expect(spec).toEqual({
      workflowName: 'Company_UID2-Daily_email',
      description: 'UID2 email matching of Company_UID2-Daily (identity-workflows)',
      inputSourceConfig: [{ inputSourceARN: described.tableArn, schemaName: 'Company_UID2-Daily_email', applyNormalization: false }],
      outputSourceConfig: [
        {
          outputS3Path: 's3://uid2-output/daily/',
          KMSArn: undefined,
          applyNormalization: false,
          output: [
            { name: 'Customer_ID', hashed: false },
            { name: 'EMAIL', hashed: true },
          ],
        },
      ],
      resolutionTechniques: { resolutionType: 'PROVIDER', providerProperties: { providerServiceArn: 'arn:provider' } },
      roleArn: 'arn:aws:iam::123456789012:role/EntityResolutionUid2',
    });
  });

  it('leaves excluded columns out of the output', () => {
    const spec = uid2MatchingWorkflow(config({ output: { s3Path: 's3://uid2-output/daily/', exclude: ['email'] } }), 'email', described, 'arn:provider');
    expect(spec.outputSourceConfig[0]!.output).toEqual([{ name: 'Customer_ID', hashed: false }]);
  });
});

describe('preparation (version, prepare)', () => {
  it('is off for a config without a version (version 1, as configs were written) and on by default in version 2', () => {
    expect(config().version).toBe(1);
    expect(preparationOf(config())).toBeUndefined();
    expect(preparationOf(config({ version: 2 }))).toEqual({ defaultRegion: 'US' });
    expect(preparationOf(config({ version: 2, prepare: false }))).toBeUndefined();
    expect(preparationOf(config({ prepare: { defaultRegion: 'GB' } }))).toEqual({ defaultRegion: 'GB' });
  });

  it('refuses a hashed unique id when preparing, and a region that is not a country code', () => {
    const hashedId = uid2MatchingInputSchema.safeParse({ ...config(), version: 2, output: { s3Path: 's3://uid2-output/daily/', hash: ['customer_id'] } });
    expect(hashedId.success).toBe(false);
    expect(hashedId.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['output.hash.0', 'the unique id cannot be hashed when the identifiers are prepared: it is how the output rows join back to your records'],
    ]);
    expect(uid2MatchingInputSchema.safeParse({ ...config(), prepare: { defaultRegion: 'usa' } }).success).toBe(false);
  });

  it('prepares each identifier in clear into its own prefix, cataloged as a fixed table, which ER reads without normalising again', () => {
    const c = config({ version: 2, prepare: { defaultRegion: 'CA', glueDatabase: 'prepared' } });
    const prepare = preparationOf(c)!;
    const table = uid2PreparedTable(c, 'phone', prepare);
    expect(table).toEqual({ output: 's3://uid2-output/daily/prepared/Company_UID2-Daily_phone/', database: 'prepared', table: 'company_uid2_daily_phone_prepared', account: '123456789012' });
    const source = { input: 's3://crm/customers/', format: 'csv' as const, columns: { uniqueId: 'Customer_ID', email: 'EMAIL', phone: 'Phone' } };
    expect(uid2PrepareInput(source, 'phone', prepare, table.output)).toEqual({
      input: 's3://crm/customers/',
      inputFormat: 'csv',
      output: table.output,
      outputFormat: 'csv',
      rules: { profile: 'uid2', columns: { Phone: 'PHONE' }, defaultRegion: 'CA', keepRowWhen: 'all', hash: false },
    });
    expect(uid2MatchingWorkflow(c, 'phone', described, 'arn:p', { prepared: true }).inputSourceConfig).toEqual([
      { inputSourceARN: described.tableArn, schemaName: 'Company_UID2-Daily_phone', applyNormalization: false },
    ]);
    expect(uid2MatchingWorkflow(c, 'phone', described, 'arn:p').inputSourceConfig[0]!.applyNormalization).toBe(true);
  });
});
