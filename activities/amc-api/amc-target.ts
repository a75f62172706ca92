/**
 * Where and as whom the AMC activities call the Amazon Ads API. Only ids and URLs: the client id,
 * secret and refresh token stay in Secrets Manager, read by the worker (never in workflow input or history).
 */
export interface AmcTarget {
  /** Amazon Ads API base URL, e.g. https://advertising-api.amazon.com (the sandbox's URL locally). */
  baseUrl: string;
  /** Login with Amazon token endpoint, e.g. https://api.amazon.com/auth/o2/token. */
  tokenUrl: string;
  instanceId: string;
  /** The AMC account id, sent as Amazon-Advertising-API-AdvertiserId. */
  advertiserId: string;
  /** e.g. ATVPDKIKX0DER (US), sent as Amazon-Advertising-API-MarketplaceId. */
  marketplaceId: string;
  /** Secrets Manager id or ARN of JSON {"clientId", "clientSecret", "refreshToken"}. */
  credentialsSecretId: string;
}
