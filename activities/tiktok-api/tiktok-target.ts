/**
 * Where and as whom the TikTok activities call the TikTok Business API. Only a URL and a secret id:
 * the access token and advertiser id stay in Secrets Manager, read by the worker.
 */
export interface TiktokTarget {
  /** e.g. https://business-api.tiktok.com (the sandbox's URL locally). */
  baseUrl: string;
  /** Secrets Manager id or ARN of JSON {"ACCESS_TOKEN", "ADVERTISER_ID"} (the AWS solution's keys). */
  credentialsSecretId: string;
}
