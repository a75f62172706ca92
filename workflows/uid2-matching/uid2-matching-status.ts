import type { FinishedJob } from '../../activities/entity-resolution/entity-resolution';
import type { ErSlotWait } from '../../schemas/uid2-matching/er-quotas';
import type { PollSchedule } from '../../schemas/poll-schedule';
import { pollProgressAt } from '../../schemas/poll-schedule';
import type { MatchingJobStage, MatchingJobStatus, Uid2MatchingStage, Uid2MatchingStatus } from '../../schemas/uid2-matching/uid2-matching';

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
  'job-running': 'job running; checked on a backoff schedule',
};

function jobAction(job: MatchingJobStatus): string | undefined {
  if (job.stage === 'queued') {
    return job.queue === 'account-region'
      ? 'waits for an earlier provider-service job of this account and Region (jobQueue "account-region")'
      : 'waits for an earlier job on the same ER workflow (one job per matching workflow)';
  }
  if (job.stage === 'waiting-for-slot' && job.slotWait) {
    const { quotaName, attempts, nextAttemptAt, giveUpAt } = job.slotWait;
    return `waits for the Region's job slot (${quotaName ? `quota "${quotaName}"` : 'a concurrency quota'} in use): start refused ${attempts} time${attempts === 1 ? '' : 's'}, next try at ${nextAttemptAt}, gives up at ${giveUpAt}`;
  }
  return JOB_ACTION[job.stage];
}

/** The run's status as of `atMs`: poll checks of running jobs are derived from their schedule, not recorded. */
export function uid2MatchingStatus(status: Omit<Uid2MatchingStatus, 'nextAction'>, atMs: number): Uid2MatchingStatus {
  const jobs = status.jobs.map((job) => {
    if (!job.polling) return { ...job };
    const progress = pollProgressAt(job.polling, Math.max(atMs, Date.parse(job.polling.since)));
    return { ...job, checks: progress.checks, lastCheckAt: progress.lastCheckAt, nextCheckAt: progress.nextCheckAt };
  });
  const waits = jobs.flatMap((j) => {
    const action = jobAction(j);
    return action ? [`${j.identifier} ${action}`] : [];
  });
  const discrepancies = jobs.flatMap((j) => (j.counts?.discrepancy ? [`${j.identifier} counts do not reconcile (${j.counts.discrepancy}): compare the rejects and the job's error output with the input.`] : []));
  return { ...status, jobs, nextAction: [NEXT_ACTION[status.stage], ...(status.stage === 'matching' ? waits : []), ...discrepancies].join(' ') };
}

/** One job's entry in the run's status, moved along as the job goes; `nowMs` is the workflow's clock. */
export function matchingJobProgress(job: MatchingJobStatus, nowMs: () => number) {
  const now = () => new Date(nowMs()).toISOString();
  return {
    enter(stage: Exclude<MatchingJobStage, 'job-running' | 'waiting-for-slot' | 'failed'>): void {
      job.stage = stage;
      if (stage === 'queued') Object.assign(job, { queuedSince: now(), queue: 'er-workflow' });
    },
    /** In the ER workflow's turn, queued again for the account + Region's (jobQueue 'account-region'). */
    queuedForRegion(): void {
      Object.assign(job, { stage: 'queued', queue: 'account-region' });
    },
    waitingForSlot: (wait: ErSlotWait): void => {
      Object.assign(job, { stage: 'waiting-for-slot', slotWait: wait });
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
