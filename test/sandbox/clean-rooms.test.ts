import {
  CleanRoomsClient,
  ConflictException,
  InternalServerException,
  CreateIdNamespaceAssociationCommand,
  DeleteIdNamespaceAssociationCommand,
  GetIdNamespaceAssociationCommand,
  GetMembershipCommand,
  ListMembershipsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  UpdateIdNamespaceAssociationCommand,
  ValidationException,
  paginateListIdNamespaceAssociations,
} from '@aws-sdk/client-cleanrooms';
import { CreateIdNamespaceCommand } from '@aws-sdk/client-entityresolution';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../sandbox/state';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { adminCall, useSandbox } from '../helpers/sandbox';

const ctx = useSandbox({ emulators: false });
const cleanRooms = () => ctx.aws.cleanRooms;

async function membership(body: Record<string, unknown> = {}): Promise<{ id: string; collaborationId: string; arn: string }> {
  const answer = (await adminCall(ctx.sandbox, 'POST', '/clean-rooms/memberships', body)) as { membership: { id: string; collaborationId: string; arn: string } };
  return answer.membership;
}

async function namespace(name: string, type: 'SOURCE' | 'TARGET' = 'SOURCE'): Promise<string> {
  const created = await ctx.aws.entityResolution.send(
    new CreateIdNamespaceCommand({ idNamespaceName: name, type, idMappingWorkflowProperties: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }] }),
  );
  return created.idNamespaceArn!;
}

const associate = (membershipIdentifier: string, name: string, inputReferenceArn: string) =>
  cleanRooms().send(new CreateIdNamespaceAssociationCommand({ membershipIdentifier, name, inputReferenceConfig: { inputReferenceArn, manageResourcePolicies: true } }));

describe('sandbox Clean Rooms: memberships', () => {
  it('answers GetMembership and ListMemberships for a membership the admin API made, and 404 with resourceId/resourceType for an unknown one', async () => {
    const m = await membership({ collaborationName: 'AMC collaboration' });
    const got = await cleanRooms().send(new GetMembershipCommand({ membershipIdentifier: m.id }));
    expect(got.membership).toMatchObject({ id: m.id, collaborationId: m.collaborationId, status: 'ACTIVE', collaborationName: 'AMC collaboration' });
    expect(got.membership!.createTime).toBeInstanceOf(Date);
    expect((await cleanRooms().send(new ListMembershipsCommand({}))).membershipSummaries!.map((s) => s.id)).toEqual([m.id]);
    expect((await cleanRooms().send(new ListMembershipsCommand({ status: 'REMOVED' }))).membershipSummaries).toEqual([]);

    const unknown = '00000000-0000-4000-8000-000000000000';
    const err = await cleanRooms().send(new GetMembershipCommand({ membershipIdentifier: unknown })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toMatchObject({ resourceId: unknown, resourceType: 'MEMBERSHIP', $metadata: { httpStatusCode: 404 } });
  });
});

describe('sandbox Clean Rooms: ID namespace associations', () => {
  it('creates, reads, updates, lists and deletes an association of a SOURCE namespace', async () => {
    const m = await membership();
    const arn = await namespace('amc-source');
    const created = (await associate(m.id, 'amc-association', arn)).idNamespaceAssociation!;
    expect(created).toMatchObject({
      membershipId: m.id,
      collaborationId: m.collaborationId,
      arn: `${m.arn}/idnamespaceassociation/${created.id}`,
      name: 'amc-association',
      inputReferenceConfig: { inputReferenceArn: arn, manageResourcePolicies: true },
      inputReferenceProperties: { idNamespaceType: 'SOURCE', idMappingWorkflowsSupported: [{ idMappingType: 'RULE_BASED', ruleBasedProperties: { ruleDefinitionTypes: ['TARGET'] } }] },
    });
    const ids = { membershipIdentifier: m.id, idNamespaceAssociationIdentifier: created.id! };
    expect((await cleanRooms().send(new GetIdNamespaceAssociationCommand(ids))).idNamespaceAssociation!.name).toBe('amc-association');

    const updated = await cleanRooms().send(new UpdateIdNamespaceAssociationCommand({ ...ids, description: 'AMC identities' }));
    expect(updated.idNamespaceAssociation).toMatchObject({ description: 'AMC identities', inputReferenceConfig: { inputReferenceArn: arn } });

    await cleanRooms().send(new DeleteIdNamespaceAssociationCommand(ids));
    const gone = await cleanRooms().send(new GetIdNamespaceAssociationCommand(ids)).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone).toMatchObject({ resourceId: created.id });
  });

  it('refuses a second association of the same name with 409 ConflictException ALREADY_EXISTS', async () => {
    const m = await membership();
    await associate(m.id, 'same', await namespace('one'));
    const err = await associate(m.id, 'same', await namespace('two')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictException);
    expect(err).toMatchObject({ reason: 'ALREADY_EXISTS', $metadata: { httpStatusCode: 409 } });
  });

  it('answers 404 naming the namespace for an ARN no namespace of the account has, and for an unknown membership', async () => {
    const m = await membership();
    const absent = `arn:aws:entityresolution:us-east-1:${SANDBOX_ACCOUNT}:idnamespace/absent`;
    const err = await associate(m.id, 'a', absent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toMatchObject({ resourceId: absent, resourceType: 'MEMBERSHIP' });
    const noMembership = await associate('11111111-1111-4111-8111-111111111111', 'a', await namespace('ns')).catch((e: unknown) => e);
    expect(noMembership).toMatchObject({ name: 'ResourceNotFoundException', resourceType: 'MEMBERSHIP' });
  });

  it('refuses an association once the membership was removed', async () => {
    const m = await membership({ status: 'REMOVED' });
    const err = await associate(m.id, 'a', await namespace('ns')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });

  it('holds the input to the model: a name over 100 characters is a ValidationException', async () => {
    const m = await membership();
    const err = await associate(m.id, 'n'.repeat(101), await namespace('ns')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
  });

  it('pages the associations and refuses one past the per-membership quota with 402 quotaName/quotaValue', async () => {
    const m = await membership();
    await adminCall(ctx.sandbox, 'PUT', '/clean-rooms/quotas', { idNamespaceAssociationsPerMembership: 3 });
    for (const i of [1, 2, 3]) await associate(m.id, `a${i}`, await namespace(`ns${i}`));
    const err = await associate(m.id, 'a4', await namespace('ns4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceQuotaExceededException);
    expect(err).toMatchObject({ quotaName: 'ID namespace associations per membership', quotaValue: 3, $metadata: { httpStatusCode: 402 } });

    const names: string[] = [];
    for await (const page of paginateListIdNamespaceAssociations({ client: cleanRooms(), pageSize: 1 }, { membershipIdentifier: m.id })) {
      expect(page.idNamespaceAssociationSummaries!.length).toBeLessThanOrEqual(1);
      names.push(...page.idNamespaceAssociationSummaries!.map((s) => s.name!));
    }
    expect(names.sort()).toEqual(['a1', 'a2', 'a3']);
  });
});

describe('sandbox Clean Rooms: faults', () => {
  it('injects a server error into a Clean Rooms operation named in a fault rule', async () => {
    const m = await membership();
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'cleanrooms', operation: 'GetMembership', serverError: 1 }] });
    const once = new CleanRoomsClient({ region: 'us-east-1', maxAttempts: 1 });
    const err = await once.send(new GetMembershipCommand({ membershipIdentifier: m.id })).catch((e: unknown) => e);
    once.destroy();
    expect(err).toBeInstanceOf(InternalServerException);
    expect(await adminCall(ctx.sandbox, 'GET', '/counters')).toMatchObject({ 'cleanrooms:GetMembership': 1, 'cleanrooms:GetMembership:serverError': 1 });
  });
});

describe('sandbox Clean Rooms: state', () => {
  it('loads a state file written before Clean Rooms with no memberships and the default quota', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    try {
      const file = join(dir, 'state.json');
      writeFileSync(file, JSON.stringify({ dataExchange: { entitled: [], entitleAfterChecks: {} }, entityResolution: { schemaMappings: {}, matchingWorkflows: {}, jobs: {}, idNamespaces: {} } }));
      expect(new StateStore(file).get().cleanRooms).toEqual({
        memberships: {},
        idNamespaceAssociations: {},
        limits: { idNamespaceAssociationsPerMembership: 10 },
        queries: {},
        querySources: [],
        queryDurations: { submittedMs: 500, runningMs: 1500 },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
