import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AmcCredentialsReader } from './amc-credentials';
import { createAmcCollaborationActivities } from './amc-collaboration';
import type { AmcHttpDeps } from './amc-http';
import { createAmcMappingTableActivities } from './amc-mapping-tables';
import { withAmcFailureMapping } from './http-errors';
import { AccessTokens } from './lwa-token';

export type { AmcTarget } from './amc-target';
export type { AmcCollaborationInput, AmcCollaborationState, AmcActiveCollaboration } from './amc-collaboration';
export type { AmcInstanceInput, AmcTableInput, FindOrCreateAmcMappingTableInput, FindOrCreateAmcMappingTableResult, RefreshAmcMappingTableInput } from './amc-mapping-tables';
export type { AmcMappingJob, AmcMappingTable, AmcNamespace } from './amc-shapes';

export interface AmcApiDeps {
  secrets: SecretsManagerClient;
  /** Node's fetch unless given. */
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The Amazon Ads API (AMC administration) activities. Credentials and access tokens are cached in
 * this worker's memory, per factory call; HTTP failures are classified by `withAmcFailureMapping`.
 */
export function createAmcApiActivities(deps: AmcApiDeps) {
  const now = deps.now ?? Date.now;
  const fetchFn = deps.fetch ?? fetch;
  const http: AmcHttpDeps = { credentials: new AmcCredentialsReader(deps.secrets, now), tokens: new AccessTokens(fetchFn, now), fetch: fetchFn, now };
  return withAmcFailureMapping({ ...createAmcCollaborationActivities(http), ...createAmcMappingTableActivities(http) });
}

export type AmcApiActivities = ReturnType<typeof createAmcApiActivities>;
