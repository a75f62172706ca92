/**
 * Whether `npm start` runs against the local sandbox or real AWS. The sandbox always, unless the
 * user asks for AWS with IDENTITY_WORKFLOWS_AWS=aws or `npm start -- --aws`: ambient AWS settings
 * (a profile, keys, ~/.aws) are common on a data engineer's machine and must not turn a first try
 * into calls against a real account.
 */
export type AwsTarget = 'sandbox' | 'aws';

export function awsTarget(env: NodeJS.ProcessEnv, argv: readonly string[] = []): AwsTarget {
  const chosen = env.IDENTITY_WORKFLOWS_AWS;
  if (chosen && chosen !== 'sandbox' && chosen !== 'aws') throw new Error(`IDENTITY_WORKFLOWS_AWS must be "sandbox" or "aws", got "${chosen}"`);
  const flag = argv.includes('--aws');
  if (flag && chosen === 'sandbox') throw new Error('--aws contradicts IDENTITY_WORKFLOWS_AWS=sandbox: choose one');
  return flag || chosen === 'aws' ? 'aws' : 'sandbox';
}

/**
 * AWS settings that would make the SDK's default chain read something other than the sandbox's
 * keys and endpoint (AWS_PROFILE, for one, makes it skip environment keys). Removed from the
 * environment of a stack that runs on the sandbox.
 */
export const AMBIENT_AWS_SETTINGS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
] as const;

/**
 * Points this process's environment (read by the in-process worker's and the demo's SDK clients) at
 * the sandbox's endpoint and keys, and removes what could reach an account instead.
 */
export function useSandboxAws(env: NodeJS.ProcessEnv, sandboxUrl: string): void {
  for (const name of Object.keys(env)) {
    if ((AMBIENT_AWS_SETTINGS as readonly string[]).includes(name) || name.startsWith('AWS_ENDPOINT_URL_')) delete env[name];
  }
  Object.assign(env, { AWS_ENDPOINT_URL: sandboxUrl, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox' });
}
