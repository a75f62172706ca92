import { GetSchemaMappingCommand, GetIdNamespaceCommand } from '@aws-sdk/client-entityresolution';
import { GetTableCommand } from '@aws-sdk/client-glue';
import { ListIdNamespaceAssociationsCommand } from '@aws-sdk/client-cleanrooms';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import type { Sandbox } from '../../sandbox/server';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { generationLocations } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import { workflowIds } from '../../schemas/temporal-names';
import { amcIdMapping, amcIdMappingStatusQuery, dataChangedSignal, deleteTableUpdate } from '../../workflows/amc-id-mapping/amc-id-mapping';
import type { AmcIdMappingStatus } from '../../workflows/amc-id-mapping/amc-id-mapping-status';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { historyText } from '../helpers/history-text';
import { adminCall, sandboxWithClients } from '../helpers/sandbox';

/**
 * amcIdMapping on the dev server with the production worker, against the sandbox (S3, Glue, Secrets Manager,
 * Entity Resolution, Clean Rooms and the Amazon Ads API stand-in) throttling and failing calls on purpose: a raw
 * identity file with mixed-case headers, a key written 30 times and a key with 27 distinct rows (collapsed into
 * numbered columns) becomes one AMC ID mapping table, refreshed once only after its 14 days.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
}, 60_000);
afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

const HEADER = ['Customer_ID', 'Email', 'Phone'];
/** c4's 27 distinct rows: 27 emails over 3 phones. */
const C4_EMAILS = Array.from({ length: 27 }, (_, i) => `zoe.kline${i}@example.com`);
const C4_PHONES = ['+1 415 555 0110', '+1 415 555 0111', '+1 415 555 0112'];
/** c0 has 30 rows, the same person written 30 times (duplicates, not a collapse); c4 has 27 distinct rows (collapsed). */
function identityRows(c1Email: string): string[][] {
  return [
    ...Array.from({ length: 30 }, () => ['c0', 'dana.rivers@example.com', '+1 415 555 0100']),
    ['c1', c1Email, '+1 415 555 0101'],
    ['c2', 'erin.moss@example.org', '+1 415 555 0102'],
    ['c3', 'frank.oak@example.net', '(415) 555-0103'],
    ...C4_EMAILS.map((email, i) => ['c4', email, C4_PHONES[i % 3]!]),
  ];
}
const VALUES = ['dana.rivers@example.com', 'gail.lake@example.com', 'gail.lake.new@example.com', 'erin.moss@example.org', 'frank.oak@example.net', '415 555 0100', '4155550101', '555-0103', 'zoe.kline', '555 0111', '4155550112'];
/** c4: email 27 wide and phone 3 make 30 columns; the widest is cut to fit AMC's 24, so 6 of its emails are dropped. */
const COLLAPSED_COLUMNS = ['customer_id', ...Array.from({ length: 21 }, (_, i) => `email${i + 1}`), 'phone1', 'phone2', 'phone3'];

/** Throttling and 5xx on Entity Resolution, Clean Rooms and the AMC stand-in's table calls (not its polls, so the seeded draws repeat run to run). */
const FAULTS = {
  seed: 7,
  rules: [
    { service: 'entityresolution', throttle: 0.3, serverError: 0.2 },
    { service: 'cleanrooms', throttle: 0.3, serverError: 0.3 },
    ...['ListCollaborationIdMappingTables', 'CreateCollaborationIdMappingTable', 'RefreshCollaborationIdMappingTable'].map((operation) => ({ service: 'amc', operation, throttle: 0.5, serverError: 0.5 })),
  ],
};
type Counters = Record<string, number>;
const injected = (c: Counters, service: string) => Object.entries(c).filter(([k]) => k.startsWith(`${service}:`) && /:(throttle|serverError)$/.test(k)).reduce((n, [, v]) => n + v, 0);
/** Calls of `service:operation` that were answered, not refused by an injected fault. */
const answered = (c: Counters, key: string) => (c[key] ?? 0) - (c[`${key}:throttle`] ?? 0) - (c[`${key}:serverError`] ?? 0);

describe('amcIdMapping end to end (dev server, sandbox, production worker)', () => {
  it('creates one AMC table over a lowercase Glue table, refreshes only after AMC’s 14 days, deletes it; no identity value in any history', async () => {
    const n = Date.now();
    for (const Bucket of ['amc-raw', 'amc-data', 'amc-work', 'amc-results']) await aws.s3.send(new CreateBucketCommand({ Bucket })).catch(() => undefined);
    const putInput = (c1Email: string) =>
      aws.s3.send(new PutObjectCommand({ Bucket: 'amc-raw', Key: `e2e-${n}/customers.csv`, Body: stringify(identityRows(c1Email), { header: true, columns: HEADER }), ContentType: 'text/csv' }));
    await putInput('gail.lake@example.com');
    const secretId = `amc-e2e-${n}/credentials`;
    const credentials = { clientId: 'amzn1.application-oa2-client.e2e', clientSecret: 'e2e-secret', refreshToken: 'Atzr|e2e-refresh' };
    await aws.secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify(credentials) }));
    await adminCall(sandbox, 'PUT', '/amc/credentials', credentials);
    const instanceId = `amce2e${n}`;
    await adminCall(sandbox, 'PUT', `/amc/instances/${instanceId}`, { advertiserId: 'ENTITYE2E', account: SANDBOX_ACCOUNT, status: 'PENDING_ACCEPTANCE', afterChecks: 1000 });

    const name = `e2e_amc_${n}`;
    const input: AmcIdMappingInput = {
      name,
      region: 'us-east-1',
      account: SANDBOX_ACCOUNT,
      input: { uri: `s3://amc-raw/e2e-${n}/customers.csv` },
      uniqueId: 'Customer_ID',
      columns: { Email: 'EMAIL', Phone: 'PHONE' },
      output: { dataPrefix: `s3://amc-data/e2e-${n}/`, workPrefix: `s3://amc-work/e2e-${n}/`, format: 'csv' },
      queryResultsBucket: 'amc-results',
      glue: { database: 'amc_e2e' },
      entityResolution: { passRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/amc-entity-resolution` },
      amc: { baseUrl: sandbox.url, tokenUrl: `${sandbox.url}/auth/o2/token`, instanceId, advertiserId: 'ENTITYE2E', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: secretId },
      collaborationPoll: { initialInterval: '200 milliseconds', maximumInterval: '200 milliseconds', backoffCoefficient: 1 },
      jobPoll: { initialInterval: '200 milliseconds', maximumInterval: '200 milliseconds', backoffCoefficient: 1 },
    };

    const taskQueue = `e2e-amc-id-mapping-${n}`;
    const worker = await createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 8 },
      clients: aws,
      dataConverter: {},
      workflowBundle: workflowBundle(),
    });
    const workflowId = workflowIds.amcIdMapping(instanceId, name);
    const status = (h: WorkflowHandle<typeof amcIdMapping>) => h.query(amcIdMappingStatusQuery, new Date().toISOString());
    const until = async (h: WorkflowHandle<typeof amcIdMapping>, done: (s: AmcIdMappingStatus) => boolean): Promise<AmcIdMappingStatus> => {
      for (;;) {
        const s = await status(h);
        if (done(s)) return s;
        if (s.stage === 'failed') throw new Error(`amcIdMapping failed at ${JSON.stringify(s)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const amcState = async () => {
      const state = (await adminCall(sandbox, 'GET', '/amc/state')) as { tables: Record<string, { id: string; instanceId: string }>; jobs: Record<string, { tableId: string; kind: string }> };
      const tables = Object.values(state.tables).filter((t) => t.instanceId === instanceId);
      return { tables, jobs: Object.values(state.jobs).filter((j) => tables.some((t) => t.id === j.tableId)).map((j) => j.kind) };
    };
    const notice = (requestId: string) => ({ reason: 'operator' as const, requestId, at: new Date().toISOString() });

    await adminCall(sandbox, 'DELETE', '/counters');
    await adminCall(sandbox, 'PUT', '/faults', FAULTS);
    const { handle, created, waiting, refreshed, beforeDelete, result } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(amcIdMapping, { taskQueue, workflowId, args: [{ input }] });
      const waiting = await until(handle, (s) => s.stage === 'waiting-for-collaboration' && Boolean(s.collaboration?.customerAcceptanceLink));
      await adminCall(sandbox, 'POST', `/amc/instances/${instanceId}/accept`);
      const created = await until(handle, (s) => s.stage === 'guarding');

      await putInput('gail.lake.new@example.com');
      await handle.signal(dataChangedSignal, notice('change-1'));
      const pending = await until(handle, (s) => s.stage === 'waiting-for-refresh-window' && s.inputsProcessed === 2);
      expect(pending.refreshes).toBe(0);
      expect(pending.pending).toMatchObject({ changedKeys: 1 });
      expect(Date.parse(pending.nextEligibleAt!) - Date.now()).toBeGreaterThan(13 * 86_400_000);
      expect((await amcState()).jobs).toEqual(['create']);

      await adminCall(sandbox, 'POST', `/amc/tables/${created.tables[0]!.id}/age`, { days: 15 });
      await handle.signal(dataChangedSignal, notice('after-age'));
      const refreshed = await until(handle, (s) => s.refreshes === 1 && s.stage === 'guarding');
      const beforeDelete = await amcState();
      await handle.executeUpdate(deleteTableUpdate, { args: [{ by: 'e2e', reason: 'test over' }] });
      return { handle, created, waiting, refreshed, beforeDelete, result: await handle.result() };
    });
    const counters = (await adminCall(sandbox, 'GET', '/counters')) as Counters;
    await adminCall(sandbox, 'PUT', '/faults', { rules: [] });

    // Every service was throttled and failed on purpose, and each resource was still created exactly once.
    for (const service of ['entityresolution', 'cleanrooms', 'amc']) expect(injected(counters, service), service).toBeGreaterThan(0);
    expect(Object.keys(counters).some((k) => k.endsWith(':throttle')) && Object.keys(counters).some((k) => k.endsWith(':serverError'))).toBe(true);
    expect(answered(counters, 'entityresolution:CreateSchemaMapping')).toBe(1);
    expect(answered(counters, 'entityresolution:CreateIdNamespace')).toBe(1);
    expect(answered(counters, 'cleanrooms:CreateIdNamespaceAssociation')).toBe(1);
    expect(answered(counters, 'amc:CreateCollaborationIdMappingTable')).toBe(1);
    expect(answered(counters, 'amc:RefreshCollaborationIdMappingTable')).toBe(1);

    expect(waiting.collaboration?.status).toBe('PENDING_ACCEPTANCE');
    // The Glue table: lowercase columns, the file's header, over the first generation.
    const glueTable = name.toLowerCase();
    const table = (await aws.glue.send(new GetTableCommand({ DatabaseName: 'amc_e2e', Name: glueTable }))).Table!;
    expect(table.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(COLLAPSED_COLUMNS);
    // The schema mapping of the same columns (numbered siblings share their type and match key, hashed) and the SOURCE namespace over it.
    const schema = await aws.entityResolution.send(new GetSchemaMappingCommand({ schemaName: `${name}_1` }));
    expect(schema.mappedInputFields?.map((f) => [f.fieldName, f.type, f.matchKey, f.hashed ?? false])).toEqual([
      ['customer_id', 'UNIQUE_ID', undefined, false],
      ...COLLAPSED_COLUMNS.slice(1, 22).map((c) => [c, 'EMAIL_ADDRESS', 'Email', true]),
      ...COLLAPSED_COLUMNS.slice(22).map((c) => [c, 'PHONE', 'Phone', true]),
    ]);
    const namespace = await aws.entityResolution.send(new GetIdNamespaceCommand({ idNamespaceName: name }));
    expect(namespace.type).toBe('SOURCE');
    expect(namespace.inputSourceConfig?.map((s) => s.schemaName)).toEqual([`${name}_1`]);
    // The Clean Rooms association in the collaboration's membership.
    const amc = (await adminCall(sandbox, 'GET', `/amc/instances/${instanceId}`)) as { collaboration: { membershipId: string } };
    const associations = await aws.cleanRooms.send(new ListIdNamespaceAssociationsCommand({ membershipIdentifier: amc.collaboration.membershipId }));
    expect(associations.idNamespaceAssociationSummaries?.filter((a) => a.inputReferenceConfig?.inputReferenceArn === namespace.idNamespaceArn)).toHaveLength(1);

    // Exactly one AMC table, whose create job SUCCEEDED, then exactly one refresh (after the backdating).
    expect(created.tables).toHaveLength(1);
    // c0's 30 rows (one person, written 30 times) became one row as duplicates; c4's 27 distinct rows collapsed into one.
    expect(created.lastInput?.counts).toMatchObject({ keys: 5, inputRows: 60, rowsOut: 5, duplicateRowsDropped: 29, collapsedKeys: 1, droppedValues: { email: 6 } });
    expect(created.lastJob).toMatchObject({ kind: 'create', status: 'SUCCEEDED' });
    expect(refreshed.lastJob).toMatchObject({ kind: 'refresh', status: 'SUCCEEDED' });
    expect(beforeDelete.tables.map((t) => t.id)).toEqual([created.tables[0]!.id]);
    expect(beforeDelete.jobs.sort()).toEqual(['create', 'refresh']);
    expect(result.tables).toEqual([expect.objectContaining({ id: created.tables[0]!.id })]);
    expect(result.refreshes).toBe(1);
    expect((await amcState()).tables).toEqual([]);

    // No identity value in the guard's history nor in its children's.
    const plain = new Client({ connection: env.connection });
    const runId = handle.firstExecutionRunId;
    const children = [1, 2].flatMap((seq) => {
      const where = generationLocations(amcIdMappingInputSchema.parse(input), `${runId.slice(0, 8)}-${seq}`);
      return [workflowIds.prepareIdentityData(where.prepared), workflowIds.groupByKey(where.work)];
    });
    const histories = await Promise.all([workflowId, ...children].map(async (id) => historyText(await plain.workflow.getHandle(id).fetchHistory())));
    expect(histories[0]).toContain(`"uniqueId":"Customer_ID"`);
    for (const history of histories) for (const value of VALUES) expect(history).not.toContain(value);
  });
});
