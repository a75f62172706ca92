import { ApplicationFailure } from '@temporalio/common';
import {
  CreateIdNamespaceAssociationCommand,
  GetIdNamespaceAssociationCommand,
  GetMembershipCommand,
  UpdateIdNamespaceAssociationCommand,
  paginateListIdNamespaceAssociations,
  type CleanRoomsClient,
  type IdNamespaceAssociation,
  type IdNamespaceAssociationSummary,
} from '@aws-sdk/client-cleanrooms';
import type { EnsuredResource } from '../../schemas/ensured-resource';
import { AMC_COLLABORATION_ENDED, AMC_COLLABORATION_MEMBERSHIP_UNKNOWN, CLEAN_ROOMS_RESOURCE_DRIFT } from '../../schemas/failures';
import { cleanRoomsErrors } from '../support/existing-or-created';
import { describeDrift, diffResource } from '../support/resource-drift';

export interface IdNamespaceAssociationSpec {
  membershipId: string;
  /** 1–100 characters, unique in the membership. */
  name: string;
  description?: string;
  idNamespaceArn: string;
  /** Clean Rooms adds the namespace's resource policy statements itself (default true). */
  manageResourcePolicies?: boolean;
}

export interface EnsuredAssociation extends EnsuredResource {
  id: string;
  collaborationId: string;
}

export interface CheckedMembership {
  membershipId: string;
  membershipArn: string;
  collaborationId: string;
  collaborationName: string;
  status: 'ACTIVE';
}

export function createCleanRoomsActivities({ cleanRooms }: { cleanRooms: CleanRoomsClient }) {
  /** Clean Rooms has no get-by-name: the membership's associations, listed, matched by name, else by namespace ARN. */
  async function findAssociation(spec: IdNamespaceAssociationSpec): Promise<IdNamespaceAssociationSummary | undefined> {
    let byArn: IdNamespaceAssociationSummary | undefined;
    for await (const page of paginateListIdNamespaceAssociations({ client: cleanRooms }, { membershipIdentifier: spec.membershipId })) {
      for (const summary of page.idNamespaceAssociationSummaries ?? []) {
        if (summary.name === spec.name) return summary;
        if (summary.inputReferenceConfig?.inputReferenceArn === spec.idNamespaceArn) byArn ??= summary;
      }
    }
    return byArn;
  }

  async function createOrAdopt(spec: IdNamespaceAssociationSpec, manageResourcePolicies: boolean): Promise<{ created: IdNamespaceAssociation } | { existing: IdNamespaceAssociationSummary }> {
    const found = await findAssociation(spec);
    if (found) return { existing: found };
    try {
      const created = await cleanRooms.send(
        new CreateIdNamespaceAssociationCommand({
          membershipIdentifier: spec.membershipId,
          name: spec.name,
          description: spec.description,
          inputReferenceConfig: { inputReferenceArn: spec.idNamespaceArn, manageResourcePolicies },
        }),
      );
      return { created: created.idNamespaceAssociation! };
    } catch (err) {
      // A concurrent run, or an earlier attempt whose response was lost: compare what is there instead of creating twice.
      const raced = cleanRoomsErrors.exists(err) ? await findAssociation(spec) : undefined;
      if (!raced) throw err;
      return { existing: raced };
    }
  }

  /**
   * Ensures the association that makes the ID namespace usable in the AMC collaboration (Amazon Ads, "Amazon Marketing
   * Cloud - AWS Clean Rooms" Step 3). Found by name or else by namespace ARN; a different name or description is
   * updated; a different namespace or managed-policies flag cannot be (Clean Rooms offers no update of them) and fails.
   */
  async function ensureIdNamespaceAssociation(spec: IdNamespaceAssociationSpec): Promise<EnsuredAssociation> {
    const manageResourcePolicies = spec.manageResourcePolicies ?? true;
    const found = await createOrAdopt(spec, manageResourcePolicies);
    if ('created' in found) {
      const { arn = '', id = '', collaborationId = '' } = found.created;
      return { name: spec.name, arn, id, collaborationId, action: 'created', drift: [] };
    }
    const ids = { membershipIdentifier: spec.membershipId, idNamespaceAssociationIdentifier: found.existing.id! };
    const current = (await cleanRooms.send(new GetIdNamespaceAssociationCommand(ids))).idNamespaceAssociation!;
    const result = { name: spec.name, arn: current.arn ?? '', id: current.id ?? '', collaborationId: current.collaborationId ?? '' };
    const fixed = diffResource(
      { inputReferenceArn: current.inputReferenceConfig?.inputReferenceArn ?? '', manageResourcePolicies: current.inputReferenceConfig?.manageResourcePolicies ?? false },
      { inputReferenceArn: spec.idNamespaceArn, manageResourcePolicies },
    );
    const changeable = diffResource({ name: current.name ?? '', description: current.description ?? '' }, { name: spec.name, description: spec.description ?? '' });
    if (fixed.length > 0) {
      throw ApplicationFailure.create({
        type: CLEAN_ROOMS_RESOURCE_DRIFT,
        message:
          `ID namespace association ${current.name} (${current.id}) in membership ${spec.membershipId} exists with a different configuration (${describeDrift(fixed)}), ` +
          'which Clean Rooms cannot update: delete that association, or choose another cleanRooms.associationName.',
        nonRetryable: true,
        details: [{ drift: [...fixed, ...changeable] }],
      });
    }
    if (changeable.length === 0) return { ...result, action: 'unchanged', drift: [] };
    await cleanRooms.send(new UpdateIdNamespaceAssociationCommand({ ...ids, name: spec.name, description: spec.description ?? '' }));
    return { ...result, action: 'updated', drift: changeable };
  }

  /** The membership is ACTIVE and, when the collaboration is known (from AMC), in that collaboration. */
  async function checkMembership(input: { membershipId: string; collaborationId?: string }): Promise<CheckedMembership> {
    const membership = (await cleanRooms.send(new GetMembershipCommand({ membershipIdentifier: input.membershipId }))).membership!;
    if (membership.status !== 'ACTIVE') {
      throw ApplicationFailure.create({
        type: AMC_COLLABORATION_ENDED,
        message: `Clean Rooms membership ${input.membershipId} is ${membership.status} (collaboration ${membership.collaborationId}): AMC can no longer read this account's ID namespaces through it. Ask Amazon Ads for a new collaboration.`,
        nonRetryable: true,
        details: [{ membershipId: input.membershipId, status: membership.status, collaborationId: membership.collaborationId }],
      });
    }
    if (input.collaborationId !== undefined && membership.collaborationId !== input.collaborationId) {
      throw ApplicationFailure.create({
        type: AMC_COLLABORATION_MEMBERSHIP_UNKNOWN,
        message: `Clean Rooms membership ${input.membershipId} belongs to collaboration ${membership.collaborationId}, not to the AMC instance's ${input.collaborationId}: check cleanRooms.membershipId`,
        nonRetryable: true,
      });
    }
    return {
      membershipId: membership.id!,
      membershipArn: membership.arn!,
      collaborationId: membership.collaborationId!,
      collaborationName: membership.collaborationName!,
      status: 'ACTIVE',
    };
  }

  return { ensureIdNamespaceAssociation, checkMembership };
}
