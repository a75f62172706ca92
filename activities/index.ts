import type { Client } from '@temporalio/client';
import type { CleanRoomsClient } from '@aws-sdk/client-cleanrooms';
import type { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import type { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAmcApiActivities } from './amc-api';
import { createAmcPrerequisiteActivities } from './amc-id-mapping/amc-prerequisites';
import { createAmcStorageActivities } from './amc-id-mapping/amc-storage';
import { createAudienceSnapshotActivities } from './audience-upload/audience-snapshots';
import { withAwsFailureMapping } from './support/aws-errors';
import { createCleanRoomsActivities } from './clean-rooms/clean-rooms';
import { createCleanRoomsQueryActivities } from './clean-rooms/clean-rooms-queries';
import { createIdNamespaceActivities } from './entity-resolution/entity-resolution-namespaces';
import { createEntityResolutionActivities } from './entity-resolution/entity-resolution';
import { createGlueTableActivities } from './glue-tables';
import { createGroupByKeyActivities } from './preparation/group-by-key';
import { createPrepActivities } from './preparation/prepare-dataset';
import { createTiktokApiActivities } from './tiktok-api';
import { createUid2SubscriptionWaitActivities } from './uid2-subscription/uid2-subscription-wait';
import { createUid2SubscriptionActivities } from './uid2-subscription/uid2-subscription';
import { createWorkflowCoordinationActivities } from './workflow-coordination';

/** Every AWS client an activity may use, built once by the worker (or by a test, pointed at mocks or the sandbox). */
export interface ActivityDeps {
  entityResolution: EntityResolutionClient;
  dataExchange: DataExchangeClient;
  s3: S3Client;
  glue: GlueClient;
  cleanRooms: CleanRoomsClient;
  /** Reads the Amazon Ads API credentials secret. */
  secrets: SecretsManagerClient;
  /** The AMC activities' HTTP client (Node's fetch unless given). */
  amcFetch?: typeof fetch;
  /** The TikTok activities' HTTP client (Node's fetch unless given). */
  tiktokFetch?: typeof fetch;
  /** Worker threads per prepareDataset activity (0: prepare in the activity's own thread). */
  prepThreads: number;
}

/** `temporal`: a client of the worker's namespace, for the activities that signal or describe other workflow executions. */
export function createActivities(deps: ActivityDeps, temporal: Client) {
  return withAwsFailureMapping({
    ...createUid2SubscriptionActivities(deps),
    ...createPrepActivities(deps),
    ...createGroupByKeyActivities(deps),
    ...createGlueTableActivities(deps),
    ...createEntityResolutionActivities(deps),
    ...createIdNamespaceActivities(deps),
    ...createCleanRoomsActivities(deps),
    ...createAmcPrerequisiteActivities(deps),
    ...createAmcStorageActivities(deps),
    ...createUid2SubscriptionWaitActivities({ ...deps, temporal }),
    ...createWorkflowCoordinationActivities({ temporal }),
    ...createAmcApiActivities({ secrets: deps.secrets, fetch: deps.amcFetch }),
    ...createAudienceSnapshotActivities({ s3: deps.s3 }),
    ...createCleanRoomsQueryActivities(deps),
    ...createTiktokApiActivities({ secrets: deps.secrets, s3: deps.s3, fetch: deps.tiktokFetch }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
export type Uid2SubscriptionActivities = Pick<Activities, keyof ReturnType<typeof createUid2SubscriptionActivities>>;
