import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { TIKTOK_CREDENTIALS_INVALID } from '../../schemas/failures';

export interface TiktokCredentials {
  accessToken: string;
  advertiserId: string;
}

export const TIKTOK_SECRET_KEYS = ['ACCESS_TOKEN', 'ADVERTISER_ID'] as const;

const credentialsSchema = z.object({ ACCESS_TOKEN: z.string().min(1), ADVERTISER_ID: z.union([z.string().min(1), z.number().int()]) });
const CACHE_MS = 15 * 60_000;

/**
 * Reads the TikTok access token and advertiser id from Secrets Manager through the worker's client,
 * and keeps them in worker memory for 15 minutes per secret id. A secret that is not JSON with both
 * keys fails naming the missing keys, never a value.
 */
export class TiktokCredentialsReader {
  private readonly cache = new Map<string, { credentials: TiktokCredentials; readAt: number }>();

  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly now: () => number = Date.now,
  ) {}

  async read(secretId: string): Promise<TiktokCredentials> {
    const cached = this.cache.get(secretId);
    if (cached && this.now() - cached.readAt < CACHE_MS) return cached.credentials;
    const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const credentials = parseCredentials(secretId, SecretString);
    this.cache.set(secretId, { credentials, readAt: this.now() });
    return credentials;
  }

  /** After TikTok refused the token: the next call reads the secret again (it may have been rotated). */
  forget(secretId: string): void {
    this.cache.delete(secretId);
  }
}

function parseCredentials(secretId: string, text: string | undefined): TiktokCredentials {
  const invalid = (what: string) =>
    ApplicationFailure.create({
      type: TIKTOK_CREDENTIALS_INVALID,
      nonRetryable: true,
      message: `secret ${secretId} ${what}: it must be JSON {"ACCESS_TOKEN", "ADVERTISER_ID"} (a long-term TikTok access token with the Audience Management scope, and the advertiser id)`,
    });
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw invalid(text === undefined ? 'has no SecretString' : 'is not JSON');
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) throw invalid(`lacks ${parsed.error.issues.map((i) => i.path.join('.') || '(object)').join(', ')}`);
  return { accessToken: parsed.data.ACCESS_TOKEN, advertiserId: String(parsed.data.ADVERTISER_ID) };
}
