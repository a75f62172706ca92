/** The kinds of job Entity Resolution counts against its per-Region concurrency quotas. */
export type JobKind = 'matchingJobs' | 'providerServiceJobs';
export type JobQuotas = Record<JobKind, number>;

/** The quotas page: 1 concurrent matching job and 1 concurrent provider-service matching job per Region, not adjustable. */
export const AWS_JOB_QUOTAS: Readonly<JobQuotas> = { matchingJobs: 1, providerServiceJobs: 1 };

interface Waiting {
  jobId: string;
  kind: JobKind;
  start: () => void;
}

/** Per-Region job slots: a job ready to run waits until a slot of its kind is free; waiting jobs of a kind start in the order they came. */
export class JobSlots {
  readonly quotas: JobQuotas = { ...AWS_JOB_QUOTAS };
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

  setQuotas(quotas: Partial<JobQuotas>): JobQuotas {
    Object.assign(this.quotas, quotas);
    this.dispatch();
    return this.quotas;
  }

  /** Forgets every job and restores AWS's quotas. */
  reset(): void {
    this.waiting.length = 0;
    this.running.clear();
    Object.assign(this.quotas, AWS_JOB_QUOTAS);
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
