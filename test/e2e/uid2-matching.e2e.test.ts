import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { generateDemoCustomers } from '../../sandbox/synthetic/demo-data';
import type { Sandbox } from '../../sandbox/server';
import { seedDemoData } from '../../scripts/demo-data-seed';
import { workflowIds } from '../../schemas/temporal-names';
import type { Uid2MatchingInput } from '../../schemas/uid2-matching/uid2-matching';
import { renderUid2MatchingStatus } from '../../starters/uid2-matching-status';
import { runWorkflow } from '../../starters/lib/run-workflow';
import { uid2Matching, uid2MatchingStatusQuery } from '../../workflows/uid2-matching/uid2-matching';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { adminCall, sandboxWithClients } from '../helpers/sandbox';
import { objectText } from '../helpers/s3-objects';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listObjects } from '../../storage/s3-objects';
import { normalizeUid2Email, normalizeUid2Phone } from '../../pii/rules/uid2';
import { historyText } from '../helpers/history-text';
import { uid2PreparedTable } from '../../schemas/uid2-matching/uid2-matching-resources';
import { preparationOf, uid2MatchingInputSchema } from '../../schemas/uid2-matching/uid2-matching';

/**
 * uid2Matching on the dev server with the production worker and the sandbox: the demo customers (240
 * records with emails and phones) in a Glue table, Entity Resolution throttling 20 % of calls. Each
 * identifier's job writes one output row per input row, and the history holds no email or phone.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
  await seedDemoData('us-east-1');
}, 60_000);
afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

/** The worker as production assembles it, with the default data converter: payloads stay plain JSON, so a history scan reads what a codec would encrypt. */
function productionWorker(taskQueue: string) {
  return createWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 8 },
    clients: aws,
    dataConverter: {},
    workflowBundle: workflowBundle(),
  });
}

/** A run over the demo customers' Glue table, emails and phones, polled every second. */
function demoInput(name: string, s3Path: string, overrides: Partial<Uid2MatchingInput> = {}): Uid2MatchingInput {
  return {
    name,
    data: { glueTable: { database: 'identity_demo', table: 'customers' } },
    uniqueIdColumn: 'customer_id',
    emailColumn: 'email',
    phoneColumn: 'phone',
    output: { s3Path },
    roleArn: 'arn:aws:iam::000000000000:role/EntityResolutionUid2Workflow',
    jobPoll: { initialInterval: '1 second', maximumInterval: '1 second', backoffCoefficient: 1 },
    ...overrides,
  };
}

/** The ER job queues a run left open (they complete after a minute idle): ended so the next test starts clean. */
async function endQueues(name: string, identifiers: string[] = ['email', 'phone']): Promise<void> {
  for (const identifier of identifiers) await env.client.workflow.getHandle(workflowIds.erJobQueue(`${name}_${identifier}`)).terminate('test over').catch(() => undefined);
}

async function csvRows(uri: string): Promise<Record<string, string>[]> {
  return Papa.parse<Record<string, string>>(await objectText(aws.s3, uri), { header: true, skipEmptyLines: true }).data;
}

describe('uid2Matching end to end (dev server, sandbox, production worker)', () => {
  it('maps emails and phones in two ER workflows under 20 % throttling, one output row per input row, no PII in the history', async () => {
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', {});
    await adminCall(sandbox, 'PUT', '/faults', { seed: 5, rules: [{ service: 'entityresolution', throttle: 0.2 }] });
    const taskQueue = `e2e-uid2-matching-${Date.now()}`;
    const worker = await productionWorker(taskQueue);
    const name = `E2E_UID2_${Date.now()}`;
    const input = demoInput(name, 's3://identity-demo/uid2-e2e/');
    const workflowId = workflowIds.uid2Matching(name, 'e2e');
    const lines: string[] = [];
    // Started and followed as `npm run uid2-matching -- --wait` does.
    const ctx = {
      client: env.client,
      config: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'http://localhost:8233' },
      close: async () => undefined,
    };
    const result = await worker.runUntil(async () => {
      const code = await runWorkflow({
        ctx,
        workflow: uid2Matching,
        workflowId,
        args: [input],
        wait: true,
        status: { query: uid2MatchingStatusQuery, render: renderUid2MatchingStatus, everyMs: 100 },
        out: (line) => lines.push(line),
      });
      expect(code).toBe(0);
      const value = await env.client.workflow.getHandle<typeof uid2Matching>(workflowId).result();
      await endQueues(name);
      return value;
    });

    expect(lines[0]).toBe(`Started uid2Matching ${workflowId}`);
    expect(lines.some((l) => /^stage matching \| email (queued|starting-job|job-running)/.test(l))).toBe(true);
    expect(lines.some((l) => / \| phone job-running, job [0-9a-f]+, check \d+/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^Completed\. Result:\n\{/);

    const counters = (await adminCall(sandbox, 'GET', '/counters')) as Record<string, number>;
    expect(Object.keys(counters).filter((k) => k.startsWith('entityresolution:') && k.endsWith(':throttle')).length).toBeGreaterThan(0);

    const { crm, ecommerce } = generateDemoCustomers({ people: 200, overlap: 40 });
    const customers = [...crm, ...ecommerce];
    const ids = customers.map((c) => c.customer_id).sort();
    expect(result.identifiers.map((i) => i.identifier)).toEqual(['email', 'phone']);
    for (const identifier of result.identifiers) {
      expect(identifier.metrics.inputRecords).toBe(240);
      const success = identifier.outputObjects.find((o) => o.includes('/success/'))!;
      const errors = identifier.outputObjects.find((o) => o.includes('/error/'));
      const matched = await csvRows(success);
      const unmatched = errors ? await csvRows(errors) : [];
      // One row per input row across the job's outputs: no record duplicated, none lost.
      expect([...matched, ...unmatched].map((r) => r.customer_id).sort()).toEqual(ids);
      expect(matched.length).toBe(identifier.metrics.totalRecordsProcessed);
      for (const row of matched) {
        expect(row.UID2_identifier).not.toBe('');
        expect(row.UID2_advertising_id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        expect(row.UID2_bucket_id).toMatch(/^[A-Za-z0-9_-]{9}$/);
      }
      expect(Object.keys(matched[0]!)).toEqual(['customer_id', identifier.identifier, 'UID2_identifier', 'UID2_advertising_id', 'UID2_bucket_id']);
    }

    const plain = new Client({ connection: env.connection });
    const text = async (id: string) => historyText(await plain.workflow.getHandle(id).fetchHistory());
    const histories = [await text(workflowId), await text(workflowIds.erJobQueue(`${name}_email`)), await text(workflowIds.erJobQueue(`${name}_phone`))];
    // The scan reads the payloads' plain text: the run's own config is there.
    expect(histories[0]).toContain(`"uniqueIdColumn":"customer_id"`);
    // Junk too short to identify anyone ('n/a') is not scanned for: it would match inside any text.
    const pii = customers.flatMap((c) => [c.email.trim(), c.phone.trim()]).filter((v) => v.length > 6);
    expect(pii.length).toBeGreaterThan(400);
    for (const history of histories) for (const value of pii) expect(history).not.toContain(value);
  });

  it('waits out a second concurrent start refused with ExceedsLimitException: an email + phone run completes, its jobs one after the other', async () => {
    await adminCall(sandbox, 'PUT', '/faults', { seed: 1, rules: [] });
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', {});
    expect(await adminCall(sandbox, 'PUT', '/entity-resolution/quotas', { whenFull: 'refuse' })).toMatchObject({ providerServiceJobs: 1, whenFull: 'refuse' });
    const taskQueue = `e2e-uid2-matching-slot-${Date.now()}`;
    const worker = await productionWorker(taskQueue);
    const name = `E2E_SLOT_${Date.now()}`;
    const workflowId = workflowIds.uid2Matching(name, 'e2e');
    const lines: string[] = [];
    const ctx = {
      client: env.client,
      config: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'http://localhost:8233' },
      close: async () => undefined,
    };
    const result = await worker
      .runUntil(async () => {
        const code = await runWorkflow({
          ctx,
          workflow: uid2Matching,
          workflowId,
          args: [demoInput(name, 's3://identity-demo/uid2-e2e-slot/')],
          wait: true,
          status: { query: uid2MatchingStatusQuery, render: renderUid2MatchingStatus, everyMs: 100 },
          out: (line) => lines.push(line),
        });
        expect(code).toBe(0);
        const value = await env.client.workflow.getHandle<typeof uid2Matching>(workflowId).result();
        await endQueues(name);
        return value;
      })
      .finally(() => adminCall(sandbox, 'PUT', '/entity-resolution/quotas', { whenFull: 'queue' }));

    // The refused start was waited out and shown in the status `--wait` prints.
    expect(lines.some((l) => /\| (email|phone) waiting-for-slot, Concurrent provider service matching jobs in use, start refused \d+×, next try \d\d:\d\d:\d\dZ/.test(l))).toBe(true);
    const [first, second] = [...result.identifiers].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    expect(result.identifiers.map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(Date.parse(second!.startedAt)).toBeGreaterThanOrEqual(Date.parse(first!.endedAt));
    for (const identifier of result.identifiers) expect(identifier.metrics.inputRecords).toBe(240);
  });

  it('with prepare on (version 2): every phone valid for US is matched, rejects carry reasons, counts reconcile, no identifier in any history', async () => {
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', {});
    await adminCall(sandbox, 'PUT', '/faults', { seed: 7, rules: [{ service: 'entityresolution', throttle: 0.2 }] });
    const taskQueue = `e2e-uid2-prepared-${Date.now()}`;
    const worker = await productionWorker(taskQueue);
    const name = `E2E_PREP_${Date.now()}`;
    const input = demoInput(name, 's3://identity-demo/uid2-e2e-prepared/', { version: 2 });
    const workflowId = workflowIds.uid2Matching(name, 'e2e');
    const { result, status } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(uid2Matching, { taskQueue, workflowId, args: [input] });
      const value = await handle.result();
      const final = await handle.query(uid2MatchingStatusQuery);
      await endQueues(name);
      return { result: value, status: final };
    });

    const { crm, ecommerce } = generateDemoCustomers({ people: 200, overlap: 40 });
    const customers = [...crm, ...ecommerce];
    const usable = {
      email: customers.filter((c) => normalizeUid2Email(c.email).kind === 'normalized'),
      phone: customers.filter((c) => normalizeUid2Phone(c.phone, 'US').kind === 'normalized'),
    };
    const national = customers.filter((c) => /^[(\d]/.test(c.phone) && normalizeUid2Phone(c.phone, 'US').kind === 'normalized');
    expect(usable.phone.length).toBeGreaterThan(200);
    expect(customers.some((c) => c.phone === 'n/a')).toBe(true);

    expect(result.identifiers.map((i) => i.identifier)).toEqual(['email', 'phone']);
    for (const job of result.identifiers) {
      const counts = job.counts!;
      const valid = usable[job.identifier];
      // Every valid value reaches UID2 and is matched; the books balance.
      expect(counts).toMatchObject({ inputRows: 240, sentToEr: valid.length, matched: valid.length, notProcessedByEr: 0, rejectedBeforeEr: 240 - valid.length });
      expect(counts.discrepancy).toBeUndefined();
      expect(counts.inputRows).toBe(counts.matched + counts.notProcessedByEr + counts.rejectedBeforeEr);
      expect(Object.values(counts.rejectReasons).reduce((a, b) => a + b, 0)).toBe(counts.rejectedBeforeEr);
      expect(status.jobs.find((j) => j.identifier === job.identifier)!.counts).toEqual(counts);

      const rejectObjects = await listObjects(aws.s3, job.preparation!.rejectsPrefix);
      const rejects = (await Promise.all(rejectObjects.map((o) => csvRows(o.uri)))).flat();
      expect(rejects.length).toBe(counts.rejectedBeforeEr);
      for (const row of rejects) expect(row.reasons).not.toBe('');
      expect(job.preparation!.preparedTableArn).toMatch(new RegExp(`:table/identity_demo/${name.toLowerCase()}_${job.identifier}_prepared$`));

      // The output joins back on the unique id and carries the identifier, normalised.
      const matched = await csvRows(job.outputObjects.find((o) => o.includes('/success/'))!);
      expect(matched.map((r) => r.customer_id).sort()).toEqual(valid.map((c) => c.customer_id).sort());
      expect(Object.keys(matched[0]!)).toEqual(['customer_id', job.identifier, 'UID2_identifier', 'UID2_advertising_id', 'UID2_bucket_id']);
    }
    const phone = result.identifiers.find((i) => i.identifier === 'phone')!.counts!;
    expect(phone.recovered).toBe(national.length + usable.phone.filter((c) => /^\+1 /.test(c.phone)).length);
    expect(phone.rejectReasons).toEqual({ 'not a phone number in E.164 or a US national format': customers.filter((c) => ['n/a', '555-01'].includes(c.phone)).length, empty: customers.filter((c) => c.phone === '').length });

    const plain = new Client({ connection: env.connection });
    const text = async (id: string) => historyText(await plain.workflow.getHandle(id).fetchHistory());
    const prepare = preparationOf(uid2MatchingInputSchema.parse(input))!;
    const config = uid2MatchingInputSchema.parse(input);
    const ids = [
      workflowId,
      ...(['email', 'phone'] as const).flatMap((identifier) => [workflowIds.prepareIdentityData(uid2PreparedTable(config, identifier, prepare).output), workflowIds.erJobQueue(`${name}_${identifier}`)]),
    ];
    const histories = await Promise.all(ids.map(text));
    expect(histories[0]).toContain(`"uniqueIdColumn":"customer_id"`);
    const normalisedValue = (o: ReturnType<typeof normalizeUid2Email>) => (o.kind === 'normalized' ? [o.value] : []);
    const pii = customers
      .flatMap((c) => [c.email.trim(), c.phone.trim(), ...normalisedValue(normalizeUid2Email(c.email)), ...normalisedValue(normalizeUid2Phone(c.phone, 'US'))])
      .filter((v) => v.length > 6);
    expect(pii.length).toBeGreaterThan(800);
    for (const history of histories) for (const value of pii) expect(history).not.toContain(value);
  });

  it('with prepare on, reads an S3 prefix in its own header spelling, and skips an identifier with no usable value instead of running an empty job', async () => {
    await adminCall(sandbox, 'POST', '/data-exchange/entitle', {});
    await adminCall(sandbox, 'PUT', '/faults', { seed: 1, rules: [] });
    const rows = ['Customer_ID,EMail,Phone', 'p-1,Ann@Example.com,n/a', 'p-2, bob@example.org ,', 'p-3,not-an-email,555-01'];
    await aws.s3.send(new PutObjectCommand({ Bucket: 'identity-demo', Key: 'raw/junk-phones/export.csv', Body: `${rows.join('\n')}\n` }));
    const taskQueue = `e2e-uid2-prepared-skip-${Date.now()}`;
    const worker = await productionWorker(taskQueue);
    const name = `E2E_SKIP_${Date.now()}`;
    const result = await worker.runUntil(async () => {
      const value = await env.client.workflow.execute(uid2Matching, {
        taskQueue,
        workflowId: workflowIds.uid2Matching(name, 'e2e'),
        args: [demoInput(name, 's3://identity-demo/uid2-e2e-skip/', { version: 2, data: { s3: { prefix: 's3://identity-demo/raw/junk-phones/', format: 'csv' } } })],
      });
      await endQueues(name);
      return value;
    });

    expect(result.preparedFrom).toBe('s3://identity-demo/raw/junk-phones/');
    expect(result.identifiers.map((i) => [i.identifier, i.counts])).toEqual([
      // ' bob@example.org ' is normalised by trimming only: not counted as rewritten.
      ['email', { inputRows: 3, rejectedBeforeEr: 1, rejectReasons: { 'not an email address': 1 }, recovered: 1, sentToEr: 2, matched: 2, notProcessedByEr: 0 }],
    ]);
    const [phone, ...others] = result.skipped ?? [];
    expect(others).toEqual([]);
    expect(phone).toMatchObject({
      identifier: 'phone',
      skipped: 'no usable values',
      counts: { inputRows: 3, rejectedBeforeEr: 3, rejectReasons: { 'not a phone number in E.164 or a US national format': 2, empty: 1 }, recovered: 0, sentToEr: 0, matched: 0, notProcessedByEr: 0 },
    });
    expect(phone!.preparation.manifestUri).toBe(`s3://identity-demo/uid2-e2e-skip/prepared/${name}_phone/manifest.json`);
    const rejects = (await Promise.all((await listObjects(aws.s3, phone!.preparation.rejectsPrefix)).map((o) => csvRows(o.uri)))).flat();
    expect(rejects.map((r) => r.reasons)).toEqual(['not a phone number in E.164 or a US national format', 'empty', 'not a phone number in E.164 or a US national format']);
    const matched = await csvRows(result.identifiers[0]!.outputObjects.find((o) => o.includes('/success/'))!);
    expect(matched.map((r) => [r.customer_id, r.email])).toEqual([
      ['p-1', 'ann@example.com'],
      ['p-2', 'bob@example.org'],
    ]);
  });

  it('catalogs an S3 prefix as a Glue table itself, then matches from it', async () => {
    await adminCall(sandbox, 'PUT', '/faults', { seed: 1, rules: [] });
    const taskQueue = `e2e-uid2-matching-s3-${Date.now()}`;
    const worker = await productionWorker(taskQueue);
    const name = `E2E_S3_${Date.now()}`;
    const result = await worker.runUntil(async () => {
      const value = await env.client.workflow.execute(uid2Matching, {
        taskQueue,
        workflowId: workflowIds.uid2Matching(name, 'e2e'),
        args: [
          demoInput(name, 's3://identity-demo/uid2-e2e-s3/', {
            data: { s3: { prefix: 's3://identity-demo/raw/customers/', format: 'csv' } },
            phoneColumn: undefined,
            output: { s3Path: 's3://identity-demo/uid2-e2e-s3/', exclude: ['email'] },
          }),
        ],
      });
      await endQueues(name, ['email']);
      return value;
    });

    expect(result.inputTableArn).toMatch(new RegExp(`:table/identity_workflows/${name.toLowerCase()}$`));
    const [email] = result.identifiers;
    expect(email!.metrics.inputRecords).toBe(240);
    const matched = await csvRows(email!.outputObjects.find((o) => o.includes('/success/'))!);
    expect(matched.length).toBe(email!.metrics.totalRecordsProcessed);
    // The email column is excluded from the output: the unique id and the UID2 columns remain.
    expect(Object.keys(matched[0]!)).toEqual(['customer_id', 'UID2_identifier', 'UID2_advertising_id', 'UID2_bucket_id']);
  });
});
