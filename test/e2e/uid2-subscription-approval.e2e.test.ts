import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { UID2_LISTING } from '../../sandbox/services/catalog';
import type { Sandbox } from '../../sandbox/server';
import { workflowIds } from '../../schemas/temporal-names';
import { renderUid2SubscriptionApprovalStatus } from '../../starters/uid2-subscription-status';
import { runWorkflow } from '../../starters/lib/run-workflow';
import { sendDecision } from '../../starters/uid2-subscription-decision';
import { approveUpdate, cancelUpdate, uid2SubscriptionApprovalStatusQuery, uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import type { CodecKeyring } from '../../temporal-client/codec/keyring';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { adminCall, sandboxWithClients } from '../helpers/sandbox';

/**
 * The approval workflow on the real dev server, with the worker assembled as in production
 * (createWorker, createActivities, the AES-GCM codec, the worker's AWS clients reaching the sandbox
 * through AWS_ENDPOINT_URL) and the starter's run/wait helper.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;
const keyring: CodecKeyring = (() => {
  const key = randomBytes(32);
  return { current: { id: 'e2e', key }, byId: { e2e: key } };
})();

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
});
afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});
beforeEach(async () => {
  await adminCall(sandbox, 'POST', '/reset');
});

/** The worker as production assembles it (createWorker → createActivities, codec), plus a starter context on the same codec. */
async function productionStack(clients: ActivityDeps, name: string, maxCachedWorkflows?: number) {
  const taskQueue = `e2e-${name}-${Date.now()}`;
  const dataConverter = createDataConverter(keyring);
  const worker = await createWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4, WORKER_MAX_CACHED_WORKFLOWS: maxCachedWorkflows },
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

const assetArn = `arn:aws:dataexchange:us-east-1:111122223333:data-sets/${UID2_LISTING.dataSetId}/revisions/${UID2_LISTING.revisionId}/assets/${UID2_LISTING.assetId}`;

describe('uid2SubscriptionApproval end to end (dev server, sandbox, codec, production worker)', () => {
  it('waits through pending checks, completes when the sandbox approves mid-run under 20 % throttling, and stores only encrypted payloads', async () => {
    await adminCall(sandbox, 'PUT', '/faults', { seed: 20, rules: [{ service: 'dataexchange', throttle: 0.2 }, { service: 'entityresolution', throttle: 0.2 }] });
    const { worker, client, ctx } = await productionStack(aws, 'uid2-subscription-approval');
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999));
    const workflowId = workflowIds.uid2SubscriptionApproval(account);
    const lines: string[] = [];

    // The UID2 team's approval lands mid-run: after the third entitlement check.
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', { afterChecks: 3 });
    const code = await worker.runUntil(
      runWorkflow({
        ctx,
        workflow: uid2SubscriptionApproval,
        workflowId,
        args: [{ input: { account, poll: { initialInterval: '1 second', maximumInterval: '1 second', backoffCoefficient: 1 } } }],
        wait: true,
        status: { query: uid2SubscriptionApprovalStatusQuery, render: renderUid2SubscriptionApprovalStatus, everyMs: 200 },
        out: (line) => lines.push(line),
      }),
    );

    expect(code).toBe(0);
    const counters = (await adminCall(sandbox, 'GET', '/counters')) as Record<string, number>;
    expect(counters['dataexchange:GetDataSet']).toBeGreaterThanOrEqual(4);
    expect(Object.keys(counters).some((k) => k.endsWith(':throttle'))).toBe(true);
    expect(lines[0]).toBe(`Started uid2SubscriptionApproval ${workflowId}`);
    expect(lines[1]).toMatch(new RegExp(`^Temporal UI: http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}/[0-9a-f-]+/history$`));
    const result = JSON.parse(lines[lines.length - 1]!.replace(/^Completed\. Result:\n/, '')) as { assetArn: string; approvedVia: string; checks: number };
    expect(result.approvedVia).toBe('entitlement');
    expect(result.checks).toBeGreaterThanOrEqual(4);
    expect(result.assetArn).toBe(assetArn);

    // Read the history as someone without the key would: no codec on this client.
    const raw = await new Client({ connection: env.connection, namespace: 'default' }).workflow.getHandle(workflowId).fetchHistory();
    const payloads = collectPayloads(raw);
    expect(payloads.length).toBeGreaterThan(3);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString()).toBe('binary/encrypted');
    }
    const rawText = JSON.stringify(raw, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    for (const plaintext of [UID2_LISTING.dataSetId, assetArn, 'DataExchangePermissions', 'waiting-for-approval"', 'entitlement"']) {
      expect(rawText).not.toContain(plaintext);
    }

    // The same history, through the codec, is readable by an operator who holds the key.
    const decoded = await client.workflow.getHandle<typeof uid2SubscriptionApproval>(workflowId).result();
    expect(decoded.dataSetId).toBe(UID2_LISTING.dataSetId);
  });

  it('with a workflow cache of 2, six waiting runs all complete: each evicted run replays its short history when its poll returns', async () => {
    const { worker, client, ctx } = await productionStack(aws, 'uid2-subscription-approval-cache', 2);
    const runs = 6;
    const ids = Array.from({ length: runs }, (_, i) => workflowIds.uid2SubscriptionApproval(`cache-${Date.now()}-${i}`));
    const poll = { initialInterval: '1 second', maximumInterval: '1 second', backoffCoefficient: 1 };
    // Approval lands once the runs have made about two checks each, so every run waits in a poll first.
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', { afterChecks: runs * 2 });
    const cachedWhenDone: number[] = [];
    const results = await worker.runUntil(async () => {
      for (const workflowId of ids) {
        expect(await runWorkflow({ ctx, workflow: uid2SubscriptionApproval, workflowId, args: [{ input: { poll } }], wait: false, out: () => undefined })).toBe(0);
      }
      return Promise.all(
        ids.map(async (workflowId) => {
          const result = await client.workflow.getHandle<typeof uid2SubscriptionApproval>(workflowId).result();
          cachedWhenDone.push(worker.getStatus().numCachedWorkflows);
          return result;
        }),
      );
    });

    expect(results.map((r) => r.approvedVia)).toEqual(Array(runs).fill('entitlement'));
    for (const result of results) expect(result.assetArn).toBe(assetArn);
    expect(Math.max(...cachedWhenDone)).toBeLessThanOrEqual(2);
    for (const workflowId of ids) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      expect(history.events?.length).toBeLessThan(40);
    }
  });

  it("the starter's approve command sends the 'approve' update through the codec and prints the decision; a later cancel is refused", async () => {
    const { worker, client, ctx } = await productionStack(aws, 'uid2-subscription-approval-decision');
    const workflowId = workflowIds.uid2SubscriptionApproval(`decision-${Date.now()}`);
    const out: string[] = [];
    const err: string[] = [];
    const { result, codes } = await worker.runUntil(async () => {
      expect(await runWorkflow({ ctx, workflow: uid2SubscriptionApproval, workflowId, args: [{ input: {} }], wait: false, out: () => undefined })).toBe(0);
      const handle = client.workflow.getHandle<typeof uid2SubscriptionApproval>(workflowId);
      const approved = await sendDecision(handle, approveUpdate, { by: 'ops-7', reason: 'approved in the AWS console' }, (l) => out.push(l), (l) => err.push(l));
      const result = await handle.result();
      const cancelled = await sendDecision(handle, cancelUpdate, { by: 'ops-8', reason: 'too late' }, (l) => out.push(l), (l) => err.push(l));
      return { result, codes: [approved, cancelled] };
    });
    expect(codes).toEqual([0, 1]);
    expect(out).toEqual([expect.stringMatching(new RegExp(`^${workflowId}: approved by ops-7 \\(stage (finding-provider|waiting-for-approval)\\)$`)) as string]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(workflowId);
    expect(result.approvedBy).toBe('ops-7');
  });

  it('a second start with the same id attaches to the running wait instead of starting another', async () => {
    const { worker, client, ctx } = await productionStack(aws, 'uid2-subscription-approval-dup');
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
