/** The services the sandbox answers: AWS ones by the name in their SigV4 credential scope, and `amc` (the Amazon Ads API stand-in, routed by path). */
export const SANDBOX_SERVICES = ['entityresolution', 'dataexchange', 'cleanrooms', 's3', 'glue', 'secretsmanager', 'amc'] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];
