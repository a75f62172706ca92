import { z } from 'zod';
import { formatIssues } from '../schemas/format-issues';
import { ENV_ISSUES, temporalEnvSchema } from '../temporal-client/config';

/** With `npm run worker`'s heap limit (WORKER_HEAP_MB, 256), worker RSS stays under 512 MB however many runs wait (docs/benchmarks.md). */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/** Worker settings: Temporal plus AWS. */
export const workerEnvSchema = temporalEnvSchema.extend({
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1'),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(20),
  /**
   * Workflow runs the worker keeps in memory. A waiting run outside the cache costs
   * nothing until its poll returns, then one short replay; so memory follows this, not the open runs.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /** Worker threads each data-preparation activity uses; default one per core. 0 prepares on the activity's thread. */
  PREP_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** The Temporal SDK's own log level (worker state, bundling, workflow logs). */
  TEMPORAL_SDK_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
});
export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function workerConfigFromEnv(env: NodeJS.ProcessEnv): WorkerConfig {
  const parsed = workerEnvSchema.safeParse({ ...env, AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION }, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid worker environment:\n${formatIssues(parsed.error, ENV_ISSUES)}`);
}
