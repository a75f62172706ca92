import type { Uid2ProviderService } from '../../schemas/uid2-subscription-approval';

/** A made-up UID2 provider service: ids and ARNs only, no PII. */
export const uid2Provider: Uid2ProviderService = {
  providerServiceArn: 'arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment',
  providerName: 'UID2',
  providerServiceName: 'uid2-assignment',
  providerServiceDisplayName: 'Unified ID 2.0',
  marketplace: {
    dataSetId: 'ds-0123456789abcdef0123456789abcdef',
    revisionId: 'rev-0123456789abcdef0123456789abcdef',
    assetId: 'asset-0123456789abcdef0123456789abcd',
    listingId: 'prodview-66zqls7iqsm6o',
  },
};

export const uid2AssetArn = `arn:aws:dataexchange:us-east-1:444455556666:data-sets/${uid2Provider.marketplace.dataSetId}/revisions/${uid2Provider.marketplace.revisionId}/assets/${uid2Provider.marketplace.assetId}`;
