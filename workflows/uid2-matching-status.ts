import type { FinishedJob } from '../activities/entity-resolution';
import type { PollSchedule } from '../schemas/poll-schedule';
import { pollProgressAt } from '../schemas/poll-schedule';
import type { MatchingJobStage, MatchingJobStatus, Uid2MatchingStage, Uid2MatchingStatus } from '../schemas/uid2-matching';

const NEXT_ACTION: Record<Uid2MatchingStage, string> = {
  'checking-subscription': 'Finding the UID2 provider service and checking the Data Exchange entitlement.',
  'waiting-for-approval': 'Waiting for the UID2 subscription approval (uid2SubscriptionApproval); the matching starts once it is approved.',
  'cataloging-input': 'Cataloging the S3 data as a Glue table.',
  'checking-input': 'Checking that the input has the mapped columns.',
  matching: 'Running one Entity Resolution job per identifier type; see jobs for each one.',
  completed: 'Read the UID2s from the output objects in the result.',
  failed: 'Read the failure in the Temporal UI, fix its cause, then start a new run.',
  cancelled: 'Nothing: the run was cancelled.',
};

const JOB_ACTION: Partial<Record<MatchingJobStage, string>> = {
  preparing: 'is being prepared (prepareIdentityData): values normalised for UID2, unusable rows to the rejects',
  'cataloging-prepared': 'prepared data is being cataloged as its Glue table',
  skipped: 'had no usable value after preparation, so no job ran (its rejects say why)',
  queued: 'waits for an earlier job on the same ER workflow (one job per matching workflow)',
  'job-running': 'job running; checked on a backoff schedule',
};

/** The run's status as of `atMs`: poll checks of running jobs are derived from their schedule, not recorded. */
export function uid2MatchingStatus(status: Omit<Uid2MatchingStatus, 'nextAction'>, atMs: number): Uid2MatchingStatus {
  const jobs = status.jobs.map((job) => {
    if (!job.polling) return { ...job };
    const progress = pollProgressAt(job.polling, Math.max(atMs, Date.parse(job.polling.since)));
    return { ...job, checks: progress.checks, lastCheckAt: progress.lastCheckAt, nextCheckAt: progress.nextCheckAt };
  });
  const waits = jobs.flatMap((j) => (JOB_ACTION[j.stage] ? [`${j.identifier} ${JOB_ACTION[j.stage]}`] : []));
  const discrepancies = jobs.flatMap((j) => (j.counts?.discrepancy ? [`${j.identifier} counts do not reconcile (${j.counts.discrepancy}): compare the rejects and the job's error output with the input.`] : []));
  return { ...status, jobs, nextAction: [NEXT_ACTION[status.stage], ...(status.stage === 'matching' ? waits : []), ...discrepancies].join(' ') };
}

/** One job's entry in the run's status, moved along as the job goes; `nowMs` is the workflow's clock. */
export function matchingJobProgress(job: MatchingJobStatus, nowMs: () => number) {
  const now = () => new Date(nowMs()).toISOString();
  return {
    enter(stage: Exclude<MatchingJobStage, 'job-running' | 'failed'>): void {
      job.stage = stage;
      if (stage === 'queued') job.queuedSince = now();
    },
    running(jobId: string, polling: PollSchedule): void {
      Object.assign(job, { jobId, stage: 'job-running', polling });
    },
    finished(finished: FinishedJob): void {
      Object.assign(job, { polling: undefined, checks: finished.checks, lastCheckAt: now(), jobStartedAt: finished.startedAt, metrics: finished.metrics });
    },
    failed(): void {
      Object.assign(job, { polling: undefined, stage: 'failed' });
    },
  };
}
