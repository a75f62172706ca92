import { PROVIDER_ACCOUNT, UID2_LISTING } from './catalog';
import { notFound, validation } from '../protocols/errors';
import { paginate } from './paginate';
import type { RestJsonRoute } from '../protocols/rest-json';
import type { StateStore } from '../state';

/**
 * AWS Data Exchange, subscriber side: the UID2 data set appears with origin ENTITLED once the
 * sandbox approves the subscription (admin API), as when the UID2 team approves it (UID2's AWS Entity Resolution Integration Guide, step 4).
 * Timestamps are ISO 8601, members PascalCase, as the service's REST-JSON model says.
 */
const CREATED_AT = '2024-03-01T00:00:00.000Z';

function dataSetEntry(region: string) {
  return {
    Arn: `arn:aws:dataexchange:${region}:${PROVIDER_ACCOUNT}:data-sets/${UID2_LISTING.dataSetId}`,
    AssetType: 'API_GATEWAY_API',
    CreatedAt: CREATED_AT,
    Description: 'Unified ID 2.0 Identity Resolution',
    Id: UID2_LISTING.dataSetId,
    Name: UID2_LISTING.dataSetName,
    Origin: 'ENTITLED',
    OriginDetails: { ProductId: UID2_LISTING.productId },
    UpdatedAt: CREATED_AT,
  };
}

export function dataExchangeRoutes(store: StateStore): RestJsonRoute[] {
  const entitled = (id: string) => store.get().dataExchange.entitled.includes(id);
  const requireEntitled = (id: string, resourceType: string, resourceId: string) => {
    if (!entitled(id)) throw notFound(`${resourceType === 'ASSET' ? 'Asset' : 'Data set'} ${resourceId} not found`, { ResourceId: resourceId, ResourceType: resourceType });
  };
  /** A scheduled approval: `remaining` more checks see the data set pending, the next one finds it entitled. */
  const countCheck = (id: string) => {
    const remaining = store.get().dataExchange.entitleAfterChecks[id];
    if (remaining === undefined) return;
    store.update((s) => {
      if (remaining > 0) {
        s.dataExchange.entitleAfterChecks[id] = remaining - 1;
        return;
      }
      delete s.dataExchange.entitleAfterChecks[id];
      if (!s.dataExchange.entitled.includes(id)) s.dataExchange.entitled.push(id);
    });
  };
  return [
    {
      operation: 'ListDataSets',
      method: 'GET',
      path: '/v1/data-sets',
      handle: ({ query, region }) => {
        const origin = query.get('origin') ?? 'OWNED';
        if (origin !== 'OWNED' && origin !== 'ENTITLED') throw validation(`origin must be OWNED or ENTITLED`);
        const all = origin === 'ENTITLED' && entitled(UID2_LISTING.dataSetId) ? [dataSetEntry(region)] : [];
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'), 200);
        return { DataSets: page, NextToken: nextToken };
      },
    },
    {
      operation: 'GetDataSet',
      method: 'GET',
      path: '/v1/data-sets/{DataSetId}',
      handle: ({ params, region }) => {
        countCheck(params.DataSetId!);
        requireEntitled(params.DataSetId!, 'DATA_SET', params.DataSetId!);
        return dataSetEntry(region);
      },
    },
    {
      operation: 'GetAsset',
      method: 'GET',
      path: '/v1/data-sets/{DataSetId}/revisions/{RevisionId}/assets/{AssetId}',
      handle: ({ params, region }) => {
        requireEntitled(params.DataSetId!, 'ASSET', params.AssetId!);
        if (params.RevisionId !== UID2_LISTING.revisionId || params.AssetId !== UID2_LISTING.assetId) {
          throw notFound(`Asset ${params.AssetId} not found`, { ResourceId: params.AssetId, ResourceType: 'ASSET' });
        }
        return {
          Arn: `arn:aws:dataexchange:${region}:${PROVIDER_ACCOUNT}:data-sets/${UID2_LISTING.dataSetId}/revisions/${UID2_LISTING.revisionId}/assets/${UID2_LISTING.assetId}`,
          AssetDetails: { ApiGatewayApiAsset: { ApiName: UID2_LISTING.assetName, ProtocolType: 'REST', Stage: 'prod' } },
          AssetType: 'API_GATEWAY_API',
          CreatedAt: CREATED_AT,
          DataSetId: UID2_LISTING.dataSetId,
          Id: UID2_LISTING.assetId,
          Name: UID2_LISTING.assetName,
          RevisionId: UID2_LISTING.revisionId,
          UpdatedAt: CREATED_AT,
        };
      },
    },
  ];
}
