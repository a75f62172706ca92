import { CleanRoomsClient, GetMembershipCommand } from '@aws-sdk/client-cleanrooms';
import { CreateIdNamespaceCommand } from '@aws-sdk/client-entityresolution';
import { CreateDatabaseCommand, CreateTableCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { createAmcApiActivities, type AmcTarget } from '../../activities/amc-api';
import {
  AMC_COLLABORATION_PENDING,
  AMC_MAPPING_JOB_RUNNING,
  AMC_REFRESH_REFUSED,
  AMC_TABLE_LIMIT,
  AmcFailureType,
} from '../../schemas/failures';
import { createAmcPrerequisiteActivities } from '../../activities/amc-id-mapping/amc-prerequisites';
import { demoAmcConfig } from '../../scripts/demo-amc';
import { seedDemoAmc, seedDemoData } from '../../scripts/demo-data-seed';
import { activityFailureOf } from '../helpers/failures';
import { adminCall, useSandbox } from '../helpers/sandbox';

const ctx = useSandbox();

const ACCOUNT = '123456789012';
const CREDENTIALS = { clientId: 'amzn1.application-oa2-client.sandbox', clientSecret: 'sandbox-secret', refreshToken: 'Atzr|sandbox-refresh' };
const SECRET_ID = 'identity-test/amc-credentials';
const nsArn = (i: number) => `arn:aws:entityresolution:us-east-1:${ACCOUNT}:idnamespace/amc_ns_${i}`;

function target(overrides: Partial<AmcTarget> = {}): AmcTarget {
  return {
    baseUrl: ctx.sandbox.url,
    tokenUrl: `${ctx.sandbox.url}/auth/o2/token`,
    instanceId: 'amctest',
    advertiserId: 'ENTITYTEST',
    marketplaceId: 'ATVPDKIKX0DER',
    credentialsSecretId: SECRET_ID,
    ...overrides,
  };
}

/** The stand-in with credentials, the secret holding them, and an instance whose collaboration is ACTIVE with these namespaces. */
async function setUp(opts: { namespaces?: string[]; status?: string } = {}) {
  await adminCall(ctx.sandbox, 'PUT', '/amc/credentials', CREDENTIALS);
  await ctx.aws.secrets.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify(CREDENTIALS) }));
  await adminCall(ctx.sandbox, 'PUT', '/amc/instances/amctest', {
    advertiserId: 'ENTITYTEST',
    account: ACCOUNT,
    status: opts.status ?? 'ACTIVE',
    idNamespaces: opts.namespaces ?? [nsArn(1)],
  });
  await adminCall(ctx.sandbox, 'PUT', '/amc/job-durations', { queuedMs: 0, runningMs: 0 });
}

/** The real activities against the sandbox; `fetchFn` wraps Node's fetch when a test must lose an answer. */
const activities = (fetchFn: typeof fetch = fetch) => createAmcApiActivities({ secrets: ctx.aws.secrets, fetch: fetchFn });

const counters = async () => (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;

describe('AMC stand-in through the Ads API client', () => {
  it('a collaboration pending acceptance shows its link, then answers its ids once the customer accepts', async () => {
    await setUp({ status: 'PENDING_ACCEPTANCE' });
    const amc = activities();
    const pending = await activityFailureOf(amc.checkAmcCollaboration({ amc: target(), account: ACCOUNT }));
    expect(pending.type).toBe(AMC_COLLABORATION_PENDING);
    expect(pending.details?.[0]).toMatchObject({ status: 'PENDING_ACCEPTANCE', customerAcceptanceLink: expect.stringMatching(/^https:\/\//) as unknown });
    await adminCall(ctx.sandbox, 'POST', '/amc/instances/amctest/accept');
    const active = await amc.checkAmcCollaboration({ amc: target(), account: ACCOUNT });
    const instance = (await adminCall(ctx.sandbox, 'GET', '/amc/instances/amctest')) as { collaboration: { id: string; membershipId: string } };
    expect(active).toEqual({ status: 'ACTIVE', collaborationId: instance.collaboration.id, membershipId: instance.collaboration.membershipId });
    // The accepted invitation is the customer's Clean Rooms membership in that collaboration.
    const cleanRooms = new CleanRoomsClient({ region: 'us-east-1', endpoint: ctx.sandbox.url, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    const { membership } = await cleanRooms.send(new GetMembershipCommand({ membershipIdentifier: instance.collaboration.membershipId }));
    expect(membership).toMatchObject({ id: instance.collaboration.membershipId, collaborationId: instance.collaboration.id, status: 'ACTIVE' });
    cleanRooms.destroy();
  });

  it('creates the table exactly once when the create answer is lost: the retry adopts it by name', async () => {
    await setUp();
    let lose = true;
    const losingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = input instanceof Request ? input.url : input.toString();
      const isCreate = init?.method === 'POST' && url.endsWith('/collaboration/idmappingtables');
      if (isCreate && lose) {
        lose = false;
        throw new TypeError('fetch failed'); // the table exists; its answer never arrives
      }
      return res;
    };
    const amc = activities(losingFetch);
    const input = { amc: target(), name: 'customers', sourceIdNamespaceArn: nsArn(1) };
    const lost = await activityFailureOf(amc.findOrCreateAmcMappingTable(input));
    expect(lost.type).toBe(AmcFailureType.unavailable);
    expect(lost.nonRetryable).toBe(false);

    const retried = await amc.findOrCreateAmcMappingTable(input);
    expect(retried).toMatchObject({ created: false, table: { name: 'customers', sourceIdNamespaceArn: nsArn(1) }, job: { status: 'SUCCEEDED' } });
    expect((await amc.listAmcMappingTables({ amc: target() })).tables).toHaveLength(1);
    expect((await counters())['amc:CreateCollaborationIdMappingTable']).toBe(1);
    expect((await amc.listAmcNotConnectedNamespaces({ amc: target() })).namespaces).toEqual([]);
  });

  it('the same through the sandbox\'s lostResponse fault: the table is created, the answer dropped, the retry adopts it', async () => {
    await setUp();
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'amc', operation: 'CreateCollaborationIdMappingTable', lostResponse: 1 }] });
    const amc = activities();
    const input = { amc: target(), name: 'customers', sourceIdNamespaceArn: nsArn(1) };
    const lost = await activityFailureOf(amc.findOrCreateAmcMappingTable(input));
    expect(lost).toMatchObject({ type: AmcFailureType.unavailable, nonRetryable: false });
    expect(await counters()).toMatchObject({ 'amc:CreateCollaborationIdMappingTable': 1, 'amc:CreateCollaborationIdMappingTable:lostResponse': 1 });

    expect(await amc.findOrCreateAmcMappingTable(input)).toMatchObject({ created: false, table: { name: 'customers' } });
    expect((await amc.listAmcMappingTables({ amc: target() })).tables).toHaveLength(1);
    expect((await counters())['amc:CreateCollaborationIdMappingTable']).toBe(1);
  });

  it('refuses a 6th table before any create call; the stand-in itself refuses one past its limit', async () => {
    await setUp({ namespaces: [1, 2, 3, 4, 5, 6].map(nsArn) });
    const amc = activities();
    for (const i of [1, 2, 3, 4, 5]) {
      expect(await amc.findOrCreateAmcMappingTable({ amc: target(), name: `table_${i}`, sourceIdNamespaceArn: nsArn(i) })).toMatchObject({ created: true });
    }
    const refused = await activityFailureOf(amc.findOrCreateAmcMappingTable({ amc: target(), name: 'table_6', sourceIdNamespaceArn: nsArn(6) }));
    expect(refused.type).toBe(AMC_TABLE_LIMIT);
    expect(refused.nonRetryable).toBe(true);
    expect((await counters())['amc:CreateCollaborationIdMappingTable']).toBe(5);

    await adminCall(ctx.sandbox, 'PUT', '/amc/limits', { tablesPerInstance: 4 }); // the stand-in now has one table too many
    const { tables } = await amc.listAmcMappingTables({ amc: target() });
    await amc.deleteAmcMappingTable({ amc: target(), tableId: tables[0]!.id });
    const direct = await activityFailureOf(amc.findOrCreateAmcMappingTable({ amc: target(), name: 'table_1', sourceIdNamespaceArn: nsArn(1) }));
    expect(direct.type).toBe(AmcFailureType.invalidRequest);
    expect(direct.message).toContain('An instance can have up to 4 mapping tables');
  });

  it('refuses a refresh within 14 days of the last job, and accepts one after the table is backdated', async () => {
    await setUp();
    const amc = activities();
    const { table, job } = await amc.findOrCreateAmcMappingTable({ amc: target(), name: 'customers', sourceIdNamespaceArn: nsArn(1) });
    const created = (await amc.latestAmcMappingJob({ amc: target(), tableId: table.id })).job!;
    expect(created.jobId).toBe(job!.jobId);
    const notBefore = new Date(Date.parse(created.startedAt!) + 1).toISOString(); // decided after the create job started
    const refused = await activityFailureOf(amc.refreshAmcMappingTable({ amc: target(), tableId: table.id, notBefore }));
    expect(refused.type).toBe(AMC_REFRESH_REFUSED);
    expect(refused.details?.[0]).toMatchObject({ lastJobStartedAt: expect.any(String) as unknown, status: 400 });

    await adminCall(ctx.sandbox, 'POST', `/amc/tables/${table.id}/age`, { days: 15 });
    const started = await amc.refreshAmcMappingTable({ amc: target(), tableId: table.id, notBefore });
    expect(started.adopted).toBe(false);
    expect(await amc.refreshAmcMappingTable({ amc: target(), tableId: table.id, notBefore })).toEqual({ jobId: started.jobId, adopted: true });
    expect(await amc.checkAmcMappingJob({ amc: target(), tableId: table.id, jobId: started.jobId })).toMatchObject({ jobId: started.jobId, status: 'SUCCEEDED' });
    expect((await amc.latestAmcMappingJob({ amc: target(), tableId: table.id })).job?.jobId).toBe(started.jobId);
  });

  it('refuses a refresh when the namespace input is unchanged since the last job, even after 14 days', async () => {
    const s3 = ctx.aws.s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'amc-data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'amc-data', Key: 'customers/gen-1/part-0.csv', Body: 'customer_id,email\n1,a\n' }));
    await ctx.aws.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'amc_db' } }));
    await ctx.aws.glue.send(
      new CreateTableCommand({
        DatabaseName: 'amc_db',
        TableInput: { Name: 'customers', StorageDescriptor: { Location: 's3://amc-data/customers/', Columns: [{ Name: 'customer_id', Type: 'string' }] } },
      }),
    );
    const { idNamespaceArn } = await ctx.aws.entityResolution.send(
      new CreateIdNamespaceCommand({
        idNamespaceName: 'amc_input',
        type: 'SOURCE',
        inputSourceConfig: [{ inputSourceARN: `arn:aws:glue:us-east-1:${ACCOUNT}:table/amc_db/customers`, schemaName: 'amc_schema' }],
        idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }],
      }),
    );
    await setUp({ namespaces: [idNamespaceArn!] });
    const amc = activities();
    const { table } = await amc.findOrCreateAmcMappingTable({ amc: target(), name: 'customers', sourceIdNamespaceArn: idNamespaceArn! });
    await adminCall(ctx.sandbox, 'POST', `/amc/tables/${table.id}/age`, { days: 15 });
    const unchanged = await activityFailureOf(amc.refreshAmcMappingTable({ amc: target(), tableId: table.id, notBefore: new Date().toISOString() }));
    expect(unchanged.type).toBe(AMC_REFRESH_REFUSED);
    expect(unchanged.message).not.toContain('a@'); // no data in messages

    await s3.send(new PutObjectCommand({ Bucket: 'amc-data', Key: 'customers/gen-1/part-0.csv', Body: 'customer_id,email\n1,b\n' }));
    await expect(amc.refreshAmcMappingTable({ amc: target(), tableId: table.id, notBefore: new Date().toISOString() })).resolves.toMatchObject({ adopted: false });
  });

  it('a job still running is a benign poll failure', async () => {
    await setUp();
    await adminCall(ctx.sandbox, 'PUT', '/amc/job-durations', { queuedMs: 3_600_000 });
    const amc = activities();
    const { table, job } = await amc.findOrCreateAmcMappingTable({ amc: target(), name: 'customers', sourceIdNamespaceArn: nsArn(1) });
    const running = await activityFailureOf(amc.checkAmcMappingJob({ amc: target(), tableId: table.id, jobId: job!.jobId }));
    expect(running.type).toBe(AMC_MAPPING_JOB_RUNNING);
    expect(running.details?.[0]).toEqual({ status: 'QUEUED', unknown: false });
  });
});

describe('AMC stand-in: auth and faults', () => {
  it('an expired access token (401) is exchanged again once, and the call succeeds', async () => {
    await setUp();
    const amc = activities();
    await amc.listAmcMappingTables({ amc: target() });
    await adminCall(ctx.sandbox, 'POST', '/amc/tokens/expire');
    await expect(amc.listAmcMappingTables({ amc: target() })).resolves.toEqual({ tables: [] });
    const calls = await counters();
    expect(calls['amc:LwaToken']).toBe(2);
    expect(calls['amc:ListCollaborationIdMappingTables']).toBe(3);
  });

  it('a wrong advertiser is AmcForbidden naming the header; a revoked refresh token is AmcCredentialsRejected', async () => {
    await setUp();
    const forbidden = await activityFailureOf(activities().listAmcMappingTables({ amc: target({ advertiserId: 'SOMEONE_ELSE' }) }));
    expect(forbidden.type).toBe(AmcFailureType.forbidden);
    expect(forbidden.message).toContain('Amazon-Advertising-API-AdvertiserId');

    await adminCall(ctx.sandbox, 'PUT', '/amc/credentials', { revoke: true });
    const rejected = await activityFailureOf(activities().listAmcMappingTables({ amc: target() }));
    expect(rejected.type).toBe(AmcFailureType.credentialsRejected);
    expect(rejected.message).toContain(`refreshToken in secret ${SECRET_ID}`);
    expect(rejected.message).not.toContain(CREDENTIALS.refreshToken);
  });

  it('throttling injected through the fault rules is AmcThrottled, retried after Retry-After', async () => {
    await setUp();
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'amc', operation: 'GetCollaboration', throttle: 1 }] });
    const throttled = await activityFailureOf(activities().getAmcCollaboration({ amc: target(), account: ACCOUNT }));
    expect(throttled.type).toBe(AmcFailureType.throttled);
    expect(throttled.nextRetryDelay).toBe(1000);
  });

  it('admin-injected refusals answer the given status', async () => {
    await setUp();
    await adminCall(ctx.sandbox, 'PUT', '/amc/refusals', [{ operation: 'DeleteCollaborationIdMappingTable', status: 404 }]);
    await expect(activities().deleteAmcMappingTable({ amc: target(), tableId: 'gone' })).resolves.toEqual({ deleted: false });
  });
});

describe('demo seeding', () => {
  it('the demo’s AMC config (the sandbox example, pointed at this sandbox) passes the prerequisites and reaches the seeded instance: ACTIVE after two checks', async () => {
    await seedDemoData('us-east-1');
    const seeded = await seedDemoAmc('us-east-1', ctx.sandbox.url);
    expect(await seedDemoAmc('us-east-1', ctx.sandbox.url)).toEqual(seeded);
    const config = demoAmcConfig(ctx.sandbox.url);
    expect([config.amc.instanceId, config.amc.credentialsSecretId]).toEqual([seeded.instanceId, seeded.secretId]);
    const { checkAmcPrerequisites } = createAmcPrerequisiteActivities(ctx.aws);
    const checked = await checkAmcPrerequisites({
      dataPrefix: config.output.dataPrefix,
      workPrefix: config.output.workPrefix,
      queryResultsBucket: config.queryResultsBucket,
      credentialsSecretId: config.amc.credentialsSecretId,
    });
    expect(Object.keys(checked.buckets).sort()).toEqual(['identity-demo', 'identity-demo-amc-results']);
    const amc = activities();
    for (const _ of [1, 2]) expect((await activityFailureOf(amc.checkAmcCollaboration({ amc: config.amc, account: config.account }))).type).toBe(AMC_COLLABORATION_PENDING);
    expect(await amc.checkAmcCollaboration({ amc: config.amc, account: config.account })).toMatchObject({ status: 'ACTIVE', membershipId: expect.any(String) as unknown });
  });
});
