import { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import type { ActivityDeps } from '../activities';
import type { WorkerConfig } from './config';

/**
 * AWS SDK v3 clients, built once per worker. Credentials come from the default provider chain
 * (AWS_PROFILE, environment keys, SSO, instance or task role); AWS_ENDPOINT_URL, read by the SDK
 * itself, points every client at another endpoint such as the local sandbox.
 */
export function createAwsClients(config: Pick<WorkerConfig, 'AWS_REGION'>): ActivityDeps {
  const common = { region: config.AWS_REGION, maxAttempts: 4 };
  return {
    entityResolution: new EntityResolutionClient(common),
    dataExchange: new DataExchangeClient(common),
  };
}

export function destroyAwsClients(clients: ActivityDeps): void {
  for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}
