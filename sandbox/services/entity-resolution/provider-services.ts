import { PROVIDER_SERVICES, providerServiceArn, type ProviderServiceEntry } from '../catalog';
import { notFound } from '../../protocols/errors';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';

/** Entity Resolution provider services: a fixed catalog (see catalog.ts). */
function summary(region: string, entry: ProviderServiceEntry) {
  return {
    providerServiceArn: providerServiceArn(region, entry),
    providerName: entry.providerName,
    providerServiceDisplayName: entry.providerServiceDisplayName,
    providerServiceName: entry.providerServiceName,
    providerServiceType: entry.providerServiceType,
  };
}

export function providerServiceRoutes(): RestJsonRoute[] {
  return [
    {
      operation: 'ListProviderServices',
      method: 'GET',
      path: '/providerservices',
      handle: ({ query, region }) => {
        const name = query.get('providerName');
        const matching = PROVIDER_SERVICES.filter((s) => !name || s.providerName === name).map((s) => summary(region, s));
        const { page, nextToken } = paginate(matching, query.get('maxResults'), query.get('nextToken'), 15);
        return { providerServiceSummaries: page, nextToken };
      },
    },
    {
      operation: 'GetProviderService',
      method: 'GET',
      path: '/providerservices/{providerName}/{providerServiceName}',
      handle: ({ params, region }) => {
        // providerServiceName carries the service's ARN, as the model states.
        const entry = PROVIDER_SERVICES.find((s) => s.providerName === params.providerName && providerServiceArn(region, s) === params.providerServiceName);
        if (!entry) throw notFound(`Provider service ${params.providerName}/${params.providerServiceName} not found`);
        const { dataSetId, revisionId, assetId, listingId } = entry.marketplace;
        return {
          ...summary(region, entry),
          providerEndpointConfiguration: { marketplaceConfiguration: { dataSetId, revisionId, assetId, listingId } },
          anonymizedOutput: false,
          providerEntityOutputDefinition: entry.providerName === 'UID2' ? { outputAttributes: ['UID2_identifier', 'UID2_advertising_id', 'UID2_bucket_id'] } : {},
        };
      },
    },
  ];
}
