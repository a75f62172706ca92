import { ER_QUOTA_NAMES } from '../../../schemas/uid2-matching/er-quotas';
import { SandboxError } from '../../protocols/errors';

/** The kinds of job Entity Resolution counts against its per-Region concurrency quotas. */
export type JobKind = 'matchingJobs' | 'providerServiceJobs';
export type JobQuotas = Record<JobKind, number>;

/** The quotas page: 1 concurrent matching job and 1 concurrent provider-service matching job per Region, not adjustable. */
export const AWS_JOB_QUOTAS: Readonly<JobQuotas> = { matchingJobs: 1, providerServiceJobs: 1 };

/** What a start beyond the quota gets: a QUEUED job that waits for a slot, or ExceedsLimitException (AWS documents neither). */
export const WHEN_FULL = ['queue', 'refuse'] as const;
export type WhenFull = (typeof WHEN_FULL)[number];

const QUOTA_NAME: Record<JobKind, string> = {
  matchingJobs: ER_QUOTA_NAMES.concurrentMatchingJobs,
  providerServiceJobs: ER_QUOTA_NAMES.concurrentProviderServiceJobs,
};

/** StartMatchingJob's answer when `whenFull` is 'refuse' and every slot of the kind is taken. */
export function quotaRefusal(kind: JobKind, quota: number): SandboxError {
  const quotaName = QUOTA_NAME[kind];
  return new SandboxError(402, 'ExceedsLimitException', `Exceeded the quota of ${quota} ${quotaName.toLowerCase()} in this Region`, { quotaName, quotaValue: quota });
}

interface Waiting {
  jobId: string;
  kind: JobKind;
  start: () => void;
}

/** Per-Region job slots: a job ready to run waits until a slot of its kind is free; waiting jobs of a kind start in the order they came. */
export class JobSlots {
  readonly quotas: JobQuotas = { ...AWS_JOB_QUOTAS };
  whenFull: WhenFull = 'queue';
  private readonly waiting: Waiting[] = [];
  private readonly running = new Map<string, JobKind>();

  /** Calls `start` once a slot of `kind` is free for this job (at once if one is). */
  wait(jobId: string, kind: JobKind, start: () => void): void {
    this.waiting.push({ jobId, kind, start });
    this.dispatch();
  }

  /** The job no longer runs: its slot goes to the next job waiting for one. */
  release(jobId: string): void {
    if (this.running.delete(jobId)) this.dispatch();
  }

  setQuotas({ whenFull, ...quotas }: Partial<JobQuotas> & { whenFull?: WhenFull }): JobQuotas & { whenFull: WhenFull } {
    Object.assign(this.quotas, quotas);
    if (whenFull) this.whenFull = whenFull;
    this.dispatch();
    return this.settings();
  }

  settings(): JobQuotas & { whenFull: WhenFull } {
    return { ...this.quotas, whenFull: this.whenFull };
  }

  /** Forgets every job and restores AWS's quotas, and queueing when full. */
  reset(): void {
    this.waiting.length = 0;
    this.running.clear();
    Object.assign(this.quotas, AWS_JOB_QUOTAS);
    this.whenFull = 'queue';
  }

  private dispatch(): void {
    for (const entry of [...this.waiting]) {
      if (this.inUse(entry.kind) >= this.quotas[entry.kind]) continue;
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      this.running.set(entry.jobId, entry.kind);
      entry.start();
    }
  }

  private inUse(kind: JobKind): number {
    let count = 0;
    for (const running of this.running.values()) if (running === kind) count++;
    return count;
  }
}
