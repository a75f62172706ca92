import { GetTableCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { AMC_BUCKETS_INVALID, AMC_COLLABORATION_ENDED, CLEAN_ROOMS_RESOURCE_DRIFT } from '../../schemas/failures';
import { listObjects } from '../../storage/s3-objects';
import { activityFailureOf } from '../helpers/failures';
import { adminCall, useSandbox } from '../helpers/sandbox';

/** AMC ID mapping's AWS resources, made by the worker's own activities through the real SDK clients against the sandbox. */
const ctx = useSandbox();
const activities = () => createActivities(ctx.aws, undefined as never);
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);
const put = (bucket: string, key: string, body: string) => ctx.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

const ROLE = `arn:aws:iam::${SANDBOX_ACCOUNT}:role/amc-entity-resolution`;
const COLUMNS = ['customer_id', 'email', 'phone'];

async function membership(status = 'ACTIVE'): Promise<{ id: string; collaborationId: string }> {
  return ((await adminCall(ctx.sandbox, 'POST', '/clean-rooms/memberships', { status })) as { membership: { id: string; collaborationId: string } }).membership;
}

beforeEach(async () => {
  for (const Bucket of ['amc-data', 'amc-work', 'amc-results']) await ctx.aws.s3.send(new CreateBucketCommand({ Bucket }));
});

describe('AMC resources in the sandbox', () => {
  it('ensures Glue table, hashed schema mapping, SOURCE namespace and its Clean Rooms association, then finds them all unchanged', async () => {
    const a = activities();
    const { id: membershipId, collaborationId } = await membership();
    const ensureAll = async (generation: string) => {
      const table = await run(a.ensureGlueTable, { database: 'amc', table: 'customers', location: `s3://amc-data/customers/gen-${generation}/`, format: 'parquet', columns: COLUMNS, account: SANDBOX_ACCOUNT });
      const schema = await run(a.ensureSchemaMapping, {
        schemaName: 'amc_customers_1',
        mappedInputFields: [
          { fieldName: 'customer_id', type: 'UNIQUE_ID' },
          { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email', hashed: true },
          { fieldName: 'phone', type: 'PHONE', matchKey: 'Phone', hashed: true },
        ],
      });
      const namespace = await run(a.ensureIdNamespace, {
        spec: {
          idNamespaceName: 'amc_customers',
          type: 'SOURCE',
          inputSourceConfig: [{ inputSourceARN: table.arn, schemaName: 'amc_customers_1' }],
          idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }],
          roleArn: ROLE,
        },
        onDrift: 'fail',
      });
      const association = await run(a.ensureIdNamespaceAssociation, { membershipId, name: 'amc_customers', idNamespaceArn: namespace.arn });
      return { table, schema, namespace, association };
    };

    const first = await ensureAll('r1-1');
    expect([first.table, first.schema, first.namespace, first.association].map((r) => r.action)).toEqual(['created', 'created', 'created', 'created']);
    expect(first.association.collaborationId).toBe(collaborationId);

    const second = await ensureAll('r1-2');
    expect(second.table).toMatchObject({ action: 'updated', drift: [{ field: 'location', wanted: 's3://amc-data/customers/gen-r1-2/' }] });
    expect([second.schema, second.namespace, second.association].map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(second.association.id).toBe(first.association.id);
    const table = (await ctx.aws.glue.send(new GetTableCommand({ DatabaseName: 'amc', Name: 'customers' }))).Table!;
    expect(table.StorageDescriptor?.Columns?.map((c) => `${c.Name}:${c.Type}`)).toEqual(['customer_id:string', 'email:string', 'phone:string']);
    expect(table.Parameters).toMatchObject({ classification: 'parquet' });

    expect(await run(a.checkMembership, { membershipId, collaborationId })).toMatchObject({ status: 'ACTIVE', collaborationId });
  });

  it('refuses an association of that name over another namespace as CleanRoomsResourceDrift', async () => {
    const a = activities();
    const { id: membershipId } = await membership();
    const arns: string[] = [];
    for (const idNamespaceName of ['ns_one', 'ns_two']) {
      const spec = { idNamespaceName, type: 'SOURCE' as const, inputSourceConfig: [], idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED' as const, ruleBasedProperties: { ruleDefinitionTypes: ['TARGET' as const] } }] };
      arns.push((await run(a.ensureIdNamespace, { spec, onDrift: 'fail' })).arn);
    }
    await run(a.ensureIdNamespaceAssociation, { membershipId, name: 'amc', idNamespaceArn: arns[0]! });
    const failure = await activityFailureOf(run(a.ensureIdNamespaceAssociation, { membershipId, name: 'amc', idNamespaceArn: arns[1]! }));
    expect(failure.type).toBe(CLEAN_ROOMS_RESOURCE_DRIFT);
  });

  it('checks the prerequisites against the sandbox: buckets, the credentials secret, the membership', async () => {
    const a = activities();
    await ctx.aws.secrets.send(new CreateSecretCommand({ Name: 'amc-credentials', SecretString: JSON.stringify({ clientId: 'id', clientSecret: 'secret', refreshToken: 'token' }) }));
    const { id } = await membership();
    const input = { dataPrefix: 's3://amc-data/tables/', workPrefix: 's3://amc-work/w/', queryResultsBucket: 'amc-results', credentialsSecretId: 'amc-credentials', membershipId: id };
    expect(await run(a.checkAmcPrerequisites, input)).toMatchObject({ region: 'us-east-1', buckets: { 'amc-data': 'us-east-1', 'amc-work': 'us-east-1', 'amc-results': 'us-east-1' }, membership: { membershipId: id } });
    expect((await activityFailureOf(run(a.checkAmcPrerequisites, { ...input, queryResultsBucket: 'amc-absent' }))).type).toBe(AMC_BUCKETS_INVALID);
    const removed = await membership('REMOVED');
    expect((await activityFailureOf(run(a.checkAmcPrerequisites, { ...input, membershipId: removed.id }))).type).toBe(AMC_COLLABORATION_ENDED);
  });

  it('lists the input as a hash that changes when an object does, keeps the guard state, and prunes old generations', async () => {
    const a = activities();
    await put('amc-work', 'in/part-1.csv', 'id,email\n1,a\n');
    await put('amc-work', 'in/part-2.csv', 'id,email\n2,b\n');
    const before = await run(a.inputListing, { uri: 's3://amc-work/in/' });
    expect(before).toMatchObject({ objects: 2 });
    expect(await run(a.inputListing, { uri: 's3://amc-work/in/' })).toEqual(before);
    await put('amc-work', 'in/part-2.csv', 'id,email\n2,c\n');
    expect((await run(a.inputListing, { uri: 's3://amc-work/in/' })).hash).not.toBe(before.hash);
    expect(await run(a.inputListing, { uri: 's3://amc-work/in/part-1.csv' })).toMatchObject({ objects: 1 });

    expect(await run(a.readGuardState, { workPrefix: 's3://amc-work/w/' })).toEqual({ uri: 's3://amc-work/w/guard.json', state: null });
    await run(a.writeGuardState, { workPrefix: 's3://amc-work/w/', state: { lastRefreshAt: '2026-01-01T00:00:00.000Z', current: { id: 'r1-2' } } });
    expect((await run(a.readGuardState, { workPrefix: 's3://amc-work/w/' })).state).toEqual({ lastRefreshAt: '2026-01-01T00:00:00.000Z', current: { id: 'r1-2' } });

    for (const g of ['r1-1', 'r1-2', 'r1-3']) {
      await put('amc-data', `customers/gen-${g}/part-0.parquet`, 'x');
      await put('amc-work', `w/gen-${g}/manifest.json`, '{}');
    }
    const pruned = await run(a.pruneGenerations, { prefixes: ['s3://amc-data/customers/', 's3://amc-work/w/'], keep: ['r1-2', 'r1-3'] });
    expect(pruned).toEqual({ deleted: ['s3://amc-data/customers/gen-r1-1/', 's3://amc-work/w/gen-r1-1/'], objects: 2 });
    expect((await listObjects(ctx.aws.s3, 's3://amc-work/w/')).map((o) => o.key).sort()).toEqual(['w/gen-r1-2/manifest.json', 'w/gen-r1-3/manifest.json', 'w/guard.json']);

    await run(a.deleteGuardState, { workPrefix: 's3://amc-work/w/' });
    await run(a.deleteGuardState, { workPrefix: 's3://amc-work/w/' });
    expect(await run(a.readGuardState, { workPrefix: 's3://amc-work/w/' })).toEqual({ uri: 's3://amc-work/w/guard.json', state: null });
  });
});
