import { GetTableCommand, UpdateTableCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createGlueTableActivities } from '../../activities/glue-tables';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { INPUT_TABLE_INVALID } from '../../schemas/failures';
import { useSandbox } from '../helpers/sandbox';
import { activityFailureOf } from '../helpers/failures';

/** The input-table activities of uid2Matching against the sandbox's Glue and S3 (moto and versitygw), through the worker's own clients. */
const ctx = useSandbox();
const activities = () => withAwsFailureMapping(createGlueTableActivities(ctx.aws));
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);
const put = (key: string, body: string | Uint8Array) => ctx.aws.s3.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));
const catalog = (prefix: string, format: 'csv' | 'parquet', requiredColumns = ['Customer_ID', 'Email']) =>
  run(activities().catalogS3Prefix, { prefix, format, database: 'identity_workflows', table: `t_${format}`, requiredColumns, account: SANDBOX_ACCOUNT });


beforeEach(async () => {
  await ctx.aws.s3.send(new CreateBucketCommand({ Bucket: 'landing' }));
});

describe('catalogS3Prefix', () => {
  it('catalogs a CSV prefix with the header lowercased, finds it unchanged next time, and updates it when the header changes', async () => {
    await put('crm/export-1.csv', 'Customer_ID;Email;Phone\nc1;a@example.com;+14155550101\n');

    expect(await catalog('s3://landing/crm/', 'csv')).toEqual({
      name: 'identity_workflows.t_csv',
      arn: `arn:aws:glue:us-east-1:${SANDBOX_ACCOUNT}:table/identity_workflows/t_csv`,
      action: 'created',
      drift: [],
    });
    const table = (await ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'identity_workflows', Name: 't_csv' }))).Table!;
    expect(table.StorageDescriptor?.Location).toBe('s3://landing/crm/');
    expect(table.StorageDescriptor?.Columns?.map((c) => `${c.Name}:${c.Type}`)).toEqual(['customer_id:string', 'email:string', 'phone:string']);
    expect(table.StorageDescriptor?.SerdeInfo).toMatchObject({ SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde', Parameters: { separatorChar: ';' } });
    expect(table.Parameters).toMatchObject({ classification: 'csv', 'skip.header.line.count': '1' });

    expect(await catalog('s3://landing/crm/', 'csv')).toMatchObject({ action: 'unchanged', drift: [] });

    await put('crm/export-1.csv', 'Customer_ID;Email;Phone;Country\nc1;a@example.com;+14155550101;US\n');
    expect(await catalog('s3://landing/crm/', 'csv')).toMatchObject({
      action: 'updated',
      drift: [{ field: 'columns', current: 'customer_id:string,email:string,phone:string', wanted: 'customer_id:string,email:string,phone:string,country:string' }],
    });
  });

  it('catalogs data at the root of a bucket', async () => {
    await put('export.csv', 'Customer_ID,Email\nc1,a@example.com\n');

    expect(await catalog('s3://landing/', 'csv')).toMatchObject({ action: 'created' });
    const table = (await ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'identity_workflows', Name: 't_csv' }))).Table!;
    expect(table.StorageDescriptor?.Location).toBe('s3://landing/');
    expect(table.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['customer_id', 'email']);
  });

  it('types Parquet columns from the file footer', async () => {
    await put(
      'shop/part-0.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'Customer_ID', data: [BigInt(1), BigInt(2)], type: 'INT64' },
            { name: 'Email', data: ['a@example.com', 'b@example.com'], type: 'STRING' },
          ],
        }),
      ),
    );
    expect(await catalog('s3://landing/shop/', 'parquet')).toMatchObject({ action: 'created' });
    const table = (await ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'identity_workflows', Name: 't_parquet' }))).Table!;
    expect(table.StorageDescriptor?.Columns?.map((c) => `${c.Name}:${c.Type}`)).toEqual(['customer_id:bigint', 'email:string']);
    expect(table.Parameters?.classification).toBe('parquet');
  });

  it('refuses a file without a header line before cataloging it, quoting none of its data', async () => {
    await put('raw/no-header.csv', 'c1,jane.doe@example.com,+14155550101\nc2,john@example.com,+14155550102\n');
    const failure = await activityFailureOf(catalog('s3://landing/raw/', 'csv'));
    expect(failure.type).toBe(INPUT_TABLE_INVALID);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'Mapped columns "Customer_ID", "Email" not in the header line of s3://landing/raw/no-header.csv (3 columns). Check the column names, and that CSV files start with a header line.',
    );
    await expect(ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'identity_workflows', Name: 't_csv' }))).rejects.toThrow();
  });

  it('says so when the prefix holds no object of the format', async () => {
    await put('empty/readme.txt', '');
    const failure = await activityFailureOf(catalog('s3://landing/empty/', 'parquet'));
    expect(failure.message).toBe('No .parquet objects under s3://landing/empty/: nothing to catalog');
  });

  it('refuses a preparation run that was never published (no manifest.json) rather than read its parts as data', async () => {
    await put('prepared/run-abc/data/part-00000-00000.csv', 'Customer_ID,Email\nc1,a@example.com\n');
    const failure = await activityFailureOf(catalog('s3://landing/prepared/', 'csv'));
    expect(failure.type).toBe(INPUT_TABLE_INVALID);
    expect(failure.message).toContain('s3://landing/prepared/run-abc/ is a preparation run that was never published');
  });
});

describe('describeInputTable', () => {
  it('resolves the mapped columns to the table\'s own names and builds the table ARN', async () => {
    await put('crm/export-1.csv', 'Customer_ID,Email,Phone\nc1,a@example.com,+14155550101\n');
    await catalog('s3://landing/crm/', 'csv');
    const described = await run(activities().describeInputTable, {
      database: 'identity_workflows',
      table: 't_csv',
      account: SANDBOX_ACCOUNT,
      columns: { uniqueId: 'Customer_ID', email: 'EMAIL' },
    });
    expect(described.columns).toEqual({ uniqueId: 'customer_id', email: 'email' });
    expect(described.tableArn).toBe(`arn:aws:glue:us-east-1:${SANDBOX_ACCOUNT}:table/identity_workflows/t_csv`);

    const missing = await activityFailureOf(
      run(activities().describeInputTable, { database: 'identity_workflows', table: 't_csv', account: SANDBOX_ACCOUNT, columns: { uniqueId: 'id', phone: 'mobile' } }),
    );
    expect(missing.message).toBe('Glue table identity_workflows.t_csv has no column for uniqueId "id", phone "mobile"; its columns are: customer_id, email, phone');

    const noTable = await activityFailureOf(run(activities().describeInputTable, { database: 'identity_workflows', table: 'nope', account: SANDBOX_ACCOUNT, columns: { uniqueId: 'id' } }));
    expect(noTable.message).toBe('Glue table identity_workflows.nope does not exist: create it, or give data.s3 to have this workflow catalog the data');
  });
});

describe('describePreparationSource', () => {
  const describeSource = (input: Parameters<ReturnType<typeof activities>['describePreparationSource']>[0]) => run(activities().describePreparationSource, input);

  it("finds a Glue table's data as a prefix and format, with the mapped columns spelt as in the file's header", async () => {
    await put('crm/export-1.csv', 'Customer_ID,EMail,Phone\nc1,a@example.com,+14155550101\n');
    await catalog('s3://landing/crm/', 'csv', ['customer_id']);
    expect(await describeSource({ source: { database: 'identity_workflows', table: 't_csv' }, columns: { uniqueId: 'customer_id', email: 'email' } })).toEqual({
      input: 's3://landing/crm/',
      format: 'csv',
      columns: { uniqueId: 'Customer_ID', email: 'EMail' },
    });
    expect(await describeSource({ source: { prefix: 's3://landing/crm/', format: 'csv' }, columns: { phone: 'PHONE' } })).toEqual({
      input: 's3://landing/crm/',
      format: 'csv',
      columns: { phone: 'Phone' },
    });
    const missing = await activityFailureOf(describeSource({ source: { prefix: 's3://landing/crm/', format: 'csv' }, columns: { phone: 'mobile' } }));
    expect(missing.type).toBe(INPUT_TABLE_INVALID);
    expect(missing.message).toBe('s3://landing/crm/export-1.csv has no column for phone "mobile" (3 columns). Check the column names, and that CSV files start with a header line.');
  });

  it('refuses a CSV table without a header line, and a table of another format, naming why', async () => {
    await put('crm/export-1.csv', 'Customer_ID,Email\nc1,a@example.com\n');
    await catalog('s3://landing/crm/', 'csv');
    const table = (await ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'identity_workflows', Name: 't_csv' }))).Table!;
    const update = (Parameters: Record<string, string>, SerializationLibrary: string) =>
      ctx.aws.glue.send(
        new UpdateTableCommand({
          DatabaseName: 'identity_workflows',
          TableInput: { Name: 't_csv', TableType: table.TableType, Parameters, StorageDescriptor: { ...table.StorageDescriptor, SerdeInfo: { SerializationLibrary } } },
        }),
      );
    await update({ classification: 'csv' }, 'org.apache.hadoop.hive.serde2.OpenCSVSerde');
    const headerless = await activityFailureOf(describeSource({ source: { database: 'identity_workflows', table: 't_csv' }, columns: { uniqueId: 'customer_id' } }));
    expect(headerless.message).toBe('Glue table identity_workflows.t_csv is CSV without a header line (skip.header.line.count is not 1): the preparation finds the columns by their header');
    await update({ classification: 'json' }, 'org.openx.data.jsonserde.JsonSerDe');
    const json = await activityFailureOf(describeSource({ source: { database: 'identity_workflows', table: 't_csv' }, columns: { uniqueId: 'customer_id' } }));
    expect(json.message).toBe('Glue table identity_workflows.t_csv is neither CSV nor Parquet (org.openx.data.jsonserde.JsonSerDe): the identifiers can be prepared from CSV or Parquet only');
  });
});
