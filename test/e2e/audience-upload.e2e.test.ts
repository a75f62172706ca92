import { createHash, randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import type { Sandbox } from '../../sandbox/server';
import type { AudienceUploadInput, AudienceUploadResult } from '../../schemas/audience-upload/audience-upload';
import { jobQueueLabels, workflowIds } from '../../schemas/temporal-names';
import { requireS3Uri } from '../../storage/s3-uri';
import { AesGcmPayloadCodec } from '../../temporal-client/codec/aes-gcm-codec';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import { keyringFromEnv } from '../../temporal-client/codec/keyring';
import type { audienceUpload } from '../../workflows/audience-upload/audience-upload';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { historyPayloads, historyText } from '../helpers/history-text';
import { adminCall, sandboxWithClients } from '../helpers/sandbox';
import { objectText } from '../helpers/s3-objects';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/**
 * audienceUpload on the dev server with the production worker (a process killed mid-run, then the worker in this
 * process), against the sandbox's S3, Secrets Manager, Clean Rooms and TikTok stand-in: each file applied exactly once
 * to one audience across the kill, a day-2 delta that adds and removes exactly what changed, a lost create answer, a
 * Clean Rooms query as the source, and no identifier, raw or hashed, in any history.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;
let killed: WorkerProcess | undefined;
const codecEnv = { TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'), TEMPORAL_CODEC_KEY_ID: 'audience-e2e' };
const keyring = keyringFromEnv(codecEnv, {});

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
}, 60_000);
afterAll(async () => {
  await killed?.kill();
  await env?.teardown();
  await sandbox?.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const CUSTOMERS = 1_200;
const emailOf = (i: number) => `aud.person${i}@example.com`;
const phoneOf = (i: number) => `+1415${String(2_000_000 + i)}`;
/** The hashes TikTok receives: the lowercase email; the phone's E.164 digits without '+'. */
const hashesOf = (ids: number[]) => ({ EMAIL_SHA256: ids.map((i) => sha256(emailOf(i))).sort(), PHONE_SHA256: ids.map((i) => sha256(phoneOf(i).slice(1))).sort() });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Day 1: customers 0…1199. Day 2: 0…9 gone, 1200…1214 new. */
const DAY1 = range(0, CUSTOMERS);
const DAY2 = range(10, CUSTOMERS + 15);
const csvOf = (ids: number[]) => stringify(ids.map((i) => [`C${i}`, emailOf(i), phoneOf(i)]), { header: true, columns: ['customer_id', 'email', 'phone'] });

interface TiktokState {
  audiences: { id: string; name: string; size: number; sizeByType: Record<string, number>; operations: { action: string; files: number }[] }[];
  appliedFiles: Record<string, Record<string, number>>;
}
type Counters = Record<string, number>;

describe('audienceUpload end to end (dev server, sandbox, production worker)', () => {
  it('applies each file once across a worker kill, keeps the audience in step on day 2, adopts a lost create, takes a Clean Rooms query as source; no identifier in any history', async () => {
    const n = Date.now();
    for (const Bucket of ['aud-raw', 'aud-work', 'aud-results']) await aws.s3.send(new CreateBucketCommand({ Bucket })).catch(() => undefined);
    const putDay = (ids: number[]) => aws.s3.send(new PutObjectCommand({ Bucket: 'aud-raw', Key: `e2e-${n}/customers.csv`, Body: csvOf(ids), ContentType: 'text/csv' }));
    await putDay(DAY1);
    const secretId = `tiktok-e2e-${n}/credentials`;
    await aws.secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify({ ACCESS_TOKEN: 'e2e-token', ADVERTISER_ID: '7000000000000000042' }) }));
    await adminCall(sandbox, 'PUT', '/tiktok/credentials', { accessToken: 'e2e-token', advertiserId: '7000000000000000042' });
    await adminCall(sandbox, 'PUT', '/tiktok/limits', { processingMs: 300 });
    await adminCall(sandbox, 'PUT', '/clean-rooms/query-durations', { submittedMs: 200, runningMs: 300 });

    const fast = { initialInterval: '200 milliseconds', maximumInterval: '200 milliseconds', backoffCoefficient: 1 };
    const inputFor = (name: string, source: AudienceUploadInput['source']): AudienceUploadInput => ({
      name,
      source,
      columns: [
        { name: 'customer_id', kind: 'NON_PII' },
        { name: 'email', kind: 'PII', type: 'EMAIL_SHA256' },
        { name: 'phone', kind: 'PII', type: 'PHONE_SHA256' },
      ],
      output: { workPrefix: `s3://aud-work/e2e-${n}/${name}/` },
      audience: { name, mode: 'delta' },
      tiktok: { baseUrl: sandbox.url, credentialsSecretId: secretId, rateLimitBackoff: { initialInterval: '2 seconds', maximumInterval: '2 seconds', backoffCoefficient: 1 } },
      processingPoll: fast,
    });
    const s3Source = { kind: 's3' as const, uri: `s3://aud-raw/e2e-${n}/customers.csv` };
    const mainName = `e2e-aud-${n}`;
    const main = inputFor(mainName, s3Source);

    const client = new Client({ connection: env.connection, dataConverter: createDataConverter(keyring) });
    const taskQueue = `e2e-audience-upload-${n}`;
    const tiktokState = async () => (await adminCall(sandbox, 'GET', '/tiktok/state')) as TiktokState;
    const audiencesNamed = async (name: string) => (await tiktokState()).audiences.filter((a) => a.name === name);
    const start = (input: AudienceUploadInput, day: string) =>
      client.workflow.start<typeof audienceUpload>('audienceUpload', { taskQueue, workflowId: workflowIds.audienceUpload(input.name, `${day}-${n}`), args: [input] });

    // Day 1 on a worker process, killed while TikTok throttles the second step's update (files of step 1 applied,
    // step 2's uploaded), then finished by this process's worker.
    await adminCall(sandbox, 'PUT', '/tiktok/refusals', [{ operation: 'UpdateCustomAudience', code: 40100, message: 'Too many requests', count: 1000 }]);
    killed = startWorkerProcess({
      ...codecEnv,
      TEMPORAL_ADDRESS: env.connection.options.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      PREP_THREADS: '0',
    });
    const day1 = await start(main, 'day1');
    await untilBackingOff(day1, 'updateAudience');
    const beforeKill = await tiktokState();
    await killed.kill();
    // The dead worker held both workflows in its cache: hand their next tasks to any worker at once.
    for (const workflowId of [day1.workflowId, workflowIds.erJobQueue(jobQueueLabels.audience(mainName))]) {
      await client.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId } });
    }
    await adminCall(sandbox, 'PUT', '/tiktok/refusals', []);

    const worker = await createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 8 },
      clients: aws,
      dataConverter: createDataConverter(keyring),
      workflowBundle: workflowBundle(),
    });
    const { day1Result, day2Result, queryResult, queryCounters } = await worker.runUntil(async () => {
      const day1Result = await day1.result();
      const afterDay1 = await tiktokState();

      await putDay(DAY2);
      const day2Result = await (await start(main, 'day2')).result();

      await adminCall(sandbox, 'PUT', '/clean-rooms/query-sources', { match: { sql: 'SELECT customer_id, email, phone FROM customers' }, source: s3Source.uri });
      const membership = (await adminCall(sandbox, 'POST', '/clean-rooms/memberships', {})) as { membership: { id: string } };
      await adminCall(sandbox, 'DELETE', '/counters');
      await adminCall(sandbox, 'PUT', '/faults', { rules: [{ service: 'tiktok', operation: 'CreateCustomAudience', lostResponse: 1 }] });
      const queryInput = inputFor(`e2e-aud-query-${n}`, {
        kind: 'cleanRoomsQuery',
        membershipId: membership.membership.id,
        sql: 'SELECT customer_id, email, phone FROM customers',
        resultBucket: 'aud-results',
        poll: fast,
      });
      const queryResult = await (await start(queryInput, 'day1')).result();
      const queryCounters = (await adminCall(sandbox, 'GET', '/counters')) as Counters;
      await adminCall(sandbox, 'PUT', '/faults', { rules: [] });
      return { day1Result: { result: day1Result, state: afterDay1 }, day2Result, queryResult, queryCounters };
    });

    // Day 1: step 1 (CREATE with the email file) was applied before the kill; after it every file was applied exactly once, to one audience.
    const killedAudience = beforeKill.audiences.find((a) => a.name === mainName)!;
    expect(killedAudience.operations.map((o) => o.action)).toEqual(['CREATE']);
    expect(day1Result.result).toMatchObject({ outcome: 'applied', created: true, identifiers: { EMAIL_SHA256: CUSTOMERS, PHONE_SHA256: CUSTOMERS }, rows: { in: CUSTOMERS, rejected: 0 } });
    const [day1Audience] = day1Result.state.audiences.filter((a) => a.name === mainName);
    expect(day1Result.state.audiences.filter((a) => a.name === mainName)).toHaveLength(1);
    expect(day1Audience!.sizeByType).toEqual({ EMAIL_SHA256: CUSTOMERS, PHONE_SHA256: CUSTOMERS });
    expect(day1Audience!.operations.map((o) => o.action)).toEqual(['CREATE', 'APPEND']);
    const day1Applied = day1Result.state.appliedFiles[day1Audience!.id]!;
    expect(Object.keys(day1Applied)).toHaveLength(day1Result.result.files.applied);
    expect(Object.values(day1Applied).every((times) => times === 1)).toBe(true);

    // Day 2: exactly the 15 new identifiers per type added and the 10 gone removed, as delta files of their hashes.
    expect(day2Result).toMatchObject({ outcome: 'applied', created: false, added: { EMAIL_SHA256: 15, PHONE_SHA256: 15 }, removed: { EMAIL_SHA256: 10, PHONE_SHA256: 10 } });
    const afterDay2 = await tiktokState();
    const [day2Audience] = await audiencesNamed(mainName);
    expect(await audiencesNamed(mainName)).toHaveLength(1);
    expect(day2Audience!.sizeByType).toEqual({ EMAIL_SHA256: DAY2.length, PHONE_SHA256: DAY2.length });
    expect(day2Audience!.operations.map((o) => o.action).sort()).toEqual(['APPEND', 'APPEND', 'APPEND', 'CREATE', 'REMOVE', 'REMOVE']);
    expect(Object.values(afterDay2.appliedFiles[day2Audience!.id]!).every((times) => times === 1)).toBe(true);
    expect(await deltaHashes(aws.s3, day2Result, 'additions')).toEqual(hashesOf(range(CUSTOMERS, CUSTOMERS + 15)));
    expect(await deltaHashes(aws.s3, day2Result, 'removals')).toEqual(hashesOf(range(0, 10)));

    // The Clean Rooms query's rows became an audience; its create's answer was lost, and the retry adopted it: one audience.
    expect(queryResult).toMatchObject({ outcome: 'applied', created: true, identifiers: { EMAIL_SHA256: DAY2.length, PHONE_SHA256: DAY2.length } });
    expect(queryResult.query?.id).toMatch(/\S/);
    expect(queryCounters['tiktok:CreateCustomAudience:lostResponse']).toBe(1);
    expect(queryCounters['tiktok:CreateCustomAudience']).toBe(1);
    expect(await audiencesNamed(`e2e-aud-query-${n}`)).toHaveLength(1);

    // No identifier, raw or as the hash TikTok got, in any history of this test's task queue (payloads decrypted).
    const texts = await historiesOf(client, taskQueue);
    expect(texts.length).toBeGreaterThanOrEqual(7);
    expect(texts.join('\n')).toContain('"outcome":"applied"');
    const everyone = range(0, CUSTOMERS + 15);
    const values = [...everyone.flatMap((i) => [emailOf(i), phoneOf(i), phoneOf(i).slice(1)]), ...Object.values(hashesOf(everyone)).flat()];
    const hits = texts.flatMap((text) => values.filter((value) => text.includes(value)));
    expect(hits).toEqual([]);
  });
});

/** Waits until the workflow's `activity` has failed at least once and sits in retry backoff, no attempt running. */
async function untilBackingOff(handle: WorkflowHandle, activity: string): Promise<void> {
  for (;;) {
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities?.find((p) => p.activityType?.name === activity);
    if (pending && (pending.attempt ?? 0) >= 2 && pending.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED) return;
    if (raw.workflowExecutionInfo?.status !== temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) throw new Error(`${handle.workflowId} ended before ${activity} was retried`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The hashes in a day's delta files, per type: `<run's snapshot>delta/<additions|removals>/<type, lowercase>/part-….csv`. */
async function deltaHashes(s3: S3Client, result: AudienceUploadResult, kind: 'additions' | 'removals'): Promise<Record<string, string[]>> {
  const { bucket, key } = requireS3Uri(result.snapshotUri.replace(/manifest\.json$/, `delta/${kind}/`));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
  const byType: Record<string, string[]> = {};
  for (const object of listed.Contents ?? []) {
    const type = object.Key!.slice(key.length).split('/')[0]!.toUpperCase();
    const lines = (await objectText(s3, `s3://${bucket}/${object.Key}`)).split('\n').filter((line) => line !== '');
    (byType[type] ??= []).push(...lines);
  }
  return Object.fromEntries(Object.entries(byType).map(([type, hashes]) => [type, hashes.sort()]));
}

/** Every history on the task queue as text: raw, and each payload decrypted with the test's key. */
async function historiesOf(client: Client, taskQueue: string): Promise<string[]> {
  const codec = new AesGcmPayloadCodec(keyring);
  const texts: string[] = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const decoded = await codec.decode(historyPayloads(history));
    texts.push([historyText(history), ...decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))].join('\n'));
  }
  return texts;
}
