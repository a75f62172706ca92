import { randomBytes } from 'node:crypto';
import {
  DataExchangeClient,
  GetAssetCommand,
  GetDataSetCommand,
  ListDataSetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dataexchange';
import { EntityResolutionClient, GetProviderServiceCommand, ListProviderServicesCommand } from '@aws-sdk/client-entityresolution';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../schemas/temporal-names';
import { renderApprovalStatus } from '../../starters/uid2-subscription-status';
import { runWorkflow } from '../../starters/lib/run-workflow';
import { statusQuery, uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval';
import { createDataConverter } from '../../worker/codec/data-converter';
import type { CodecKeyring } from '../../worker/codec/keyring';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';

/**
 * The approval workflow on the real dev server, with the worker assembled as in production
 * (createWorker, createActivities, the AES-GCM codec) and the starter's run/wait helper. The AWS
 * clients are real SDK clients whose `send` is mocked in-process, until the sandbox issue lands.
 */
let env: TestWorkflowEnvironment;
const keyring: CodecKeyring = (() => {
  const key = randomBytes(32);
  return { current: { id: 'e2e', key }, byId: { e2e: key } };
})();

beforeAll(async () => {
  env = await connectDevServer();
});
afterAll(async () => {
  await env?.teardown();
});

function mockedAws(pendingChecks: number) {
  const entityResolution = new EntityResolutionClient({ region: 'us-east-1' });
  const dataExchange = new DataExchangeClient({ region: 'us-east-1' });
  const er = mockClient(entityResolution);
  er.on(ListProviderServicesCommand).resolves({
    providerServiceSummaries: [
      {
        providerServiceArn: uid2Provider.providerServiceArn,
        providerName: uid2Provider.providerName,
        providerServiceName: uid2Provider.providerServiceName,
        providerServiceDisplayName: uid2Provider.providerServiceDisplayName,
        providerServiceType: 'ASSIGNMENT',
      },
    ],
  });
  er.on(GetProviderServiceCommand).resolves({
    ...uid2Provider,
    providerServiceType: 'ASSIGNMENT',
    providerEndpointConfiguration: { marketplaceConfiguration: uid2Provider.marketplace },
    anonymizedOutput: false,
    providerEntityOutputDefinition: {},
  });
  const dx = mockClient(dataExchange);
  let checks = 0;
  dx.on(GetDataSetCommand).callsFake(() => {
    checks += 1;
    if (checks <= pendingChecks) throw new ResourceNotFoundException({ Message: 'Data set not found', message: 'Data set not found', $metadata: {} });
    return { Id: uid2Provider.marketplace.dataSetId, Origin: 'ENTITLED', Arn: 'arn:aws:dataexchange:us-east-1::data-sets/entitled' };
  });
  dx.on(ListDataSetsCommand).resolves({ DataSets: [] });
  dx.on(GetAssetCommand).resolves({ Arn: uid2AssetArn });
  return { clients: { entityResolution, dataExchange }, checks: () => checks };
}

/** The worker as production assembles it (createWorker → createActivities, codec), plus a starter context on the same codec. */
async function productionStack(clients: ReturnType<typeof mockedAws>['clients'], name: string) {
  const taskQueue = `e2e-${name}-${Date.now()}`;
  const dataConverter = createDataConverter(keyring);
  const worker = await createWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
    clients,
    dataConverter,
    workflowBundle: workflowBundle(),
  });
  const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
  const ctx = {
    client,
    config: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'http://localhost:8233' },
    close: async () => undefined,
  };
  return { worker, client, ctx };
}

describe('uid2SubscriptionApproval end to end (dev server, codec, production worker)', () => {
  it('waits through pending checks, completes on entitlement, and stores only encrypted payloads', async () => {
    const aws = mockedAws(3);
    const { worker, client, ctx } = await productionStack(aws.clients, 'uid2-approval');
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999));
    const workflowId = workflowIds.uid2SubscriptionApproval(account);
    const lines: string[] = [];

    const code = await worker.runUntil(
      runWorkflow({
        ctx,
        workflow: uid2SubscriptionApproval,
        workflowId,
        args: [{ input: { account, poll: { initialInterval: '1 second', maximumInterval: '1 second', backoffCoefficient: 1 } } }],
        wait: true,
        status: { query: statusQuery, render: renderApprovalStatus, everyMs: 200 },
        out: (line) => lines.push(line),
      }),
    );

    expect(code).toBe(0);
    expect(aws.checks()).toBe(4);
    expect(lines[0]).toBe(`Started uid2SubscriptionApproval ${workflowId}`);
    expect(lines[1]).toMatch(new RegExp(`^Temporal UI: http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}/[0-9a-f-]+/history$`));
    const result = JSON.parse(lines[lines.length - 1]!.replace(/^Completed\. Result:\n/, '')) as { assetArn: string; approvedVia: string };
    expect(result.approvedVia).toBe('entitlement');
    expect(result.assetArn).toBe(uid2AssetArn);

    // Read the history as someone without the key would: no codec on this client.
    const raw = await new Client({ connection: env.connection, namespace: 'default' }).workflow.getHandle(workflowId).fetchHistory();
    const payloads = collectPayloads(raw);
    expect(payloads.length).toBeGreaterThan(3);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString()).toBe('binary/encrypted');
    }
    const rawText = JSON.stringify(raw, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    for (const plaintext of [uid2Provider.marketplace.dataSetId, uid2AssetArn, 'DataExchangePermissions', 'waiting-for-approval"', 'entitlement"']) {
      expect(rawText).not.toContain(plaintext);
    }

    // The same history, through the codec, is readable by an operator who holds the key.
    const decoded = await client.workflow.getHandle<typeof uid2SubscriptionApproval>(workflowId).result();
    expect(decoded.dataSetId).toBe(uid2Provider.marketplace.dataSetId);
  });

  it('a second start with the same id attaches to the running wait instead of starting another', async () => {
    const { worker, client, ctx } = await productionStack(mockedAws(Number.MAX_SAFE_INTEGER).clients, 'uid2-approval-dup');
    const workflowId = workflowIds.uid2SubscriptionApproval(`dup-${Date.now()}`);
    const lines: string[] = [];
    await worker.runUntil(async () => {
      const start = () =>
        runWorkflow({ ctx, workflow: uid2SubscriptionApproval, workflowId, args: [{ input: {} }], wait: false, out: (l) => lines.push(l) });
      expect(await start()).toBe(0);
      expect(await start()).toBe(0);
      await client.workflow.getHandle(workflowId).cancel();
    });
    expect(lines.filter((l) => l.startsWith('Started '))).toHaveLength(1);
    expect(lines).toContain(`uid2SubscriptionApproval ${workflowId} is already running: not starting a second one.`);
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('CANCELLED');
  });
});

interface RawPayload {
  metadata?: Record<string, Uint8Array> | null;
}

/** Every payload of the history's inputs, results, signals and failures (search attributes are indexed, not encoded). */
function collectPayloads(history: unknown): RawPayload[] {
  const found: RawPayload[] = [];
  const walk = (node: unknown, key: string) => {
    if (node === null || typeof node !== 'object') return;
    if (key === 'searchAttributes' || key === 'indexedFields' || key === 'header') return;
    if ('metadata' in node && 'data' in node) {
      found.push(node as RawPayload);
      return;
    }
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(history, '');
  return found;
}
