import { randomUUID } from 'node:crypto';
import { SandboxError, notFound } from '../../protocols/errors';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredIdNamespaceAssociation } from '../../state';
import { SANDBOX_ACCOUNT } from '../catalog';
import { epochSeconds } from '../entity-resolution/validation';
import { paginate } from '../paginate';
import { membershipOf } from './memberships';

const ID_NAMESPACE_ARN = /^arn:aws:entityresolution:([^:]+):(\d{12}):idnamespace\/([a-zA-Z_0-9-]+)$/;

const conflict = (message: string, resourceId: string) =>
  new SandboxError(409, 'ConflictException', message, { resourceId, resourceType: 'MEMBERSHIP', reason: 'ALREADY_EXISTS' });
// The model's ResourceType enum names no association or ID namespace; the membership they are looked up in is the closest it has.
const missing = (message: string, resourceId: string) => notFound(message, { resourceId, resourceType: 'MEMBERSHIP' });

/** ID namespace associations of a membership: an Entity Resolution ID namespace of this account made usable in the collaboration. */
export function idNamespaceAssociationRoutes(store: StateStore): RestJsonRoute[] {
  const activeMembership = (id: string) => {
    const membership = membershipOf(store, id);
    if (membership.status !== 'ACTIVE') throw missing(`Membership ${id} is ${membership.status}`, id);
    return membership;
  };
  const associationsOf = (membershipId: string) => Object.values(store.get().cleanRooms.idNamespaceAssociations).filter((a) => a.membershipId === membershipId);
  const associationOf = (membershipId: string, id: string) => {
    const found = store.get().cleanRooms.idNamespaceAssociations[id];
    if (!found || found.membershipId !== membershipId) throw missing(`ID namespace association ${id} not found in membership ${membershipId}`, id);
    return found;
  };
  /** The namespace the ARN names, in this account's Entity Resolution (the sandbox's), with the properties Clean Rooms reports of it. */
  const namespaceProperties = (arn: string, region: string) => {
    const match = ID_NAMESPACE_ARN.exec(arn);
    const namespace = match && match[1] === region && match[2] === SANDBOX_ACCOUNT ? store.get().entityResolution.idNamespaces[match[3]!] : undefined;
    if (!namespace || namespace.idNamespaceArn !== arn) throw missing(`ID namespace ${arn} not found in account ${SANDBOX_ACCOUNT}, ${region}`, arn);
    return { idNamespaceType: namespace.type as string, idMappingWorkflowsSupported: (namespace.idMappingWorkflowProperties as unknown[] | undefined) ?? [] };
  };
  const path = '/memberships/{membershipIdentifier}/idnamespaceassociations';
  return [
    {
      operation: 'CreateIdNamespaceAssociation',
      method: 'POST',
      path,
      handle: ({ params, body, region }) => {
        const membership = activeMembership(params.membershipIdentifier!);
        const inputReferenceConfig = body.inputReferenceConfig as { inputReferenceArn: string; manageResourcePolicies: boolean };
        const inputReferenceProperties = namespaceProperties(inputReferenceConfig.inputReferenceArn, region);
        const existing = associationsOf(membership.id);
        if (existing.some((a) => a.name === body.name)) throw conflict(`An ID namespace association named ${String(body.name)} already exists in membership ${membership.id}`, membership.id);
        const quota = store.get().cleanRooms.limits.idNamespaceAssociationsPerMembership;
        if (existing.length >= quota) {
          throw new SandboxError(402, 'ServiceQuotaExceededException', `Membership ${membership.id} has ${existing.length} ID namespace associations`, {
            quotaName: 'ID namespace associations per membership',
            quotaValue: quota,
          });
        }
        const id = randomUUID();
        const now = epochSeconds();
        const created: StoredIdNamespaceAssociation = {
          id,
          arn: `${membership.arn}/idnamespaceassociation/${id}`,
          membershipId: membership.id,
          membershipArn: membership.arn,
          collaborationId: membership.collaborationId,
          collaborationArn: membership.collaborationArn,
          name: body.name as string,
          ...(body.description === undefined ? {} : { description: body.description as string }),
          createTime: now,
          updateTime: now,
          inputReferenceConfig: { inputReferenceArn: inputReferenceConfig.inputReferenceArn, manageResourcePolicies: inputReferenceConfig.manageResourcePolicies },
          inputReferenceProperties,
          ...(body.idMappingConfig === undefined ? {} : { idMappingConfig: body.idMappingConfig as Record<string, unknown> }),
          tags: (body.tags as Record<string, string> | undefined) ?? {},
        };
        store.update((s) => (s.cleanRooms.idNamespaceAssociations[id] = created));
        return { idNamespaceAssociation: answer(created) };
      },
    },
    {
      operation: 'GetIdNamespaceAssociation',
      method: 'GET',
      path: `${path}/{idNamespaceAssociationIdentifier}`,
      handle: ({ params }) => {
        membershipOf(store, params.membershipIdentifier!);
        return { idNamespaceAssociation: answer(associationOf(params.membershipIdentifier!, params.idNamespaceAssociationIdentifier!)) };
      },
    },
    {
      operation: 'ListIdNamespaceAssociations',
      method: 'GET',
      path,
      handle: ({ params, query }) => {
        const membership = membershipOf(store, params.membershipIdentifier!);
        const all = associationsOf(membership.id)
          .sort((a, b) => a.createTime - b.createTime || a.id.localeCompare(b.id))
          .map(({ tags: _t, idMappingConfig: _c, inputReferenceProperties, ...summary }) => ({ ...summary, inputReferenceProperties: { idNamespaceType: inputReferenceProperties.idNamespaceType } }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'), 100);
        return { idNamespaceAssociationSummaries: page, nextToken };
      },
    },
    {
      operation: 'UpdateIdNamespaceAssociation',
      method: 'PATCH',
      path: `${path}/{idNamespaceAssociationIdentifier}`,
      handle: ({ params, body }) => {
        const current = associationOf(activeMembership(params.membershipIdentifier!).id, params.idNamespaceAssociationIdentifier!);
        const updated: StoredIdNamespaceAssociation = {
          ...current,
          ...(body.name === undefined ? {} : { name: body.name as string }),
          ...(body.description === undefined ? {} : { description: body.description as string }),
          ...(body.idMappingConfig === undefined ? {} : { idMappingConfig: body.idMappingConfig as Record<string, unknown> }),
          updateTime: epochSeconds(),
        };
        store.update((s) => (s.cleanRooms.idNamespaceAssociations[current.id] = updated));
        return { idNamespaceAssociation: answer(updated) };
      },
    },
    {
      operation: 'DeleteIdNamespaceAssociation',
      method: 'DELETE',
      path: `${path}/{idNamespaceAssociationIdentifier}`,
      handle: ({ params }) => {
        const current = associationOf(membershipOf(store, params.membershipIdentifier!).id, params.idNamespaceAssociationIdentifier!);
        store.update((s) => delete s.cleanRooms.idNamespaceAssociations[current.id]);
        return {};
      },
    },
  ];
}

/** The IdNamespaceAssociation shape has no tags (they are read with ListTagsForResource). */
const answer = ({ tags: _tags, ...association }: StoredIdNamespaceAssociation) => association;
