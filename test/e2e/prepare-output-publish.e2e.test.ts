import { GetTableCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { createGlueTableActivities } from '../../activities/glue-tables';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import type { Sandbox } from '../../sandbox/server';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { prepareIdentityData } from '../../workflows/preparation/prepare-identity-data';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { sandboxWithClients } from '../helpers/sandbox';
import { objectText } from '../helpers/s3-objects';

/**
 * An output prefix holds exactly one run's output: a re-run with fewer parts leaves none of the earlier
 * run's parts readable, and a run that fails partway leaves nothing that a reader takes for data, with a
 * failure that says where its output went. Readers (a Glue table cataloged over the prefix) see only the
 * parts the published manifest lists.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `${TASK_QUEUE}-prep-publish-${Date.now()}`;
const BUCKET = 'prep-publish';

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  worker = await createWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
    clients: { ...aws, prepThreads: 0 },
    dataConverter: {},
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
}, 60_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await sandbox?.close();
});

const customers = (count: number, tag: string) => ['customer_id,email', ...Array.from({ length: count }, (_, i) => `${tag}${i},${tag}.${i}@example.com`)].join('\n') + '\n';
const put = (key: string, body: string) => aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const keysUnder = async (prefix: string) => ((await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
const text = (uri: string) => objectText(aws.s3, uri);
const keyOf = (uri: string) => uri.replace(`s3://${BUCKET}/`, '');

function prepare(workflowId: string, input: string, partRows: number, output = 'out/'): Promise<PrepSummary> {
  const args: PrepareIdentityDataInput = { input: `s3://${BUCKET}/${input}`, output: `s3://${BUCKET}/${output}`, rules: { profile: 'uid2', columns: { email: 'EMAIL' } }, partRows };
  return env.client.workflow.execute(prepareIdentityData, { taskQueue, workflowId: `${workflowId}-${Date.now()}`, args: [args] });
}

/** The rows a table over the prefix reads: every object under the Glue table's location, headers dropped. */
async function rowsThroughGlue(): Promise<string[]> {
  const glue = createGlueTableActivities(aws);
  await new MockActivityEnvironment().run(glue.catalogS3Prefix, {
    prefix: `s3://${BUCKET}/out/`,
    format: 'csv' as const,
    database: 'prep_publish',
    table: 'customers',
    requiredColumns: ['customer_id', 'email'],
    account: SANDBOX_ACCOUNT,
  });
  const location = (await aws.glue.send(new GetTableCommand({ DatabaseName: 'prep_publish', Name: 'customers' }))).Table!.StorageDescriptor!.Location!;
  const keys = await keysUnder(keyOf(location));
  const texts = await Promise.all(keys.map((key) => text(`s3://${BUCKET}/${key}`)));
  return texts.flatMap((t) => t.trimEnd().split('\n').slice(1));
}

describe('prepareIdentityData output prefixes (dev server, sandbox S3 and Glue)', () => {
  it('a re-run with fewer parts leaves only its own parts readable', async () => {
    await put('in/big.csv', customers(40_000, 'A'));
    await put('in/small.csv', customers(8_000, 'B'));
    const first = await prepare('publish-first', 'in/big.csv', 1_000);
    expect(first.outputObjects).toBeGreaterThanOrEqual(4);

    const second = await prepare('publish-second', 'in/small.csv', 1_000);
    expect(second.outputObjects).toBeLessThan(first.outputObjects);
    const manifest = JSON.parse(await text(second.manifestUri)) as PrepManifest;
    const listed = [...manifest.outputs, ...manifest.rejects].map((o) => keyOf(o.uri));
    // Under the output prefix: the manifest and what it lists, nothing of the first run.
    expect(await keysUnder('out/')).toEqual(['out/manifest.json', ...listed].sort());
    expect(second.removedObjects).toBeGreaterThanOrEqual(first.outputObjects + first.rejectObjects);

    const rows = await rowsThroughGlue();
    expect(rows).toHaveLength(8_000);
    expect(rows.every((row) => row.startsWith('B'))).toBe(true);
  });

  it('a run that fails partway leaves no part readable as data, and its failure says where its output went', async () => {
    const before = await keysUnder('out/');
    const published = await text(`s3://${BUCKET}/out/manifest.json`);
    // 40,000 good rows (several committed parts), then a record over the 16 MiB limit.
    await put('in/broken.csv', `${customers(40_000, 'C')}C-huge,${'x'.repeat(17 * 1024 * 1024)}@example.com\n`);

    const failure = await prepare('publish-failing', 'in/broken.csv', 1_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const message = (failure as WorkflowFailedError).cause!.message;
    expect(message).toMatch(new RegExp(`under s3://${BUCKET}/out/run-[0-9a-f-]+/ was removed`));
    expect(message).not.toMatch(/C\d+|example\.com|xxxx/);

    // The earlier run is still what the prefix publishes, and nothing of the failed one is left.
    expect(await keysUnder('out/')).toEqual(before);
    expect(await text(`s3://${BUCKET}/out/manifest.json`)).toBe(published);
    const rows = await rowsThroughGlue();
    expect(rows).toHaveLength(8_000);
    expect(rows.every((row) => row.startsWith('B'))).toBe(true);
  });

  it('a task that fails stops its sibling tasks before the run removes what they wrote', async () => {
    // One object keeps a task busy writing parts; the other fails at once on its first record.
    await put('fanout/good.csv', customers(300_000, 'D'));
    await put('fanout/bad.csv', `customer_id,email\nE-huge,${'x'.repeat(17 * 1024 * 1024)}@example.com\n`);
    const failure = await prepare('publish-fanout', 'fanout/', 1_000, 'fanout-out/').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as WorkflowFailedError).cause!.message).toMatch(new RegExp(`under s3://${BUCKET}/fanout-out/run-[0-9a-f-]+/ was removed`));
    expect(await keysUnder('fanout-out/')).toEqual([]);
  });
});
