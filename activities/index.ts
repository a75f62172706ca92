import type { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import type { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import type { S3Client } from '@aws-sdk/client-s3';
import { withAwsFailureMapping } from './aws-errors';
import { createPrepActivities } from './prepare-dataset';
import { createUid2SubscriptionActivities } from './uid2-subscription';

/** Every client an activity may use, built once by the worker (or by a test, pointed at mocks or the sandbox). */
export interface ActivityDeps {
  entityResolution: EntityResolutionClient;
  dataExchange: DataExchangeClient;
  s3: S3Client;
  /** Worker threads per prepareDataset activity (0: prepare in the activity's own thread). */
  prepThreads: number;
}

export function createActivities(deps: ActivityDeps) {
  return withAwsFailureMapping({
    ...createUid2SubscriptionActivities(deps),
    ...createPrepActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
export type Uid2SubscriptionActivities = Pick<Activities, keyof ReturnType<typeof createUid2SubscriptionActivities>>;
