import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether `npm start` runs against the local sandbox or real AWS. IDENTITY_WORKFLOWS_AWS=sandbox|aws
 * decides; otherwise the sandbox is used when nothing configures AWS (no profile, keys, endpoint,
 * web identity, container credentials, nor ~/.aws files).
 */
export type AwsTarget = 'sandbox' | 'aws';

const AWS_SETTINGS = [
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_ENDPOINT_URL',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

export function awsTarget(env: NodeJS.ProcessEnv, home = homedir()): AwsTarget {
  const chosen = env.IDENTITY_WORKFLOWS_AWS;
  if (chosen === 'sandbox' || chosen === 'aws') return chosen;
  if (chosen) throw new Error(`IDENTITY_WORKFLOWS_AWS must be "sandbox" or "aws", got "${chosen}"`);
  const configured = AWS_SETTINGS.some((name) => Boolean(env[name])) || ['credentials', 'config'].some((f) => existsSync(join(home, '.aws', f)));
  return configured ? 'aws' : 'sandbox';
}
