import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server';
import { temporalCliPath } from '../../toolchain/paths';
import { workflowIds } from '../../schemas/temporal-names';
import { startCodecServer, type CodecServer } from '../../temporal-client/codec/codec-server';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import type { CodecKeyring } from '../../temporal-client/codec/keyring';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { sandboxWithClients } from '../helpers/sandbox';

/**
 * The real Temporal CLI with `--codec-endpoint` pointed at the project's codec server: starting, querying
 * (with and without arguments), signalling, describing and showing a run a production-assembled worker executes.
 */
const run = promisify(execFile);
const key = randomBytes(32);
const keyring: CodecKeyring = { current: { id: 'cli-e2e', key }, byId: { 'cli-e2e': key } };

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let codec: CodecServer;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `e2e-codec-cli-${Date.now()}`;

/** Runs `temporal <args> --codec-endpoint <codec server>` against the dev server; its JSON output parsed (signal prints none). */
async function temporalCli(args: string[], opts: { codec?: boolean } = {}): Promise<unknown> {
  const connection = ['--address', env.address, '--namespace', 'default', '--output', 'json'];
  const codecFlags = opts.codec === false ? [] : ['--codec-endpoint', codec.url];
  const { stdout } = await run(temporalCliPath(), [...args, ...connection, ...codecFlags]);
  return stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined;
}

beforeAll(async () => {
  env = await connectDevServer();
  const aws = await sandboxWithClients();
  sandbox = aws.sandbox;
  codec = await startCodecServer({ keyring, port: 0, corsOrigins: [] });
  worker = await createWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
    clients: aws.clients,
    dataConverter: createDataConverter(keyring),
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
});
afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await codec?.close();
  await sandbox?.close();
  await env?.teardown();
});

describe('the Temporal CLI through the codec server (dev server, production worker)', () => {
  it('starts uid2SubscriptionApproval with {"input": <config>}, queries status with and without arguments, signals, describes and shows it', async () => {
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999));
    const workflowId = workflowIds.uid2SubscriptionApproval(account);
    const config = { account, poll: { initialInterval: '1 hour', maximumInterval: '1 hour', backoffCoefficient: 1 } };
    const started = (await temporalCli([
      'workflow', 'start', '--type', 'uid2SubscriptionApproval', '--task-queue', taskQueue, '--workflow-id', workflowId,
      '--input', JSON.stringify({ input: config }),
    ])) as { workflowId: string; runId: string };
    expect(started.workflowId).toBe(workflowId);

    // No arguments: the CLI posts {} to /encode.
    const status = (await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status'])) as { queryResult: [{ runs: number; asOf: string }] };
    expect(status.queryResult[0].runs).toBe(1);
    const asOf = '2031-01-02T03:04:05.000Z';
    const atTime = (await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--input', JSON.stringify(asOf)])) as {
      queryResult: [{ asOf: string }];
    };
    expect(atTime.queryResult[0].asOf).toBe(asOf);

    // A signal without input ({} again), then one with an operator action that ends the run.
    await temporalCli(['workflow', 'signal', '--workflow-id', workflowId, '--name', 'checkNow']);
    await temporalCli(['workflow', 'signal', '--workflow-id', workflowId, '--name', 'cancel', '--input', JSON.stringify({ by: 'ops-1', reason: 'e2e' })]);
    await new Client({ connection: env.connection, namespace: 'default', dataConverter: createDataConverter(keyring) }).workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);

    const described = (await temporalCli(['workflow', 'describe', '--workflow-id', workflowId])) as { workflowExecutionInfo: { status: string; type: { name: string } } };
    expect(described.workflowExecutionInfo.type.name).toBe('uid2SubscriptionApproval');
    expect(described.workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_FAILED');

    // The history holds the start input encrypted with this key; the CLI shows it decoded through the codec server.
    const inputOf = (history: unknown) =>
      (history as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }[] }).events[0]!
        .workflowExecutionStartedEventAttributes!.input.payloads[0];
    const stored = inputOf(await temporalCli(['workflow', 'show', '--workflow-id', workflowId], { codec: false })) as { metadata: Record<string, string> };
    expect(Buffer.from(stored.metadata['encryption-key-id']!, 'base64').toString()).toBe('cli-e2e');
    const shown = inputOf(await temporalCli(['workflow', 'show', '--workflow-id', workflowId])) as { metadata: Record<string, string>; data: string };
    expect(Buffer.from(shown.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(shown.data, 'base64').toString())).toEqual({ input: config });
  });

  it('starts prepareIdentityData with its config as the argument itself and queries its status', async () => {
    const config = {
      input: 's3://codec-cli-e2e-missing/raw/',
      output: `s3://codec-cli-e2e-missing/prepared/${randomBytes(4).toString('hex')}/`,
      rules: { profile: 'uid2', columns: { email: 'EMAIL' } },
    };
    const workflowId = workflowIds.prepareIdentityData(config.output);
    await temporalCli(['workflow', 'start', '--type', 'prepareIdentityData', '--task-queue', taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify(config)]);
    const status = (await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status'])) as { queryResult: [{ stage: string; tasks: number }] };
    expect(status.queryResult[0].stage).toMatch(/^(planning|failed)$/);
    await temporalCli(['workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'e2e test done']).catch(() => undefined);
  });
});
