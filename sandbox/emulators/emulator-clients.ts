import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Backend } from './s3-backend';

/** The sandbox's own clients for the data behind its jobs: the S3 and Glue emulators, reached directly. */
export interface EmulatorClients {
  s3: S3Client;
  glue: GlueClient;
}

export function emulatorClients(s3: Pick<S3Backend, 'url' | 'credentials'>, motoUrl: string, region = 'us-east-1'): EmulatorClients {
  return {
    s3: new S3Client({ region, endpoint: s3.url, forcePathStyle: true, credentials: s3.credentials }),
    glue: new GlueClient({ region, endpoint: motoUrl, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } }),
  };
}
