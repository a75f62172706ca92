import { randomUUID } from 'node:crypto';
import { notFound } from '../../protocols/errors';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredMembership } from '../../state';
import { SANDBOX_ACCOUNT } from '../catalog';
import { epochSeconds } from '../entity-resolution/validation';
import { paginate } from '../paginate';

export const MEMBERSHIP_STATUSES = ['ACTIVE', 'REMOVED', 'COLLABORATION_DELETED'] as const;
/** Clean Rooms' MemberAbility values. */
export const MEMBER_ABILITIES = ['CAN_QUERY', 'CAN_RECEIVE_RESULTS', 'CAN_RUN_JOB', 'CAN_EXPORT_QUERY_ANALYSIS_LOG'] as const;

export interface NewMembership {
  region: string;
  /** A UUID; a new one unless given (AMC's stand-in gives the id its collaboration announced). */
  id?: string;
  collaborationId?: string;
  collaborationName?: string;
  creatorAccountId?: string;
  creatorDisplayName?: string;
  status?: (typeof MEMBERSHIP_STATUSES)[number];
  /** What this member may do in the collaboration; none unless given (AMC's collaboration grants its customer none). */
  memberAbilities?: (typeof MEMBER_ABILITIES)[number][];
}

/** A membership of the sandbox account, as AMC's collaboration (or a test) makes it; ids are UUIDs, as the model's patterns need. */
export function addMembership(store: StateStore, spec: NewMembership): StoredMembership {
  const id = spec.id ?? randomUUID();
  const collaborationId = spec.collaborationId ?? randomUUID();
  const now = epochSeconds();
  const membership: StoredMembership = {
    id,
    arn: `arn:aws:cleanrooms:${spec.region}:${SANDBOX_ACCOUNT}:membership/${id}`,
    collaborationArn: `arn:aws:cleanrooms:${spec.region}:${spec.creatorAccountId ?? SANDBOX_ACCOUNT}:collaboration/${collaborationId}`,
    collaborationId,
    collaborationCreatorAccountId: spec.creatorAccountId ?? SANDBOX_ACCOUNT,
    collaborationCreatorDisplayName: spec.creatorDisplayName ?? 'Amazon Marketing Cloud',
    collaborationName: spec.collaborationName ?? `collaboration ${collaborationId.slice(0, 8)}`,
    createTime: now,
    updateTime: now,
    status: spec.status ?? 'ACTIVE',
    memberAbilities: [...(spec.memberAbilities ?? [])],
    queryLogStatus: 'DISABLED',
    paymentConfiguration: { queryCompute: { isResponsible: false } },
  };
  store.update((s) => (s.cleanRooms.memberships[id] = membership));
  return membership;
}

/** The membership the path names, or ResourceNotFoundException (resourceType MEMBERSHIP), as Clean Rooms answers. */
export function membershipOf(store: StateStore, id: string): StoredMembership {
  const found = store.get().cleanRooms.memberships[id];
  if (!found) throw notFound(`Membership ${id} not found`, { resourceId: id, resourceType: 'MEMBERSHIP' });
  return found;
}

export function membershipRoutes(store: StateStore): RestJsonRoute[] {
  return [
    { operation: 'GetMembership', method: 'GET', path: '/memberships/{membershipIdentifier}', handle: ({ params }) => ({ membership: membershipOf(store, params.membershipIdentifier!) }) },
    {
      operation: 'ListMemberships',
      method: 'GET',
      path: '/memberships',
      handle: ({ query }) => {
        const status = query.get('status');
        const all = Object.values(store.get().cleanRooms.memberships)
          .filter((m) => !status || m.status === status)
          .sort((a, b) => a.createTime - b.createTime || a.id.localeCompare(b.id))
          .map(({ queryLogStatus: _q, ...summary }) => summary);
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'), 100);
        return { membershipSummaries: page, nextToken };
      },
    },
  ];
}
