import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PAYLOAD_DECRYPTION_ERROR } from '../../schemas/failures';
import { npmScriptNodeFlags, PROJECT_ROOT } from '../../toolchain/paths';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import type { CodecKeyring } from '../../temporal-client/codec/keyring';
import type { uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { workflowBundle } from '../helpers/environments';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function keyring(id: string): CodecKeyring {
  const key = randomBytes(32);
  return { current: { id, key }, byId: { [id]: key } };
}

/** Long-polls the history (the server answers when a new event arrives) until an event of `type` is there. */
async function waitForEvent(client: Client, workflowId: string, type: temporal.api.enums.v1.EventType): Promise<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
      waitNewEvent: true,
      nextPageToken,
    });
    const found = page.history?.events?.find((e) => e.eventType === type);
    if (found) return found;
    if (page.nextPageToken?.length) nextPageToken = page.nextPageToken;
  }
}

function waitForOutput(child: ChildProcess, output: () => string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (output().includes(text)) resolve();
    };
    check();
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before printing "${text}":\n${output()}`)));
  });
}

describe('a worker holding the wrong codec key (real worker process, dev server)', () => {
  let connection: Connection | undefined;
  let worker: ChildProcess | undefined;
  afterAll(async () => {
    if (worker?.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await connection?.close();
  });

  it('fails the workflow task with a readable message naming the key id it needed and the key ids it holds, in history and in its log; a worker given that key resumes the run', async () => {
    const address = inject('devServerAddress');
    const taskQueue = `e2e-wrong-key-${Date.now()}`;
    const workflowId = `e2e-wrong-key/${randomBytes(4).toString('hex')}`;
    connection = await Connection.connect({ address });
    const starterKeys = keyring('key-a');
    const starter = new Client({ connection, namespace: 'default', dataConverter: createDataConverter(starterKeys) });
    const handle = await starter.workflow.start<typeof uid2SubscriptionApproval>('uid2SubscriptionApproval', {
      taskQueue,
      workflowId,
      args: [{ input: { account: '000000000000' } }],
    });

    let output = '';
    worker = spawn(process.execPath, [...npmScriptNodeFlags('worker'), join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'worker/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'),
        TEMPORAL_CODEC_KEY_ID: 'key-b',
        TEMPORAL_CODEC_PREVIOUS_KEYS: `key-old:${randomBytes(32).toString('base64')}`,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const failed = await waitForEvent(starter, workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    const failure = failed.workflowTaskFailedEventAttributes?.failure;
    // In clear text: an operator reads it whatever keys they hold, and it names ids only.
    expect(failure?.encodedAttributes).toBeFalsy();
    expect(failure?.stackTrace).toMatch(/^PayloadDecryptionError: /);
    expect(failure?.message).toMatch(/encrypted with key id "key-a", which this process does not hold \(it holds key ids "key-b", "key-old"\)/);

    await waitForOutput(worker, () => output, 'Failed to process Workflow Activation');
    const logLine = output.split('\n').find((line) => line.includes('Failed to process Workflow Activation'))!;
    const logged = JSON.parse(logLine) as { error?: { type?: string; message?: string } };
    expect(logged.error?.type).toBe(PAYLOAD_DECRYPTION_ERROR);
    expect(logged.error?.message).toContain('key id "key-a"');
    expect(logged.error?.message).toContain('"key-b", "key-old"');
    expect(output).not.toContain('"error":{}');

    // The fix the message gives: a worker that also holds "key-a" picks the waiting run up, nothing lost.
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
    const workerConnection = await NativeConnection.connect({ address });
    const fixed = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowBundle: workflowBundle(),
      activities: {},
      dataConverter: createDataConverter({ current: { id: 'key-b', key: randomBytes(32) }, byId: { 'key-a': starterKeys.current.key } }),
    });
    const completed = await fixed.runUntil(waitForEvent(starter, workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED));
    expect(completed.eventId?.toNumber()).toBeGreaterThan(failed.eventId!.toNumber());
    await workerConnection.close();
    await handle.terminate('e2e test done');
  });
});
