import { addMembership } from '../services/clean-rooms/memberships';
import type { StateStore } from '../state';
import { amcStateOf, type AmcInstance } from './amc-state';

/** The AMC account that creates every collaboration in the stand-in: Amazon's, never the customer's (whose member is found by its account). */
const AMC_CREATOR_ACCOUNT = '210987654321';

/**
 * `GET /amc/instances/{id}/collaboration`. A scheduled status change (admin `afterChecks`) takes effect
 * after that many reads, as a customer accepting the invitation between two checks would.
 */
export function getCollaboration(store: StateStore, instance: AmcInstance): Record<string, unknown> {
  const collaboration = store.update((s) => {
    const c = amcStateOf(s).instances[instance.instanceId]!.collaboration;
    if (c.afterChecks !== undefined) {
      if (c.afterChecks <= 0) {
        c.status = c.next ?? 'ACTIVE';
        delete c.afterChecks;
        delete c.next;
      } else c.afterChecks -= 1;
    }
    return { ...c };
  });
  const active = collaboration.status === 'ACTIVE';
  // The customer's accepted invitation is its Clean Rooms membership: GetMembership answers for it from now on.
  if (active && !store.get().cleanRooms.memberships[collaboration.membershipId]) {
    addMembership(store, { id: collaboration.membershipId, region: 'us-east-1', collaborationId: collaboration.id, collaborationName: collaboration.name, creatorAccountId: AMC_CREATOR_ACCOUNT });
  }
  return {
    id: collaboration.id,
    name: collaboration.name,
    description: `AMC collaboration of instance ${instance.instanceId}`,
    customerAcceptanceLink: collaboration.customerAcceptanceLink,
    status: collaboration.status,
    creator: { description: 'creator', accountId: AMC_CREATOR_ACCOUNT, membershipId: `${collaboration.id}-creator`, displayName: 'Amazon Marketing Cloud', status: 'ACTIVE' },
    customer: {
      description: 'customer',
      accountId: instance.account,
      membershipId: collaboration.membershipId,
      displayName: 'customer',
      status: active ? 'ACTIVE' : 'INVITED',
    },
  };
}
