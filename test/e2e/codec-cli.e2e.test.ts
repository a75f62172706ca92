import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { temporalCliPath } from '../../toolchain/paths';
import { workflowIds } from '../../schemas/temporal-names';
import { startCodecServer, type CodecServer } from '../../temporal-client/codec/codec-server';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import type { CodecKeyring } from '../../temporal-client/codec/keyring';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { adminCall, sandboxWithClients } from '../helpers/sandbox';

/**
 * The real Temporal CLI with `--codec-endpoint` pointed at the project's codec server: starting, querying
 * (with and without arguments), signalling, describing and showing a run a production-assembled worker executes.
 */
const run = promisify(execFile);
const key = randomBytes(32);
const keyring: CodecKeyring = { current: { id: 'cli-e2e', key }, byId: { 'cli-e2e': key } };

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let clients: ActivityDeps;
let codec: CodecServer;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `e2e-codec-cli-${Date.now()}`;

/** Runs `temporal <args> --codec-endpoint <codec server>` against the dev server; its JSON output parsed (signal prints none). */
async function temporalCli(args: string[], opts: { codec?: boolean } = {}): Promise<unknown> {
  const { stdout } = await run(temporalCliPath(), cliArgs(args, opts));
  return stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined;
}

function cliArgs(args: string[], opts: { codec?: boolean } = {}): string[] {
  const connection = ['--address', env.address, '--namespace', 'default', '--output', 'json'];
  return [...args, ...connection, ...(opts.codec === false ? [] : ['--codec-endpoint', codec.url])];
}

beforeAll(async () => {
  env = await connectDevServer();
  const aws = await sandboxWithClients();
  sandbox = aws.sandbox;
  clients = aws.clients;
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

  it('starts amcIdMapping with {"input": <config>}, queries its status, and sends its dataChanged Update and signal; deleteTable before a table exists is refused with why', async () => {
    // A collaboration the customer has not accepted keeps the run waiting in step 2 while the CLI talks to it.
    const n = Date.now();
    for (const Bucket of ['cli-amc-raw', 'cli-amc-data', 'cli-amc-work', 'cli-amc-results']) await clients.s3.send(new CreateBucketCommand({ Bucket })).catch(() => undefined);
    const credentials = { clientId: 'amzn1.application-oa2-client.cli', clientSecret: 'cli-secret', refreshToken: 'Atzr|cli-refresh' };
    const secretId = `cli-amc-${n}/credentials`;
    await clients.secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify(credentials) }));
    await adminCall(sandbox, 'PUT', '/amc/credentials', credentials);
    const instanceId = `amccli${n}`;
    await adminCall(sandbox, 'PUT', `/amc/instances/${instanceId}`, { advertiserId: 'CLIE2E', account: SANDBOX_ACCOUNT, status: 'PENDING_ACCEPTANCE', afterChecks: 1000 });
    const name = `cli_amc_${n}`;
    const config = {
      name,
      region: 'us-east-1',
      account: SANDBOX_ACCOUNT,
      input: { uri: `s3://cli-amc-raw/${n}/customers.csv` },
      uniqueId: 'customer_id',
      columns: { email: 'EMAIL' },
      output: { dataPrefix: `s3://cli-amc-data/${n}/`, workPrefix: `s3://cli-amc-work/${n}/`, format: 'csv' },
      queryResultsBucket: 'cli-amc-results',
      glue: { database: 'cli_amc' },
      entityResolution: { passRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/amc-entity-resolution` },
      amc: { baseUrl: sandbox.url, tokenUrl: `${sandbox.url}/auth/o2/token`, instanceId, advertiserId: 'CLIE2E', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: secretId },
      collaborationPoll: { initialInterval: '1 hour', maximumInterval: '1 hour', backoffCoefficient: 1 },
    };
    const workflowId = workflowIds.amcIdMapping(instanceId, name);
    expect(workflowId).toBe(`amc-id-mapping/${instanceId}/${name}`);
    await temporalCli(['workflow', 'start', '--type', 'amcIdMapping', '--task-queue', taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify({ input: config })]);

    type Status = { queryResult: [{ stage: string; asOf: string; collaboration?: { status: string } }] };
    let status: Status;
    do status = (await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status'])) as Status;
    while (!status.queryResult[0].collaboration);
    expect(status.queryResult[0]).toMatchObject({ stage: 'waiting-for-collaboration', collaboration: { status: 'PENDING_ACCEPTANCE' } });
    const asOf = '2031-01-02T03:04:05.000Z';
    expect(((await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--input', JSON.stringify(asOf)])) as Status).queryResult[0].asOf).toBe(asOf);

    const notice = (requestId: string) => JSON.stringify({ reason: 'operator', requestId, at: new Date().toISOString() });
    const changed = (await temporalCli(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'dataChanged', '--input', notice('ops-1')])) as { result: { accepted: boolean } };
    expect(changed.result.accepted).toBe(true);
    await temporalCli(['workflow', 'signal', '--workflow-id', workflowId, '--name', 'dataChanged', '--input', notice('ops-2')]);
    // deleteTable before the table exists is refused with why (the CLI exits non-zero), and leaves the run as it was.
    const deleteTable = cliArgs(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'deleteTable', '--input', JSON.stringify({ by: 'ops-1', reason: 'e2e' })]);
    await expect(run(temporalCliPath(), deleteTable)).rejects.toThrow('There is no AMC mapping table yet (stage waiting-for-collaboration): nothing to delete');
    expect(((await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--type', 'status'])) as Status).queryResult[0].stage).toBe('waiting-for-collaboration');
    await temporalCli(['workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'e2e test done']);
  });
});
