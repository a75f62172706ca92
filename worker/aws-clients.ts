import { CleanRoomsClient } from '@aws-sdk/client-cleanrooms';
import { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { availableParallelism } from 'node:os';
import type { ActivityDeps } from '../activities';
import type { WorkerConfig } from './config';

/**
 * AWS SDK v3 clients, built once per worker. Credentials come from the default provider chain
 * (AWS_PROFILE, environment keys, SSO, instance or task role); AWS_ENDPOINT_URL, read by the SDK
 * itself, points every client at another endpoint such as the local sandbox.
 */
export function createAwsClients(config: Pick<WorkerConfig, 'AWS_REGION'> & Partial<Pick<WorkerConfig, 'PREP_THREADS'>>): ActivityDeps {
  const common = { region: config.AWS_REGION, maxAttempts: 4 };
  return {
    entityResolution: new EntityResolutionClient(common),
    dataExchange: new DataExchangeClient(common),
    glue: new GlueClient(common),
    cleanRooms: new CleanRoomsClient(common),
    secrets: new SecretsManagerClient(common),
    // S3-compatible endpoints other than AWS (the sandbox, MinIO) address buckets by path, not DNS.
    s3: new S3Client({ ...common, forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined }),
    prepThreads: config.PREP_THREADS ?? availableParallelism(),
  };
}

export function destroyAwsClients(clients: ActivityDeps): void {
  for (const client of [clients.entityResolution, clients.dataExchange, clients.s3, clients.glue, clients.cleanRooms, clients.secrets]) client.destroy();
}
