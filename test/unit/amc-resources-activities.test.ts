import {
  CleanRoomsClient,
  ConflictException,
  CreateIdNamespaceAssociationCommand,
  GetIdNamespaceAssociationCommand,
  GetMembershipCommand,
  ListIdNamespaceAssociationsCommand,
  UpdateIdNamespaceAssociationCommand,
} from '@aws-sdk/client-cleanrooms';
import {
  CreateIdNamespaceCommand,
  EntityResolutionClient,
  GetIdNamespaceCommand,
  ResourceNotFoundException,
  UpdateIdNamespaceCommand,
} from '@aws-sdk/client-entityresolution';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand, EntityNotFoundException } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createCleanRoomsActivities, type IdNamespaceAssociationSpec } from '../../activities/clean-rooms/clean-rooms';
import { createIdNamespaceActivities, type IdNamespaceSpec } from '../../activities/entity-resolution/entity-resolution-namespaces';
import { createGlueTableActivities } from '../../activities/glue-tables';
import { AMC_COLLABORATION_ENDED, AMC_COLLABORATION_MEMBERSHIP_UNKNOWN, CLEAN_ROOMS_RESOURCE_DRIFT, ER_RESOURCE_DRIFT, INPUT_TABLE_INVALID } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const glueClient = new GlueClient(config);
const entityResolution = new EntityResolutionClient(config);
const cleanRoomsClient = new CleanRoomsClient(config);
const glue = mockClient(glueClient);
const er = mockClient(entityResolution);
const cr = mockClient(cleanRoomsClient);
const meta = { $metadata: {} };
const activities = withAwsFailureMapping({
  ...createGlueTableActivities({ glue: glueClient, s3: new S3Client(config) }),
  ...createIdNamespaceActivities({ entityResolution }),
  ...createCleanRoomsActivities({ cleanRooms: cleanRoomsClient }),
});

beforeEach(() => {
  glue.reset();
  er.reset();
  cr.reset();
});

describe('ensureGlueTable', () => {
  const spec = { database: 'amc', table: 'customers', location: 's3://data/customers/gen-a-1', format: 'parquet' as const, columns: ['customer_id', 'email', 'phone'], account: '123456789012' };

  it('creates a Parquet table of string columns at the generation (as a prefix), no partitions, and the database when missing', async () => {
    glue.on(CreateDatabaseCommand).resolves({});
    glue.on(GetTableCommand).rejects(new EntityNotFoundException({ message: 'no', ...meta }));
    glue.on(CreateTableCommand).resolves({});
    expect(await activities.ensureGlueTable(spec)).toEqual({ name: 'amc.customers', arn: 'arn:aws:glue:us-east-1:123456789012:table/amc/customers', action: 'created', drift: [] });
    const table = glue.commandCalls(CreateTableCommand)[0]!.args[0].input.TableInput!;
    expect(table).toMatchObject({
      Name: 'customers',
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet' },
      StorageDescriptor: {
        Location: 's3://data/customers/gen-a-1/',
        Columns: [
          { Name: 'customer_id', Type: 'string' },
          { Name: 'email', Type: 'string' },
          { Name: 'phone', Type: 'string' },
        ],
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    });
    expect(table.PartitionKeys).toBeUndefined();
  });

  it('publishes a new generation as an update of the location, reporting what changed; an equal table is unchanged', async () => {
    glue.on(CreateDatabaseCommand).resolves({});
    const csv = { ...spec, format: 'csv' as const };
    glue.on(GetTableCommand).resolves({
      Table: {
        Name: 'customers',
        DatabaseName: 'amc',
        Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
        StorageDescriptor: {
          Location: 's3://data/customers/gen-a-0/',
          Columns: spec.columns.map((Name) => ({ Name, Type: 'string' })),
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
        },
      },
    });
    glue.on(UpdateTableCommand).resolves({});
    expect(await activities.ensureGlueTable(csv)).toMatchObject({ action: 'updated', drift: [{ field: 'location', current: 's3://data/customers/gen-a-0/', wanted: 's3://data/customers/gen-a-1/' }] });
    expect(glue.commandCalls(UpdateTableCommand)[0]!.args[0].input.TableInput).toMatchObject({ Parameters: { classification: 'csv', 'skip.header.line.count': '1' } });

    expect(await activities.ensureGlueTable({ ...csv, location: 's3://data/customers/gen-a-0/' })).toMatchObject({ action: 'unchanged', drift: [] });
  });

  it('refuses an uppercase or repeated column before calling Glue', async () => {
    const upper = await activityFailureOf(activities.ensureGlueTable({ ...spec, columns: ['customer_id', 'Email'] }));
    expect(upper.type).toBe(INPUT_TABLE_INVALID);
    expect(upper.message).toContain('lowercase for AMC (Email)');
    expect((await activityFailureOf(activities.ensureGlueTable({ ...spec, columns: ['email', 'email'] }))).type).toBe(INPUT_TABLE_INVALID);
    expect(glue.calls()).toHaveLength(0);
  });
});

describe('ensureIdNamespace', () => {
  const spec: IdNamespaceSpec = {
    idNamespaceName: 'amc_customers',
    type: 'SOURCE',
    inputSourceConfig: [
      { inputSourceARN: 'arn:aws:glue:us-east-1:123456789012:table/amc/customers_2', schemaName: 'amc_customers_2' },
      { inputSourceARN: 'arn:aws:glue:us-east-1:123456789012:table/amc/customers_1', schemaName: 'amc_customers_1' },
    ],
    idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }],
    roleArn: 'arn:aws:iam::123456789012:role/amc-er',
  };
  const arn = 'arn:aws:entityresolution:us-east-1:123456789012:idnamespace/amc_customers';
  const existing = { ...spec, idNamespaceArn: arn, createdAt: new Date(), updatedAt: new Date() };

  it('creates a missing namespace, and finds one with its inputs in another order unchanged', async () => {
    er.on(GetIdNamespaceCommand).rejectsOnce(new ResourceNotFoundException({ message: 'no', ...meta })).resolves({ ...existing, inputSourceConfig: [...spec.inputSourceConfig].reverse() });
    er.on(CreateIdNamespaceCommand).resolves(existing);
    expect(await activities.ensureIdNamespace({ spec, onDrift: 'fail' })).toEqual({ name: 'amc_customers', arn, action: 'created', drift: [] });
    expect(await activities.ensureIdNamespace({ spec, onDrift: 'fail' })).toMatchObject({ action: 'unchanged' });
    expect(er.commandCalls(CreateIdNamespaceCommand)).toHaveLength(1);
  });

  it('updates a changed role (onDrift update), reports it (fail), and always fails on another type', async () => {
    er.on(GetIdNamespaceCommand).resolves({ ...existing, roleArn: 'arn:aws:iam::123456789012:role/old' });
    er.on(UpdateIdNamespaceCommand).resolves({});
    expect(await activities.ensureIdNamespace({ spec, onDrift: 'update' })).toMatchObject({ action: 'updated', drift: [{ field: 'roleArn' }] });
    expect(er.commandCalls(UpdateIdNamespaceCommand)[0]!.args[0].input).not.toHaveProperty('type');

    const refused = await activityFailureOf(activities.ensureIdNamespace({ spec, onDrift: 'fail' }));
    expect(refused.type).toBe(ER_RESOURCE_DRIFT);
    expect(refused.message).toContain('roleArn: arn:aws:iam::123456789012:role/old → arn:aws:iam::123456789012:role/amc-er');

    er.on(GetIdNamespaceCommand).resolves({ ...existing, type: 'TARGET' });
    const typed = await activityFailureOf(activities.ensureIdNamespace({ spec, onDrift: 'update' }));
    expect(typed.type).toBe(ER_RESOURCE_DRIFT);
    expect(typed.message).toContain("cannot change a namespace's type");
    expect(er.commandCalls(UpdateIdNamespaceCommand)).toHaveLength(1);
  });
});

describe('ensureIdNamespaceAssociation', () => {
  const membershipId = '6f1e2b3c-0000-4000-8000-000000000001';
  const nsArn = 'arn:aws:entityresolution:us-east-1:123456789012:idnamespace/amc_customers';
  const spec: IdNamespaceAssociationSpec = { membershipId, name: 'amc_customers', description: 'AMC ID mapping', idNamespaceArn: nsArn };
  const association = {
    id: 'a1b2c3d4-0000-4000-8000-000000000002',
    arn: `arn:aws:cleanrooms:us-east-1:123456789012:membership/${membershipId}/idnamespaceassociation/a1b2c3d4-0000-4000-8000-000000000002`,
    membershipId,
    collaborationId: 'c0c0c0c0-0000-4000-8000-000000000003',
    name: 'amc_customers',
    description: 'AMC ID mapping',
    inputReferenceConfig: { inputReferenceArn: nsArn, manageResourcePolicies: true },
  };

  it('creates one when the membership has none, with managed resource policies', async () => {
    cr.on(ListIdNamespaceAssociationsCommand).resolves({ idNamespaceAssociationSummaries: [] });
    cr.on(CreateIdNamespaceAssociationCommand).resolves({ idNamespaceAssociation: association as never });
    expect(await activities.ensureIdNamespaceAssociation(spec)).toEqual({ name: 'amc_customers', arn: association.arn, id: association.id, collaborationId: association.collaborationId, action: 'created', drift: [] });
    expect(cr.commandCalls(CreateIdNamespaceAssociationCommand)[0]!.args[0].input.inputReferenceConfig).toEqual({ inputReferenceArn: nsArn, manageResourcePolicies: true });
  });

  it('finds it by name on a later page, or by namespace ARN under another name (renamed), without creating', async () => {
    cr.on(ListIdNamespaceAssociationsCommand)
      .resolvesOnce({ idNamespaceAssociationSummaries: [{ ...association, id: 'other', name: 'other', inputReferenceConfig: { inputReferenceArn: `${nsArn}_x`, manageResourcePolicies: true } }] as never, nextToken: 't' })
      .resolves({ idNamespaceAssociationSummaries: [association as never] });
    cr.on(GetIdNamespaceAssociationCommand).resolves({ idNamespaceAssociation: association as never });
    expect(await activities.ensureIdNamespaceAssociation(spec)).toMatchObject({ action: 'unchanged', id: association.id });

    cr.reset();
    cr.on(ListIdNamespaceAssociationsCommand).resolves({ idNamespaceAssociationSummaries: [{ ...association, name: 'old-name' } as never] });
    cr.on(GetIdNamespaceAssociationCommand).resolves({ idNamespaceAssociation: { ...association, name: 'old-name' } as never });
    cr.on(UpdateIdNamespaceAssociationCommand).resolves({});
    expect(await activities.ensureIdNamespaceAssociation(spec)).toMatchObject({ action: 'updated', drift: [{ field: 'name', current: 'old-name', wanted: 'amc_customers' }] });
    expect(cr.commandCalls(CreateIdNamespaceAssociationCommand)).toHaveLength(0);
  });

  it('fails with CleanRoomsResourceDrift when the association of that name reads another namespace, without updating', async () => {
    cr.on(ListIdNamespaceAssociationsCommand).resolves({ idNamespaceAssociationSummaries: [association as never] });
    cr.on(GetIdNamespaceAssociationCommand).resolves({ idNamespaceAssociation: { ...association, inputReferenceConfig: { inputReferenceArn: `${nsArn}_old`, manageResourcePolicies: false } } as never });
    const failure = await activityFailureOf(activities.ensureIdNamespaceAssociation(spec));
    expect(failure.type).toBe(CLEAN_ROOMS_RESOURCE_DRIFT);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('choose another cleanRooms.associationName');
    expect(failure.message).toContain(`inputReferenceArn: ${nsArn}_old → ${nsArn}`);
    expect(cr.commandCalls(UpdateIdNamespaceAssociationCommand)).toHaveLength(0);
  });

  it('adopts the association a concurrent creation made (ConflictException) instead of failing', async () => {
    cr.on(ListIdNamespaceAssociationsCommand).resolvesOnce({ idNamespaceAssociationSummaries: [] }).resolves({ idNamespaceAssociationSummaries: [association as never] });
    cr.on(CreateIdNamespaceAssociationCommand).rejects(new ConflictException({ message: 'exists', reason: 'ALREADY_EXISTS', ...meta }));
    cr.on(GetIdNamespaceAssociationCommand).resolves({ idNamespaceAssociation: association as never });
    expect(await activities.ensureIdNamespaceAssociation(spec)).toMatchObject({ action: 'unchanged', id: association.id });
  });
});

describe('checkMembership', () => {
  const membership = { id: 'm1', arn: 'arn:m1', collaborationId: 'c1', collaborationName: 'AMC', status: 'ACTIVE' as const };

  it('answers an ACTIVE membership of the expected collaboration', async () => {
    cr.on(GetMembershipCommand).resolves({ membership: membership as never });
    expect(await activities.checkMembership({ membershipId: 'm1', collaborationId: 'c1' })).toEqual({ membershipId: 'm1', membershipArn: 'arn:m1', collaborationId: 'c1', collaborationName: 'AMC', status: 'ACTIVE' });
  });

  it('fails for good on a removed membership or another collaboration', async () => {
    cr.on(GetMembershipCommand).resolves({ membership: { ...membership, status: 'COLLABORATION_DELETED' } as never });
    expect((await activityFailureOf(activities.checkMembership({ membershipId: 'm1' }))).type).toBe(AMC_COLLABORATION_ENDED);
    cr.on(GetMembershipCommand).resolves({ membership: membership as never });
    const other = await activityFailureOf(activities.checkMembership({ membershipId: 'm1', collaborationId: 'c2' }));
    expect(other.type).toBe(AMC_COLLABORATION_MEMBERSHIP_UNKNOWN);
    expect(other.nonRetryable).toBe(true);
  });
});
