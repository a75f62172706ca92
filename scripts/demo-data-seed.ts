import { CreateDatabaseCommand, CreateTableCommand, GlueClient, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stringify } from 'csv-stringify/sync';
import { DEMO_COLUMNS, generateDemoCustomers } from '../sandbox/synthetic/demo-data';
import { formatS3Uri } from '../storage/s3-uri';

export const DEMO_BUCKET = 'identity-demo';
export const DEMO_DATABASE = 'identity_demo';
export const DEMO_TABLE = 'customers';
const PREFIX = 'raw/customers/';
export const DEMO_DATA_URI = formatS3Uri(DEMO_BUCKET, PREFIX);

/**
 * Puts the demo customers (two sources, overlapping people, dirty values) into the sandbox's S3 and
 * registers them as a Glue table, through the ordinary SDK clients. Idempotent: the same seeded data
 * is written again and an existing bucket, database or table is reused.
 */
export async function seedDemoData(region: string): Promise<{ bucket: string; keys: string[]; rows: number }> {
  const s3 = new S3Client({ region, forcePathStyle: true });
  const glue = new GlueClient({ region });
  try {
    await ignoreIf(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'], s3.send(new CreateBucketCommand({ Bucket: DEMO_BUCKET })));
    const { crm, ecommerce } = generateDemoCustomers({ people: 200, overlap: 40 });
    const keys: string[] = [];
    for (const [name, rows] of [['crm', crm], ['ecommerce', ecommerce]] as const) {
      const key = `${PREFIX}${name}.csv`;
      await s3.send(new PutObjectCommand({ Bucket: DEMO_BUCKET, Key: key, Body: stringify(rows, { header: true, columns: [...DEMO_COLUMNS] }), ContentType: 'text/csv' }));
      keys.push(key);
    }
    await ignoreIf(['AlreadyExistsException'], glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DEMO_DATABASE } })));
    const table: TableInput = {
      Name: DEMO_TABLE,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
      StorageDescriptor: {
        Location: DEMO_DATA_URI,
        Columns: DEMO_COLUMNS.map((Name) => ({ Name, Type: 'string' })),
        InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
      },
    };
    const created = await glue.send(new CreateTableCommand({ DatabaseName: DEMO_DATABASE, TableInput: table })).then(
      () => true,
      (err: unknown) => {
        if ((err as Error).name !== 'AlreadyExistsException') throw err;
        return false;
      },
    );
    if (!created) await glue.send(new UpdateTableCommand({ DatabaseName: DEMO_DATABASE, TableInput: table }));
    return { bucket: DEMO_BUCKET, keys, rows: crm.length + ecommerce.length };
  } finally {
    s3.destroy();
    glue.destroy();
  }
}

async function ignoreIf(names: string[], call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!names.includes((err as Error).name)) throw err;
  }
}
