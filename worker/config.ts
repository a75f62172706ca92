import { z } from 'zod';
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
  const parsed = temporalEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid Temporal settings in the environment:\n${formatEnvIssues(parsed.error)}`);
}

/** Worker settings: Temporal plus AWS. */
export const workerEnvSchema = temporalEnvSchema.extend({
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1'),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(20),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});
export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function workerConfigFromEnv(env: NodeJS.ProcessEnv): WorkerConfig {
  const parsed = workerEnvSchema.safeParse({ ...env, AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION });
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid worker environment:\n${formatEnvIssues(parsed.error)}`);
}

export function formatEnvIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return `  - ${name}: ${missing ? 'is not set' : issue.message}`;
    })
    .join('\n');
}

/** A worker on this machine's dev server may use the generated dev codec key; a remote cluster needs TEMPORAL_CODEC_KEY. */
export function isLocalTemporal(address: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\]):\d+$/.test(address);
}
