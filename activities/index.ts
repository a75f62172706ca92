import type { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import type { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { withAwsFailureMapping } from './aws-errors';
import { createUid2SubscriptionActivities } from './uid2-subscription';

/** Every client an activity may use, built once by the worker (or by a test, pointed at mocks or the sandbox). */
export interface ActivityDeps {
  entityResolution: EntityResolutionClient;
  dataExchange: DataExchangeClient;
}

export function createActivities(deps: ActivityDeps) {
  return withAwsFailureMapping({
    ...createUid2SubscriptionActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
