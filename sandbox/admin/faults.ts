import { z } from 'zod';
import { formatIssues } from '../../schemas/format-issues';
import { internal, throttled } from '../protocols/errors';
import { seededRandom } from '../synthetic/seeded-random';
import { SANDBOX_SERVICES } from '../protocols/service-names';

/** Forwarded to the emulators, whose answers the sandbox passes on: a lost response cannot be injected there. */
const FORWARDED_SERVICES: readonly string[] = ['s3', 'glue', 'secretsmanager'];

/** Faults injected on demand, per service and operation ('*' for all), drawn from a seeded generator so a run can be replayed. */
export const faultRuleSchema = z
  .object({
    service: z.enum(['*', ...SANDBOX_SERVICES], { error: `must be "*" or one of the sandbox's services: ${SANDBOX_SERVICES.join(', ')}` }),
    operation: z
      .string()
      .regex(/^(\*|[A-Z][A-Za-z0-9]*)$/, 'must be "*" or an API operation name such as GetDataSet')
      .default('*'),
    throttle: z.number().min(0).max(1).default(0),
    serverError: z.number().min(0).max(1).default(0),
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    jobFailure: z.number().min(0).max(1).default(0),
    /** The call runs and its effect is kept, then the connection is closed unanswered: the client sees a network error. */
    lostResponse: z.number().min(0).max(1).default(0),
  })
  .strict()
  .refine((rule) => rule.lostResponse === 0 || !FORWARDED_SERVICES.includes(rule.service), {
    path: ['lostResponse'],
    message: `applies to the services the sandbox answers itself, not to ${FORWARDED_SERVICES.join(', ')} (answered by the emulators behind it)`,
  });
export const faultConfigSchema = z
  .object({ seed: z.number().int().min(0).max(2 ** 32 - 1).default(1), rules: z.array(faultRuleSchema).max(100).default([]) })
  .strict();
export type FaultConfig = z.infer<typeof faultConfigSchema>;
type FaultRule = z.infer<typeof faultRuleSchema>;

/** The initial fault configuration from `SANDBOX_FAULTS` (JSON), validated like the admin API's. */
export function faultsFromEnv(env: NodeJS.ProcessEnv): FaultConfig | undefined {
  if (!env.SANDBOX_FAULTS) return undefined;
  try {
    return faultConfigSchema.parse(JSON.parse(env.SANDBOX_FAULTS));
  } catch (err) {
    throw new Error(`SANDBOX_FAULTS is not a valid fault configuration: ${err instanceof z.ZodError ? formatIssues(err, { root: '(configuration)', layout: 'inline' }) : (err as Error).message}`);
  }
}

export class Faults {
  private config: FaultConfig = { seed: 1, rules: [] };
  private random = seededRandom(1);
  /** Calls per `service:operation`, and injected faults per `service:operation:kind`. */
  readonly counters: Record<string, number> = {};

  constructor(config?: unknown) {
    this.configure(config ?? {});
  }

  configure(config: unknown): FaultConfig {
    this.config = faultConfigSchema.parse(config);
    this.random = seededRandom(this.config.seed);
    return this.config;
  }

  current(): FaultConfig {
    return this.config;
  }

  resetCounters(): void {
    for (const key of Object.keys(this.counters)) delete this.counters[key];
  }

  /** Counts the call, waits any injected latency, and throws an injected throttle or 5xx. */
  async beforeCall(service: string, operation: string): Promise<void> {
    this.count(`${service}:${operation}`);
    const rule = this.ruleFor(service, operation);
    if (!rule) return;
    if (rule.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
    if (this.random() < rule.throttle) {
      this.count(`${service}:${operation}:throttle`);
      throw throttled();
    }
    if (this.random() < rule.serverError) {
      this.count(`${service}:${operation}:serverError`);
      throw internal();
    }
  }

  /** Whether a job started by this operation should end FAILED. */
  jobShouldFail(service: string, operation: string): boolean {
    const rule = this.ruleFor(service, operation);
    return rule !== undefined && this.random() < rule.jobFailure;
  }

  /**
   * Whether the answer to this call, whose effect is already committed, is dropped: the router then closes
   * the connection without answering, as when a response is lost on the way back.
   */
  shouldLoseResponse(service: string, operation: string): boolean {
    const rule = this.ruleFor(service, operation);
    // No draw without a lostResponse rule, so seeded fault sequences of existing rules stay as they were.
    if (!rule || rule.lostResponse === 0 || this.random() >= rule.lostResponse) return false;
    this.count(`${service}:${operation}:lostResponse`);
    return true;
  }

  private ruleFor(service: string, operation: string): FaultRule | undefined {
    return this.config.rules.find((r) => (r.service === '*' || r.service === service) && (r.operation === '*' || r.operation === operation));
  }

  private count(key: string): void {
    this.counters[key] = (this.counters[key] ?? 0) + 1;
  }
}
