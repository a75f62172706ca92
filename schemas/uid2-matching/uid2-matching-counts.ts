import type { PrepCounts } from '../../pii/prep/run/prep-counts';
import type { IdentifierCounts, JobMetrics } from './uid2-matching';

/**
 * Where the rows of one prepared identifier went, from the preparation's counts (`column`: the identifier's
 * column) and the job's metrics (undefined when no job ran: nothing was left to send). A discrepancy is
 * described, not thrown.
 */
export function identifierCounts(prep: PrepCounts, column: string, metrics: JobMetrics | undefined): IdentifierCounts {
  const c = prep.columns[column];
  const rejectReasons: Record<string, number> = { ...(c?.reasons ?? {}) };
  if (c && c.empty > 0) rejectReasons.empty = c.empty;
  const unreadable = prep.rowsRejected - (c ? c.rejected + c.empty : 0);
  if (unreadable > 0) rejectReasons.unreadable = unreadable;
  const counts: IdentifierCounts = {
    inputRows: prep.rowsIn,
    rejectedBeforeEr: prep.rowsRejected,
    rejectReasons,
    recovered: c?.rewritten ?? 0,
    sentToEr: prep.rowsOut,
    matched: metrics?.totalRecordsProcessed ?? 0,
    notProcessedByEr: metrics?.recordsNotProcessed ?? 0,
  };
  const discrepancy = discrepancyOf(counts, metrics);
  return discrepancy ? { ...counts, discrepancy } : counts;
}

/** Counts of a job that read the table as it is: every input row reached Entity Resolution. */
export function unpreparedCounts(metrics: JobMetrics): IdentifierCounts {
  return {
    inputRows: metrics.inputRecords,
    rejectedBeforeEr: 0,
    rejectReasons: {},
    recovered: 0,
    sentToEr: metrics.inputRecords,
    matched: metrics.totalRecordsProcessed,
    notProcessedByEr: metrics.recordsNotProcessed,
  };
}

function discrepancyOf(counts: IdentifierCounts, metrics: JobMetrics | undefined): string | undefined {
  const problems: string[] = [];
  const accounted = counts.matched + counts.notProcessedByEr + counts.rejectedBeforeEr;
  if (accounted !== counts.inputRows) {
    problems.push(`${counts.inputRows} input rows, but ${counts.matched} matched + ${counts.notProcessedByEr} not processed by Entity Resolution + ${counts.rejectedBeforeEr} rejected before it = ${accounted}`);
  }
  const erRead = metrics?.inputRecords ?? 0;
  if (erRead !== counts.sentToEr) problems.push(`${counts.sentToEr} rows prepared, but Entity Resolution read ${erRead}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}
