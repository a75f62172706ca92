import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepHeartbeat, PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { Sandbox } from '../../sandbox/server';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { AesGcmPayloadCodec } from '../../temporal-client/codec/aes-gcm-codec';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import { keyringFromEnv } from '../../temporal-client/codec/keyring';
import type { prepareIdentityData } from '../../workflows/preparation/prepare-identity-data';
import { connectDevServer } from '../helpers/environments';
import { sandboxWithClients } from '../helpers/sandbox';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/**
 * A worker process killed (SIGKILL, no goodbye to the server) right after its task committed some
 * parts: the server already holds that checkpoint, and the task's retry on another worker resumes
 * from it rather than from part 0.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
const workers: WorkerProcess[] = [];
const codecEnv = { TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'), TEMPORAL_CODEC_KEY_ID: 'resume-test' };
const keyring = keyringFromEnv(codecEnv, {});

beforeAll(async () => {
  env = await connectDevServer();
  let s3;
  ({ sandbox, clients: { s3 } } = await sandboxWithClients());
  await s3.send(new CreateBucketCommand({ Bucket: 'prep-resume' }));
  const rows = ['customer_id,email,phone'];
  for (let i = 0; i < 60_000; i++) rows.push(`C${i},person.${i}@example.com,+1415555${String(i % 10_000).padStart(4, '0')}`);
  await s3.send(new PutObjectCommand({ Bucket: 'prep-resume', Key: 'in/customers.csv', Body: `${rows.join('\n')}\n` }));
}, 60_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await env?.teardown();
  await sandbox?.close();
});

function worker(taskQueue: string): WorkerProcess {
  const started = startWorkerProcess({
    ...codecEnv,
    TEMPORAL_ADDRESS: env.connection.options.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_SDK_LOG_LEVEL: 'INFO',
    AWS_ENDPOINT_URL: sandbox.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    PREP_THREADS: '0',
  });
  workers.push(started);
  return started;
}

/** The one pending prepareDataset activity: its id and the heartbeat details the server holds for it. */
async function pendingTask(client: Client, workflowId: string): Promise<{ activityId: string; details?: PrepHeartbeat }> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const pending = raw.pendingActivities?.[0];
  const payloads = pending?.heartbeatDetails?.payloads ?? [];
  if (payloads.length === 0) return { activityId: pending?.activityId ?? '' };
  const [decoded] = await new AesGcmPayloadCodec(keyring).decode(payloads);
  return { activityId: pending!.activityId!, details: defaultPayloadConverter.fromPayload<PrepHeartbeat>(decoded!) };
}

describe('prepareDataset after its worker is killed (dev server, worker processes, sandbox S3)', () => {
  it('holds each committed part on the server at once, and the retry resumes from it', async () => {
    const client = new Client({ connection: env.connection, dataConverter: createDataConverter(keyring) });
    const taskQueue = `${TASK_QUEUE}-prep-resume-${Date.now()}`;
    const workflowId = `prep-resume-${Date.now()}`;
    const first = worker(taskQueue);
    const handle = await client.workflow.start<typeof prepareIdentityData>('prepareIdentityData', {
      taskQueue,
      workflowId,
      args: [{ input: 's3://prep-resume/in/customers.csv', output: 's3://prep-resume/out/', rules: { profile: 'uid2', columns: { email: 'EMAIL', phone: 'PHONE' } }, partRows: 5_000 }],
    });

    const committed = (r: Record<string, unknown>) => r.msg === 'part committed' && Number(r.parts) >= 3;
    await first.logged(committed);
    await first.kill();
    const lastLogged = Math.max(...first.output().split('\n').flatMap((line) => (line.includes('"part committed"') ? [Number((JSON.parse(line) as { parts: number }).parts)] : [])));

    // What the server holds is what a retry gets: at least every part the dead worker said it committed.
    const { activityId, details: held } = await pendingTask(client, workflowId);
    expect(held?.checkpoint?.nextPart).toBeGreaterThanOrEqual(lastLogged);

    // An operator's cut of the heartbeat timeout (instead of waiting out the 30 s one) hands the dead attempt over.
    await client.workflowService.updateActivityOptions({
      namespace: 'default',
      execution: { workflowId },
      id: activityId,
      activityOptions: { heartbeatTimeout: msToTs('2 seconds'), retryPolicy: { initialInterval: msToTs('1 second'), maximumAttempts: 10 } },
      updateMask: { paths: ['heartbeat_timeout', 'retry_policy.initial_interval'] },
    });
    const second = worker(taskQueue);
    const resumed = await second.logged((r) => r.msg === 'resuming from a committed part');
    expect(resumed.nextPart).toBe(held!.checkpoint!.nextPart);
    expect(resumed.nextPart).toBeGreaterThanOrEqual(3);

    const summary: PrepSummary = await handle.result();
    expect(summary.counts.rowsIn).toBe(60_000);
    expect(summary.counts.rowsOut + summary.counts.rowsRejected).toBe(60_000);
  }, 120_000);
});
