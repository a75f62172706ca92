import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { AMC_CREDENTIALS_INVALID } from '../../schemas/failures';

export interface AmcCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

const credentialsSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1), refreshToken: z.string().min(1) });
const CACHE_MS = 15 * 60_000;

/**
 * Reads the Ads API credentials from Secrets Manager through the worker's client, and keeps them in
 * worker memory for 15 minutes per secret id. A secret that is not JSON with the three keys fails
 * naming the missing keys, never a value.
 */
export class AmcCredentialsReader {
  private readonly cache = new Map<string, { credentials: AmcCredentials; readAt: number }>();

  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly now: () => number = Date.now,
  ) {}

  async read(secretId: string): Promise<AmcCredentials> {
    const cached = this.cache.get(secretId);
    if (cached && this.now() - cached.readAt < CACHE_MS) return cached.credentials;
    const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const credentials = parseCredentials(secretId, SecretString);
    this.cache.set(secretId, { credentials, readAt: this.now() });
    return credentials;
  }

  forget(secretId: string): void {
    this.cache.delete(secretId);
  }
}

function parseCredentials(secretId: string, text: string | undefined): AmcCredentials {
  const invalid = (what: string) =>
    ApplicationFailure.create({
      type: AMC_CREDENTIALS_INVALID,
      nonRetryable: true,
      message: `secret ${secretId} ${what}: it must be JSON {"clientId", "clientSecret", "refreshToken"} (the Login with Amazon app and its refresh token)`,
    });
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw invalid(text === undefined ? 'has no SecretString' : 'is not JSON');
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) throw invalid(`lacks ${parsed.error.issues.map((i) => i.path.join('.') || '(object)').join(', ')}`);
  return parsed.data;
}
