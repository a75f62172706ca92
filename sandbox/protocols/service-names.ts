/** The AWS services the sandbox answers, by the name in their SigV4 credential scope. */
export const SANDBOX_SERVICES = ['entityresolution', 'dataexchange', 'cleanrooms', 's3', 'glue', 'secretsmanager'] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];
