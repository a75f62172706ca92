import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../protocols/errors';
import type { Faults } from '../../admin/faults';
import type { JobOutcome } from '../../matching/run-matching-job';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredJob, StoredResource } from '../../state';
import { JobSlots, quotaRefusal, type JobKind } from './job-slots';
import { WorkflowLimitSettings } from './workflow-limits';
import { epochSeconds } from './validation';

export interface JobDurations {
  queuedMs: number;
  runningMs: number;
}

/**
 * Matching jobs: QUEUED for at least `queuedMs` and until a Region slot of their kind is free,
 * RUNNING while the job really runs (at least `runningMs`), then SUCCEEDED or FAILED with metrics
 * or errorDetails. One running job per matching workflow: a second StartMatchingJob is refused
 * with ConflictException, as the service's quota says. With `slots.whenFull` 'refuse', a start beyond
 * the Region's quota of its kind is refused with ExceedsLimitException instead of queued.
 */
export class MatchingJobs {
  readonly durations: JobDurations;
  readonly slots = new JobSlots();
  readonly limits = new WorkflowLimitSettings();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: StateStore,
    private readonly faults: Faults,
    private readonly run: (workflow: StoredResource, jobId: string) => Promise<JobOutcome>,
    durations: Partial<JobDurations> = {},
  ) {
    this.durations = { queuedMs: 1000, runningMs: 2000, ...durations };
    // A job is the service's, not the endpoint's: one cut off by a restart runs again from its start (its output is rewritten whole).
    for (const job of Object.values(store.get().entityResolution.jobs)) {
      const workflow = store.get().entityResolution.matchingWorkflows[job.workflowName];
      if (job.status !== 'QUEUED' && job.status !== 'RUNNING') continue;
      if (workflow) this.launch(workflow, job.jobId, false);
      else this.finish(job.jobId, { status: 'FAILED', errorMessage: `Matching workflow ${job.workflowName} was deleted while the job ran` });
    }
  }

  setDurations(durations: Partial<JobDurations>): JobDurations {
    return Object.assign(this.durations, durations);
  }

  isRunning(workflowName: string): boolean {
    return Object.values(this.store.get().entityResolution.jobs).some((j) => j.workflowName === workflowName && (j.status === 'QUEUED' || j.status === 'RUNNING'));
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** After the state is reset: no job waits or holds a slot any more, and the quotas and limits are AWS's again. */
  reset(): void {
    this.stop();
    this.slots.reset();
    this.limits.reset();
  }

  start(workflow: StoredResource): string {
    const workflowName = String(workflow.workflowName);
    if (this.isRunning(workflowName)) {
      throw conflict(`A matching job is already running for workflow ${workflowName}: only one job per matching workflow can run at a time`);
    }
    const kind = jobKind(workflow);
    // A job counts from its start: it sits `queuedMs` before it asks the slots for one.
    if (this.slots.whenFull === 'refuse' && this.activeJobs(kind) >= this.slots.quotas[kind]) throw quotaRefusal(kind, this.slots.quotas[kind]);
    const jobId = randomUUID().replace(/-/g, '');
    const job: StoredJob = {
      jobId,
      workflowName,
      status: 'QUEUED',
      startTime: epochSeconds(),
      outputSourceConfig: (workflow.outputSourceConfig as Record<string, unknown>[]).map((o) => ({ outputS3Path: o.outputS3Path, KMSArn: o.KMSArn, roleArn: workflow.roleArn })),
    };
    this.store.update((s) => (s.entityResolution.jobs[jobId] = job));
    this.launch(workflow, jobId, this.faults.jobShouldFail('entityresolution', 'StartMatchingJob'));
    return jobId;
  }

  private activeJobs(kind: JobKind): number {
    const { jobs, matchingWorkflows } = this.store.get().entityResolution;
    return Object.values(jobs).filter((j) => {
      const workflow = matchingWorkflows[j.workflowName];
      return (j.status === 'QUEUED' || j.status === 'RUNNING') && workflow !== undefined && jobKind(workflow) === kind;
    }).length;
  }

  /** QUEUED for `queuedMs` and until a slot of its kind is free, then RUNNING while the job runs (at least `runningMs`), then its outcome. */
  private launch(workflow: StoredResource, jobId: string, injectedFailure: boolean): void {
    this.patch(jobId, { status: 'QUEUED' });
    this.later(this.durations.queuedMs, () =>
      this.slots.wait(jobId, jobKind(workflow), () => {
        this.patch(jobId, { status: 'RUNNING' });
        const began = Date.now();
        const outcome: Promise<JobOutcome> = injectedFailure
          ? Promise.resolve({ status: 'FAILED', errorMessage: 'Job failed (injected by the sandbox)' })
          : this.run(workflow, jobId).catch((err: unknown) => ({ status: 'FAILED', errorMessage: (err as Error).message }));
        void outcome.then((result) =>
          this.later(Math.max(0, this.durations.runningMs - (Date.now() - began)), () => {
            this.finish(jobId, result);
            this.slots.release(jobId);
          }),
        );
      }),
    );
  }

  private finish(jobId: string, outcome: JobOutcome): void {
    this.patch(jobId, {
      status: outcome.status,
      endTime: epochSeconds(),
      metrics: outcome.metrics ? { ...outcome.metrics } : undefined,
      errorDetails: outcome.status === 'FAILED' ? { errorMessage: outcome.errorMessage } : undefined,
    });
  }

  private patch(jobId: string, change: Partial<StoredJob>): void {
    this.store.update((s) => {
      const job = s.entityResolution.jobs[jobId];
      if (job) Object.assign(job, change);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

function jobKind(workflow: StoredResource): JobKind {
  const techniques = workflow.resolutionTechniques as { resolutionType?: string } | undefined;
  return techniques?.resolutionType === 'PROVIDER' ? 'providerServiceJobs' : 'matchingJobs';
}

export function matchingJobRoutes(store: StateStore, jobs: MatchingJobs): RestJsonRoute[] {
  const workflow = (name: string) => {
    const found = store.get().entityResolution.matchingWorkflows[name];
    if (!found) throw notFound(`Matching workflow ${name} not found`);
    return found;
  };
  return [
    {
      operation: 'StartMatchingJob',
      method: 'POST',
      path: '/matchingworkflows/{workflowName}/jobs',
      handle: ({ params }) => ({ jobId: jobs.start(workflow(params.workflowName!)) }),
    },
    {
      operation: 'GetMatchingJob',
      method: 'GET',
      path: '/matchingworkflows/{workflowName}/jobs/{jobId}',
      handle: ({ params }) => {
        workflow(params.workflowName!);
        const job = store.get().entityResolution.jobs[params.jobId!];
        if (!job || job.workflowName !== params.workflowName) throw notFound(`Job ${params.jobId} not found`);
        const { workflowName: _w, ...view } = job;
        return view;
      },
    },
    {
      operation: 'ListMatchingJobs',
      method: 'GET',
      path: '/matchingworkflows/{workflowName}/jobs',
      handle: ({ params, query }) => {
        workflow(params.workflowName!);
        const all = Object.values(store.get().entityResolution.jobs)
          .filter((j) => j.workflowName === params.workflowName)
          .sort((a, b) => b.startTime - a.startTime)
          .map(({ jobId, status, startTime, endTime }) => ({ jobId, status, startTime, endTime }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'));
        return { jobs: page, nextToken };
      },
    },
  ];
}
