import type { IdentifierCounts, MatchingJobStatus, Uid2MatchingStatus } from '../schemas/uid2-matching/uid2-matching';
import { unpreparedCounts } from '../schemas/uid2-matching/uid2-matching-counts';

/** `phone: 240 in, 12 rejected (empty 12), 118 recovered, 228 sent, 228 matched, 0 not processed`. */
export function renderIdentifierCounts(identifier: string, c: IdentifierCounts): string {
  const reasons = Object.entries(c.rejectReasons).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const rejected = `${c.rejectedBeforeEr} rejected${reasons ? ` (${reasons})` : ''}`;
  const line = `${identifier}: ${c.inputRows} in, ${rejected}, ${c.recovered} recovered, ${c.sentToEr} sent, ${c.matched} matched, ${c.notProcessedByEr} not processed`;
  return c.discrepancy ? `${line} — counts do not reconcile: ${c.discrepancy}` : line;
}

function renderJob(job: MatchingJobStatus): string {
  const parts = [`${job.identifier} ${job.stage}`];
  if (job.jobId) parts.push(`job ${job.jobId}`);
  if (job.stage === 'queued' && job.queue === 'account-region') parts.push('behind the account + Region queue');
  if (job.stage === 'waiting-for-slot' && job.slotWait) {
    const { quotaName, attempts, nextAttemptAt } = job.slotWait;
    parts.push(`${quotaName ?? 'job slot'} in use, start refused ${attempts}×, next try ${nextAttemptAt.slice(11, 19)}Z`);
  }
  if (job.stage === 'job-running' && job.checks !== undefined) parts.push(`check ${job.checks}${job.nextCheckAt ? `, next ${job.nextCheckAt.slice(11, 19)}Z` : ''}`);
  const counts = job.counts ?? (job.metrics ? unpreparedCounts(job.metrics) : undefined);
  if (counts) parts.push(renderIdentifierCounts(job.identifier, counts));
  return parts.join(', ');
}

/** One line per change of stage or job progress, for `--wait`. */
export function renderUid2MatchingStatus(status: Uid2MatchingStatus): string {
  const jobs = status.stage === 'matching' || status.stage === 'completed' || status.stage === 'failed' ? ` | ${status.jobs.map(renderJob).join(' | ')}` : '';
  return `stage ${status.stage}${jobs}`;
}
