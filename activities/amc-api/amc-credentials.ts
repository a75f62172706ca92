import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/common';
import { AMC_CREDENTIALS_INVALID } from '../../schemas/failures';

export interface AmcCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What the Ads API credentials secret must hold. */
export const AMC_CREDENTIAL_KEYS = ['clientId', 'clientSecret', 'refreshToken'] as const;
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
    const credentials = parseAmcCredentials(secretId, SecretString);
    this.cache.set(secretId, { credentials, readAt: this.now() });
    return credentials;
  }

  forget(secretId: string): void {
    this.cache.delete(secretId);
  }
}

/**
 * The Ads API credentials in a secret's text: JSON with the three keys as non-empty strings. A secret
 * that is not fails naming only the missing keys, never a value.
 */
export function parseAmcCredentials(secretId: string, text: string | undefined): AmcCredentials {
  const invalid = (message: string) => ApplicationFailure.create({ type: AMC_CREDENTIALS_INVALID, nonRetryable: true, message });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw invalid(`Secret ${secretId} is not a JSON object: store {"clientId", "clientSecret", "refreshToken"} of the Ads API app as a string secret`);
  }
  const values = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const missing = AMC_CREDENTIAL_KEYS.filter((key) => typeof values[key] !== 'string' || values[key] === '');
  if (missing.length > 0) throw invalid(`Secret ${secretId} lacks ${missing.join(', ')} (each a non-empty string): add them and run again`);
  return { clientId: values.clientId as string, clientSecret: values.clientSecret as string, refreshToken: values.refreshToken as string };
}
