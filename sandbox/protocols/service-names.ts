/** The services the sandbox answers: AWS ones by the name in their SigV4 credential scope, and `amc` and `tiktok` (the Amazon Ads API and TikTok Business API stand-ins, routed by path). */
export const SANDBOX_SERVICES = ['entityresolution', 'dataexchange', 'cleanrooms', 's3', 'glue', 'secretsmanager', 'amc', 'tiktok'] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];
