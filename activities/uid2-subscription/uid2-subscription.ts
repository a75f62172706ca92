import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { DataExchangeClient, GetAssetCommand, GetDataSetCommand, paginateListDataSets } from '@aws-sdk/client-dataexchange';
import { EntityResolutionClient, GetProviderServiceCommand, paginateListProviderServices, type ProviderServiceSummary } from '@aws-sdk/client-entityresolution';
import { UID2_PROVIDER_NOT_FOUND, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { behindSchedule, type PollSchedule } from '../../schemas/poll-schedule';
import type { Uid2MarketplaceConfiguration, Uid2ProviderService } from '../../schemas/uid2-subscription-approval';

export interface Uid2SubscriptionDeps {
  entityResolution: EntityResolutionClient;
  dataExchange: DataExchangeClient;
}


export interface EntitlementCheck {
  dataSetId: string;
  dataSetArn?: string;
  checkedAt: string;
  /** The attempt of the polling activity that returned: the number of checks in this round. */
  attempt: number;
  /** Not entitled yet, but the round ends here because its checks fell behind its schedule. */
  pending?: true;
}

const normalise = (text: string | undefined) => (text ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
const UID2_ALIASES = ['uid2', 'unifiedid20', 'unifiedid2'];

function matchesProvider(summary: ProviderServiceSummary, wanted: string): boolean {
  const names = [summary.providerName, summary.providerServiceDisplayName, summary.providerServiceName].map(normalise);
  const needles = normalise(wanted) === 'uid2' ? UID2_ALIASES : [normalise(wanted)];
  return names.some((name) => needles.some((needle) => name.includes(needle)));
}

/**
 * The entitled data set's ARN ('' when the service gives none), or undefined while the subscription is
 * not approved. GetDataSet works on the provider's data set id once approved; before, it is not found
 * or denied. ListDataSets with origin ENTITLED is the authority; its errors (AccessDenied included)
 * surface to the caller.
 */
export async function uid2EntitlementArn(dataExchange: DataExchangeClient, dataSetId: string): Promise<string | undefined> {
  try {
    const dataSet = await dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }));
    if (dataSet.Origin === 'ENTITLED') return dataSet.Arn ?? '';
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'ResourceNotFoundException' && name !== 'AccessDeniedException') throw err;
  }
  for await (const page of paginateListDataSets({ client: dataExchange }, { Origin: 'ENTITLED' })) {
    const hit = page.DataSets?.find((d) => d.Id === dataSetId || d.SourceId === dataSetId);
    if (hit) return hit.Arn ?? '';
  }
  return undefined;
}

export function createUid2SubscriptionActivities({ entityResolution, dataExchange }: Uid2SubscriptionDeps) {
  /** Finds the UID2 assignment provider service at run time (no public source prints its ARN) and its Data Exchange listing. */
  async function findUid2ProviderService(input: { providerName: string; providerServiceName?: string }): Promise<Uid2ProviderService> {
    const assignment: ProviderServiceSummary[] = [];
    for await (const page of paginateListProviderServices({ client: entityResolution }, {})) {
      assignment.push(...(page.providerServiceSummaries ?? []).filter((s) => s.providerServiceType === 'ASSIGNMENT'));
    }
    const candidates = assignment.filter((s) => matchesProvider(s, input.providerName));
    const chosen = input.providerServiceName ? candidates.filter((c) => c.providerServiceName === input.providerServiceName) : candidates;
    const names = (list: ProviderServiceSummary[]) => list.map((c) => `${c.providerName}/${c.providerServiceName}`).join(', ') || 'none';
    const listed = candidates.length > 0 ? `matching: ${names(candidates)}` : `assignment services in this region: ${names(assignment)}`;
    if (chosen.length !== 1) {
      throw ApplicationFailure.nonRetryable(
        chosen.length === 0
          ? `No Entity Resolution ASSIGNMENT provider service matches "${input.providerName}"${input.providerServiceName ? ` with service name ${input.providerServiceName}` : ''} (${listed}). Check the region: UID2 is offered where Entity Resolution lists it.`
          : `${chosen.length} provider services match "${input.providerName}" (${names(chosen)}): set providerServiceName in the config to pick one.`,
        UID2_PROVIDER_NOT_FOUND,
      );
    }
    const summary = chosen[0]!;
    const service = await entityResolution.send(
      // The model (and the API reference) take the provider service's ARN in providerServiceName.
      new GetProviderServiceCommand({ providerName: summary.providerName, providerServiceName: summary.providerServiceArn }),
    );
    const endpoint = service.providerEndpointConfiguration;
    const marketplace = endpoint && 'marketplaceConfiguration' in endpoint ? endpoint.marketplaceConfiguration : undefined;
    if (!marketplace?.dataSetId || !marketplace.revisionId || !marketplace.assetId || !marketplace.listingId) {
      throw ApplicationFailure.nonRetryable(
        `Provider service ${summary.providerServiceArn} has no Data Exchange marketplace configuration: it is not a UID2 assignment service.`,
        UID2_PROVIDER_NOT_FOUND,
      );
    }
    return {
      providerServiceArn: service.providerServiceArn ?? summary.providerServiceArn ?? '',
      providerName: service.providerName ?? '',
      providerServiceName: service.providerServiceName ?? '',
      providerServiceDisplayName: service.providerServiceDisplayName ?? '',
      marketplace: {
        dataSetId: marketplace.dataSetId,
        revisionId: marketplace.revisionId,
        assetId: marketplace.assetId,
        listingId: marketplace.listingId,
      },
    };
  }

  /**
   * One entitlement check. Polled by the infrequent pattern: while the subscription is pending this
   * throws a benign retryable failure and the activity's retry policy waits before the next check.
   * With the round's `schedule`, a check that starts behind it ends the round instead (`pending`),
   * so the workflow counts the checks made and starts a round on a fresh schedule.
   */
  async function checkUid2Entitlement(input: { dataSetId: string; schedule?: PollSchedule }): Promise<EntitlementCheck> {
    const { attempt, currentAttemptScheduledTimestampMs } = Context.current().info;
    // When the server made this attempt due, or this worker's clock when later (no worker was polling then).
    const startedMs = Math.max(Date.now(), currentAttemptScheduledTimestampMs);
    const entitled = await uid2EntitlementArn(dataExchange, input.dataSetId);
    if (entitled === undefined) {
      // Never the first check of a round: a round that starts late would end at once, and the next one too.
      if (input.schedule && attempt > 1 && behindSchedule(input.schedule, attempt, startedMs)) {
        return { dataSetId: input.dataSetId, checkedAt: new Date().toISOString(), attempt, pending: true };
      }
      throw ApplicationFailure.create({
        type: UID2_SUBSCRIPTION_PENDING,
        message: `Data Exchange data set ${input.dataSetId} is not entitled yet (check ${attempt}); waiting for the UID2 team to approve the subscription`,
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    return { dataSetId: input.dataSetId, dataSetArn: entitled || undefined, checkedAt: new Date().toISOString(), attempt };
  }

  /** The API asset the Entity Resolution role must be allowed to call (`dataexchange:SendApiAsset`). */
  async function resolveUid2ApiAsset(input: Uid2MarketplaceConfiguration): Promise<{ assetArn: string; source: 'GetAsset' | 'derived' }> {
    try {
      const asset = await dataExchange.send(
        new GetAssetCommand({ DataSetId: input.dataSetId, RevisionId: input.revisionId, AssetId: input.assetId }),
      );
      if (asset.Arn) return { assetArn: asset.Arn, source: 'GetAsset' };
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'ResourceNotFoundException' && name !== 'AccessDeniedException') throw err;
    }
    // The asset lives in the provider's account, which no API tells the subscriber before entitlement.
    const region = await dataExchange.config.region();
    return {
      assetArn: `arn:aws:dataexchange:${region}:*:data-sets/${input.dataSetId}/revisions/${input.revisionId}/assets/${input.assetId}`,
      source: 'derived',
    };
  }

  return { findUid2ProviderService, checkUid2Entitlement, resolveUid2ApiAsset };
}
