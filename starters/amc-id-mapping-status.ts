import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { amcIdMapping } from '../workflows/amc-id-mapping/amc-id-mapping';
import { amcIdMappingStatusQuery } from '../workflows/amc-id-mapping/amc-id-mapping-messages';
import type { DataChangedAnswer } from '../workflows/amc-id-mapping/amc-id-mapping-messages';
import type { AmcIdMappingStatus } from '../workflows/amc-id-mapping/amc-id-mapping-status';
import { failureMessage } from './lib/run-workflow';

/** One progress line for `--wait`: stage, the collaboration link while it is awaited, job checks, the refresh window. */
export function renderAmcIdMappingStatus(s: AmcIdMappingStatus): string {
  const parts = [`[${s.stage}]`];
  if (s.stage === 'waiting-for-collaboration' && s.collaboration) {
    parts.push(`collaboration ${s.collaboration.status}`);
    if (s.collaboration.customerAcceptanceLink) parts.push(`accept at ${s.collaboration.customerAcceptanceLink}`);
    if (s.collaboration.checks !== undefined) parts.push(`checks ${s.collaboration.checks}`);
  }
  if (s.lastJob && s.lastJob.status !== 'SUCCEEDED') parts.push(`${s.lastJob.kind} job ${s.lastJob.status}${s.lastJob.checks !== undefined ? `, checks ${s.lastJob.checks}` : ''}`);
  if (s.tables.length > 0) parts.push(`table ${s.tables.map((t) => t.id).join(',')}`);
  if (s.pending) parts.push(`changes pending since ${s.pending.since}`);
  if (s.nextEligibleAt && s.pending) parts.push(`refresh on ${s.nextEligibleAt}`);
  if (s.runs > 1) parts.push(`run ${s.runs}`);
  return parts.join('  ');
}

/**
 * The `data-changed` answer. The guard answers before it looks at the input, so the answer can only say
 * what was pending already; what the look finds shows in `status`.
 */
export function renderDataChangedAnswer(workflowId: string, answer: DataChangedAnswer): string {
  const before = answer.pending ? `changes already pending since ${answer.pending.since}, refresh on ${answer.nextEligibleAt}` : 'no change pending before it';
  return `${workflowId}: notice accepted (${before}); the guard looks at the input next: \`status\` shows what it finds`;
}

const GUARDING = new Set(['guarding', 'waiting-for-refresh-window', 'processing-input', 'refreshing']);

/**
 * `--wait` of a run that lasts months: prints a line per change until the table exists and its first job
 * succeeded (the guard took over: exit 0), or the run ended (a failure: exit 1).
 */
export async function followUntilGuarding(
  handle: Pick<WorkflowHandle<typeof amcIdMapping>, 'query' | 'result'>,
  out: (line: string) => void,
  everyMs = 2000,
): Promise<number> {
  let ended: { failure?: string } | undefined;
  handle.result().then(
    () => (ended = {}),
    (err: unknown) => (ended = { failure: err instanceof WorkflowFailedError ? failureMessage(err) : String(err) }),
  );
  let last = '';
  for (;;) {
    const status = await handle.query(amcIdMappingStatusQuery, new Date().toISOString()).catch(() => undefined);
    if (status) {
      const line = renderAmcIdMappingStatus(status);
      if (line !== last) out(line);
      last = line;
      if (GUARDING.has(status.stage) && status.tables.length > 0) {
        out(`guarding: ${status.nextAction}`);
        return 0;
      }
    }
    if (ended) {
      out(ended.failure ? `Failed: ${ended.failure}` : 'The run ended (its table was deleted).');
      return ended.failure ? 1 : 0;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
