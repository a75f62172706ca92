import { CreateDatabaseCommand, CreateTableCommand, GlueClient, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { stringify } from 'csv-stringify/sync';
import { adminAuthHeaders } from '../sandbox/admin/admin-guard';
import { SANDBOX_ACCOUNT } from '../sandbox/services/catalog';
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

export const DEMO_AMC_SECRET_ID = 'identity-demo/amc-credentials';
export const DEMO_AMC_INSTANCE = 'amcdemo';
export const DEMO_AMC_ADVERTISER = 'ENTITYDEMO';
/** AMC's query results go to a bucket other than the data's (examples/amc-id-mapping.sandbox.json names it). */
export const DEMO_AMC_RESULTS_BUCKET = 'identity-demo-amc-results';
/** The sandbox's Login with Amazon app: demo values the AMC stand-in accepts, not credentials of anything real. */
const DEMO_AMC_CREDENTIALS = { clientId: 'amzn1.application-oa2-client.sandbox-demo', clientSecret: 'sandbox-demo-secret', refreshToken: 'Atzr|sandbox-demo-refresh' };

/**
 * Gives the sandbox's AMC stand-in the demo's Ads API credentials and stores the same in its Secrets
 * Manager (where the AMC activities read them), creates the query-results bucket, then instance `amcdemo` with its collaboration
 * pending acceptance for two more checks (so the demo shows the acceptance link, then goes on). An
 * existing instance is left as it is, so a restarted demo does not send a running table back to waiting.
 */
export async function seedDemoAmc(region: string, sandboxUrl: string): Promise<{ secretId: string; instanceId: string }> {
  const secrets = new SecretsManagerClient({ region });
  const s3 = new S3Client({ region, forcePathStyle: true });
  try {
    await ignoreIf(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'], s3.send(new CreateBucketCommand({ Bucket: DEMO_AMC_RESULTS_BUCKET })));
    const SecretString = JSON.stringify(DEMO_AMC_CREDENTIALS);
    await secrets.send(new CreateSecretCommand({ Name: DEMO_AMC_SECRET_ID, SecretString })).catch(async (err: unknown) => {
      if ((err as Error).name !== 'ResourceExistsException') throw err;
      await secrets.send(new PutSecretValueCommand({ SecretId: DEMO_AMC_SECRET_ID, SecretString }));
    });
  } finally {
    secrets.destroy();
    s3.destroy();
  }
  await sandboxAdmin(sandboxUrl, 'PUT', '/amc/credentials', DEMO_AMC_CREDENTIALS);
  const existing = await fetch(`${sandboxUrl}/_sandbox/amc/instances/${DEMO_AMC_INSTANCE}`, { headers: adminAuthHeaders() });
  if (existing.status === 404) {
    await sandboxAdmin(sandboxUrl, 'PUT', `/amc/instances/${DEMO_AMC_INSTANCE}`, {
      advertiserId: DEMO_AMC_ADVERTISER,
      account: SANDBOX_ACCOUNT,
      status: 'PENDING_ACCEPTANCE',
      afterChecks: 2,
    });
  } else if (!existing.ok) throw new Error(`the sandbox's AMC admin API answered ${existing.status}`);
  return { secretId: DEMO_AMC_SECRET_ID, instanceId: DEMO_AMC_INSTANCE };
}

export async function sandboxAdmin(sandboxUrl: string, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox${path}`, { method, headers: { ...adminAuthHeaders(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
}

export async function ignoreIf(names: string[], call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!names.includes((err as Error).name)) throw err;
  }
}
