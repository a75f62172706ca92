import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TiktokCredentialsReader } from './tiktok-credentials';
import { createTiktokAudienceActivities } from './tiktok-audiences';
import { withTiktokFailureMapping } from './tiktok-errors';
import type { TiktokHttpDeps } from './tiktok-http';

export type { TiktokTarget } from './tiktok-target';
export type { AudienceAction, FoundAudience } from './tiktok-audiences';
export type { AudienceDetail } from './tiktok-shapes';

export interface TiktokApiDeps {
  secrets: SecretsManagerClient;
  /** Reads the customer files to upload. */
  s3?: S3Client;
  /** Node's fetch unless given. */
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The TikTok Business API (custom audiences) activities. Credentials are cached in this worker's
 * memory, per factory call; failures are classified by `withTiktokFailureMapping`.
 */
export function createTiktokApiActivities(deps: TiktokApiDeps) {
  const now = deps.now ?? Date.now;
  const http: TiktokHttpDeps = { credentials: new TiktokCredentialsReader(deps.secrets, now), fetch: deps.fetch ?? fetch, now };
  return withTiktokFailureMapping(createTiktokAudienceActivities(http, deps.s3));
}

export type TiktokApiActivities = ReturnType<typeof createTiktokApiActivities>;
