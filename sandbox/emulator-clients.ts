import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';

/** The sandbox's own clients for the data behind its jobs: moto's S3 and Glue, reached directly. */
export interface EmulatorClients {
  s3: S3Client;
  glue: GlueClient;
}

export function emulatorClients(motoUrl: string, region = 'us-east-1'): EmulatorClients {
  const common = { region, endpoint: motoUrl, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), glue: new GlueClient(common) };
}
