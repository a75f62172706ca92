import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupByKeyActivities, type GroupManifest } from '../../activities/preparation/group-by-key';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import { listObjects } from '../../storage/s3-objects';
import type { GroupByKeyInput, GroupByKeyResult } from '../../schemas/preparation/group-by-key';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { createWorker } from '../../worker/create-worker';
import { groupByKey } from '../../workflows/preparation/group-by-key';
import { prepareIdentityData } from '../../workflows/preparation/prepare-identity-data';
import { connectTimeSkipping, workflowBundle } from '../helpers/environments';
import { historyText } from '../helpers/history-text';
import { objectBytes, objectText } from '../helpers/s3-objects';
import { useSandboxBuckets } from '../helpers/sandbox';

/**
 * groupByKey as the AMC workflow runs it, on the time-skipping server with the production worker and the sandbox's
 * S3: a raw file prepared for AMC (lowercase header, hashed), then grouped into more shards than one, each sharding
 * task buffering far less than its part; a key with 30 distinct rows is collapsed; a second generation with one
 * changed email and appended customers is told apart by the fingerprints.
 */
const sandbox = useSandboxBuckets('amc-raw', 'amc-data', 'amc-work');
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectTimeSkipping();
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function customers(count: number, changed?: number): { csv: string; emails: string[] } {
  const rows: string[][] = [['Customer_ID', 'Email', 'Phone']];
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `person.${i}${i === changed ? '.new' : ''}@example.com`;
    emails.push(email);
    rows.push([`C${i}`, email, `+1415555${String(i % 10_000).padStart(4, '0')}`]);
  }
  for (let i = 0; i < 30; i++) {
    emails.push(`many.${i}@example.com`);
    rows.push(['C-MANY', `many.${i}@example.com`, i < 3 ? `+1212555000${i}` : '']);
  }
  return { csv: Papa.unparse(rows, { newline: '\n' }) + '\n', emails };
}

async function parquetRows(uri: string): Promise<Record<string, string | null>[]> {
  const file = new Uint8Array(await objectBytes(sandbox.aws.s3, uri)).buffer;
  return (await parquetReadObjects({ file })) as Record<string, string | null>[];
}

describe('groupByKey (time-skipping server, sandbox S3, production worker)', () => {
  it('collapses a key over 25 rows across shards, and fingerprints tell a changed key from appended ones', async () => {
    const { aws } = sandbox;
    const taskQueue = `${TASK_QUEUE}-group-${Date.now()}`;
    const worker = await createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
      clients: { ...aws, prepThreads: 0 },
      dataConverter: {},
      workflowBundle: workflowBundle(),
    });
    const generation = async (gen: string, data: { csv: string }) => {
      await aws.s3.send(new PutObjectCommand({ Bucket: 'amc-raw', Key: `customers-${gen}.csv`, Body: data.csv }));
      const prepared: PrepSummary = await env.client.workflow.execute(prepareIdentityData, {
        taskQueue,
        workflowId: `prep-${gen}-${taskQueue}`,
        args: [{ input: `s3://amc-raw/customers-${gen}.csv`, output: `s3://amc-work/gen-${gen}/prepared/`, rules: { profile: 'amc', columns: { Email: 'EMAIL', Phone: 'PHONE' }, outputHeader: 'lowercase' } }],
      });
      const input: GroupByKeyInput = {
        prepared: prepared.manifestUri,
        work: `s3://amc-work/gen-${gen}/`,
        columns: { uniqueId: 'Customer_ID', columns: { Email: 'EMAIL', Phone: 'PHONE' }, split: { allow: false, namespaces: 'one' } },
        tables: { dataPrefix: 's3://amc-data/', glueBase: 'acme', gen },
        targetShardBytes: 64 * 1024,
        bufferBytes: 16 * 1024,
        maxParallel: 3,
      };
      const workflowId = `group-by-key/${gen}-${taskQueue}`;
      const result: GroupByKeyResult = await env.client.workflow.execute(groupByKey, { taskQueue, workflowId, args: [input] });
      return { result, workflowId };
    };

    await worker.runUntil(async () => {
      const first = customers(3000);
      const { result, workflowId } = await generation('1', first);
      expect(result.shards).toBeGreaterThan(1);
      expect(result.tableLocations).toEqual(['s3://amc-data/acme/gen-1/']);
      expect(result.plan.widths).toEqual({ email: 24 - 3, phone: 3 });
      const manifest = JSON.parse(await objectText(aws.s3, result.manifestUri)) as GroupManifest;
      expect(manifest.counts).toMatchObject({ rowsRead: 3030, rowsWithoutKey: 0, keys: 3001, rowsOut: 3001, collapsedKeys: 1, droppedValues: { email: 30 - 21, phone: 0 }, widthsCut: { email: 30 - 21, phone: 0 } });
      expect(manifest.fingerprintObjects).toHaveLength(result.shards);

      // Every row as AMC reads it: the unique key once, 25 values at most per key, lowercase headers, hashed values.
      const objects = await listObjects(aws.s3, 's3://amc-data/acme/gen-1/');
      expect(objects).toHaveLength(result.outputObjects);
      const rows = (await Promise.all(objects.map((o) => parquetRows(o.uri)))).flat();
      expect(rows).toHaveLength(3001);
      expect(Object.keys(rows[0]!)).toEqual(['customer_id', ...Array.from({ length: 21 }, (_, i) => `email${i + 1}`), 'phone1', 'phone2', 'phone3']);
      const many = rows.filter((r) => r.customer_id === 'C-MANY');
      expect(many).toHaveLength(1);
      expect(many[0]!.email1).toBe(sha256('many.0@example.com'));
      expect(rows.find((r) => r.customer_id === 'C7')!.email1).toBe(sha256('person.7@example.com'));
      // The shard objects are removed once grouped.
      expect(await listObjects(aws.s3, 's3://amc-work/gen-1/shards/')).toEqual([]);

      const second = customers(3100, 42);
      const next = await generation('2', second);
      const activities = createGroupByKeyActivities(aws);
      const diff = await new MockActivityEnvironment().run((input) => activities.diffGenerationFingerprints(input), { previous: result.manifestUri, current: next.result.manifestUri });
      expect(diff).toEqual({ appended: 100, removed: 0, changed: 1, duplicated: 0, unchanged: 3000 });

      const history = historyText(await env.client.workflow.getHandle(workflowId).fetchHistory());
      expect(history).toContain('"targetShardBytes":65536');
      for (const email of first.emails.slice(0, 300)) {
        expect(history).not.toContain(email);
        expect(history).not.toContain(sha256(email));
      }
    });
  }, 240_000);
});
