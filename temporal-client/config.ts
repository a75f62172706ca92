import { z } from 'zod';
import { formatIssues, type IssueFormat } from '../schemas/format-issues';
import { TASK_QUEUE } from '../schemas/temporal-names';

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** How to reach Temporal, shared by the worker and the starters. Read by functions, never at import time. */
export const temporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port, e.g. localhost:7233').default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: boolean.optional(),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
});
export type TemporalConfig = z.infer<typeof temporalEnvSchema>;

export function temporalConfigFromEnv(env: NodeJS.ProcessEnv): TemporalConfig {
  const parsed = temporalEnvSchema.safeParse(env, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid Temporal settings in the environment:\n${formatIssues(parsed.error, ENV_ISSUES)}`);
}

/** Environment variables, one per line; parse with `{ reportInput: true }` so an unset one reads 'is not set'. */
export const ENV_ISSUES: IssueFormat = { root: '(environment)', layout: 'lines', missing: 'is not set' };

/** A worker on this machine's dev server may use the generated dev codec key; a remote cluster needs TEMPORAL_CODEC_KEY. */
export function isLocalTemporal(address: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\]):\d+$/.test(address);
}

/** The codec server the Temporal UI calls to show decrypted payloads to an operator who holds the key. */
export const codecServerEnvSchema = z.object({
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_SERVER_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233,http://127.0.0.1:8233')
    .transform((list) => list.split(',').map((o) => o.trim()).filter(Boolean)),
  CODEC_SERVER_AUTH_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
});
export type CodecServerConfig = z.infer<typeof codecServerEnvSchema>;

export function codecServerConfigFromEnv(env: NodeJS.ProcessEnv): CodecServerConfig {
  const parsed = codecServerEnvSchema.safeParse(env, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid codec server settings in the environment:\n${formatIssues(parsed.error, ENV_ISSUES)}`);
}
