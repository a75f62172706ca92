import type { MatchingJobStatus, Uid2MatchingStatus } from '../schemas/uid2-matching';

function renderJob(job: MatchingJobStatus): string {
  const parts = [`${job.identifier} ${job.stage}`];
  if (job.jobId) parts.push(`job ${job.jobId}`);
  if (job.stage === 'queued' && job.queue === 'account-region') parts.push('behind the account + Region queue');
  if (job.stage === 'waiting-for-slot' && job.slotWait) {
    const { quotaName, attempts, nextAttemptAt } = job.slotWait;
    parts.push(`${quotaName ?? 'job slot'} in use, start refused ${attempts}×, next try ${nextAttemptAt.slice(11, 19)}Z`);
  }
  if (job.stage === 'job-running' && job.checks !== undefined) parts.push(`check ${job.checks}${job.nextCheckAt ? `, next ${job.nextCheckAt.slice(11, 19)}Z` : ''}`);
  if (job.metrics) parts.push(`${job.metrics.totalRecordsProcessed}/${job.metrics.inputRecords} records processed`);
  return parts.join(', ');
}

/** One line per change of stage or job progress, for `--wait`. */
export function renderUid2MatchingStatus(status: Uid2MatchingStatus): string {
  const jobs = status.stage === 'matching' || status.stage === 'completed' || status.stage === 'failed' ? ` | ${status.jobs.map(renderJob).join(' | ')}` : '';
  return `stage ${status.stage}${jobs}`;
}
