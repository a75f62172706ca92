import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { AMC_COLLABORATION_ENDED, AMC_COLLABORATION_MEMBERSHIP_UNKNOWN, AMC_COLLABORATION_PENDING } from '../../schemas/failures';
import { amcCall, type AmcHttpDeps } from './amc-http';
import { COLLABORATION_ENDED_STATUSES, readCollaboration, type AmcCollaboration } from './amc-shapes';
import type { AmcTarget } from './amc-target';

export interface AmcCollaborationInput {
  amc: AmcTarget;
  /** The AWS account that owns the namespace: its member of the collaboration holds the Clean Rooms membership. */
  account: string;
  /** The config's cleanRooms.membershipId, used when no member of the collaboration is `account`. */
  membershipId?: string;
}

export interface AmcCollaborationState {
  collaborationId?: string;
  status: string;
  customerAcceptanceLink?: string;
  membershipId?: string;
}

export interface AmcActiveCollaboration {
  collaborationId: string;
  membershipId: string;
  status: 'ACTIVE';
}

export function createAmcCollaborationActivities(http: AmcHttpDeps) {
  const read = async (input: AmcCollaborationInput): Promise<AmcCollaborationState> => {
    const collaboration = readCollaboration(await amcCall(http, input.amc, { operation: 'GetCollaboration', method: 'GET', path: '/collaboration' }));
    if ((COLLABORATION_ENDED_STATUSES as readonly string[]).includes(collaboration.status)) {
      throw ApplicationFailure.create({
        type: AMC_COLLABORATION_ENDED,
        nonRetryable: true,
        message: `the AMC collaboration of instance ${input.amc.instanceId} is ${collaboration.status}: ask your Amazon Ads contact for a new collaboration, then start again`,
      });
    }
    return {
      collaborationId: collaboration.id,
      status: collaboration.status,
      customerAcceptanceLink: collaboration.customerAcceptanceLink,
      membershipId: membershipOf(collaboration, input),
    };
  };

  return {
    /** The collaboration as it is now (any status but REJECTED / DELETED, which fail). */
    async getAmcCollaboration(input: AmcCollaborationInput): Promise<AmcCollaborationState> {
      return read(input);
    },

    /** A poll: ACTIVE answers the ids; a collaboration still waiting fails benign (the retry policy waits). */
    async checkAmcCollaboration(input: AmcCollaborationInput): Promise<AmcActiveCollaboration> {
      const state = await read(input);
      if (state.status !== 'ACTIVE') {
        throw ApplicationFailure.create({
          type: AMC_COLLABORATION_PENDING,
          category: ApplicationFailureCategory.BENIGN,
          message: `the AMC collaboration of instance ${input.amc.instanceId} is ${state.status}${state.customerAcceptanceLink ? ': the customer accepts it at its customerAcceptanceLink' : ''}`,
          details: [{ status: state.status, customerAcceptanceLink: state.customerAcceptanceLink }],
        });
      }
      if (!state.collaborationId || !state.membershipId) {
        throw ApplicationFailure.create({
          type: AMC_COLLABORATION_MEMBERSHIP_UNKNOWN,
          nonRetryable: true,
          message: state.collaborationId
            ? `no member of the AMC collaboration of instance ${input.amc.instanceId} is account ${input.account}: set cleanRooms.membershipId in the config`
            : `the AMC collaboration of instance ${input.amc.instanceId} is ACTIVE but names no id`,
        });
      }
      return { collaborationId: state.collaborationId, membershipId: state.membershipId, status: 'ACTIVE' };
    },
  };
}

function membershipOf(collaboration: AmcCollaboration, input: AmcCollaborationInput): string | undefined {
  return collaboration.members.find((m) => m.accountId === input.account && m.membershipId)?.membershipId ?? input.membershipId;
}
