import { temporalEnvSchema } from '../../temporal-client/config';
import type { AwsIdentity } from './aws-identity';

export interface StackBannerInput {
  /** The environment the worker and the demo run with (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, TEMPORAL_UI_URL …). */
  env: NodeJS.ProcessEnv;
  dataDir: string;
  codecUrl: string;
  /** The sandbox the worker's AWS clients call, or the real account they act in. */
  aws: { sandboxUrl: string } | { identity: AwsIdentity };
}

/** The banner `npm start` prints once the worker polls, from the configuration in effect. */
export function stackBanner({ env, dataDir, codecUrl, aws: target }: StackBannerInput): string {
  const temporal = temporalEnvSchema.parse(env);
  const aws =
    'sandboxUrl' in target
      ? `the local sandbox at ${target.sandboxUrl} (no AWS account used; admin API ${target.sandboxUrl}/_sandbox/health)`
      : `REAL AWS: account ${target.identity.account} in ${target.identity.region}, as ${target.identity.arn}`;
  const prefix = starterEnvPrefix(env);
  return [
    '',
    'identity-workflows local stack is up',
    `  Temporal UI     ${temporal.TEMPORAL_UI_URL}   (payloads are encrypted; the UI decrypts them through ${codecUrl})`,
    `  Temporal server ${temporal.TEMPORAL_ADDRESS}, state in ${dataDir} (npm start -- --reset starts clean)`,
    `  Worker          task queue ${temporal.TEMPORAL_TASK_QUEUE}, AWS calls go to ${aws}`,
    '',
    'Next, in another terminal:',
    `  ${prefix}npm run uid2-subscription -- --config examples/uid2-subscription.json --wait`,
    `  ${prefix}npm run schedules -- apply --file examples/schedules.json`,
    ...(env.TEMPORAL_CODEC_KEY ? ['  (with the same TEMPORAL_CODEC_KEY and TEMPORAL_CODEC_KEY_ID in that terminal)'] : []),
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/**
 * The settings a starter in another terminal needs to reach this stack, as `NAME=value ` pairs:
 * only those that differ from the starters' own defaults, so the default setup prints none.
 */
export function starterEnvPrefix(env: NodeJS.ProcessEnv): string {
  const effective = temporalEnvSchema.parse(env);
  const defaults = temporalEnvSchema.parse({});
  const names = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_UI_URL'] as const;
  return names
    .filter((name) => !sameSetting(name, effective[name], defaults[name]))
    .map((name) => `${name}=${shellQuote(effective[name])} `)
    .join('');
}

/** localhost and 127.0.0.1 reach the same local server. */
function sameSetting(name: string, value: string, fallback: string): boolean {
  if (name !== 'TEMPORAL_ADDRESS' && name !== 'TEMPORAL_UI_URL') return value === fallback;
  const loopback = (text: string) => text.replace(/\b(localhost|127\.0\.0\.1)\b/, 'localhost');
  return loopback(value) === loopback(fallback);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
