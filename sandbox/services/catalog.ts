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
  marketplace?: typeof UID2_LISTING;
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
  },
  {
    providerName: 'LiveRamp',
    providerServiceName: 'liveramp-id-mapping',
    providerServiceDisplayName: 'LiveRamp Translation',
    providerServiceType: 'ID_MAPPING',
  },
];

export const providerServiceArn = (region: string, entry: ProviderServiceEntry) =>
  `arn:aws:entityresolution:${region}::providerservice/${entry.providerName}/${entry.providerServiceName}`;
