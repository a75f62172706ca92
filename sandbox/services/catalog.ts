/**
 * What the sandbox's AWS account sees from the start: the UID2 assignment provider service in
 * Entity Resolution, whose Data Exchange listing (UID2's AWS Entity Resolution Integration Guide: "Unified ID 2.0 Identity Resolution",
 * asset "venice-api-gateway-prod") becomes entitled when the sandbox's admin API approves it.
 * Ids have the real formats; none is a real resource.
 */
export const PROVIDER_ACCOUNT = '111122223333';
/** The sandbox's own account id, in every ARN it creates. */
export const SANDBOX_ACCOUNT = '000000000000';

export const UID2_LISTING = {
  dataSetId: '4f5e6d7c8b9a0f1e2d3c4b5a69788796',
  revisionId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  assetId: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  listingId: 'prodview-66zqls7iqsm6o',
  dataSetName: 'UnifiedID-2.0',
  assetName: 'venice-api-gateway-prod',
  productId: 'prod-uid2identityresolution',
};

export interface ProviderServiceEntry {
  providerName: string;
  providerServiceName: string;
  providerServiceDisplayName: string;
  providerServiceType: 'ASSIGNMENT' | 'ID_MAPPING';
  /** Its Data Exchange product; GetProviderService's `providerEndpointConfiguration` is required. */
  marketplace: MarketplaceListing;
}

export interface MarketplaceListing {
  dataSetId: string;
  revisionId: string;
  assetId: string;
  listingId: string;
}

export const PROVIDER_SERVICES: ProviderServiceEntry[] = [
  {
    providerName: 'UID2',
    providerServiceName: 'uid2-assignment',
    providerServiceDisplayName: 'Unified ID 2.0',
    providerServiceType: 'ASSIGNMENT',
    marketplace: UID2_LISTING,
  },
  {
    providerName: 'LiveRamp',
    providerServiceName: 'liveramp-assignment',
    providerServiceDisplayName: 'LiveRamp Assignment',
    providerServiceType: 'ASSIGNMENT',
    marketplace: { dataSetId: '7c1a2b3d4e5f60718293a4b5c6d7e8f0', revisionId: '1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a', assetId: '2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b', listingId: 'prodview-lr4ssgn7mnt2q' },
  },
  {
    providerName: 'LiveRamp',
    providerServiceName: 'liveramp-id-mapping',
    providerServiceDisplayName: 'LiveRamp Translation',
    providerServiceType: 'ID_MAPPING',
    marketplace: { dataSetId: '8d2b3c4e5f60718293a4b5c6d7e8f9a1', revisionId: '3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c', assetId: '4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d', listingId: 'prodview-lr7trnsl8tn3x' },
  },
];

/** AWS-owned, so the account field is empty (the model's ProviderServiceArn pattern: `…:<region>::providerservice/…`). */
export const providerServiceArn = (region: string, entry: ProviderServiceEntry) =>
  `arn:aws:entityresolution:${region}::providerservice/${entry.providerName}/${entry.providerServiceName}`;
