import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../pii/prep/run/prep-counts';
import { identifierCounts, unpreparedCounts } from '../../schemas/uid2-matching/uid2-matching-counts';
import { renderIdentifierCounts } from '../../starters/uid2-matching-status';
import { uid2MatchingStatus } from '../../workflows/uid2-matching/uid2-matching-status';

const prepCounts = () => {
  const counts = { ...emptyCounts({ Phone: 'PHONE' }), rowsIn: 240, rowsOut: 222, rowsRejected: 18 };
  counts.columns.Phone = { type: 'PHONE', normalized: 222, rewritten: 118, passedThrough: 0, empty: 12, rejected: 5, reasons: { 'not a phone number in E.164 or a US national format': 5 } };
  return counts;
};

describe('identifierCounts', () => {
  it('accounts for every input row: matched + not processed by ER + rejected before it (empty, invalid, unreadable)', () => {
    const counts = identifierCounts(prepCounts(), 'Phone', { inputRecords: 222, totalRecordsProcessed: 220, recordsNotProcessed: 2 });
    expect(counts).toEqual({
      inputRows: 240,
      rejectedBeforeEr: 18,
      rejectReasons: { 'not a phone number in E.164 or a US national format': 5, empty: 12, unreadable: 1 },
      recovered: 118,
      sentToEr: 222,
      matched: 220,
      notProcessedByEr: 2,
    });
    expect(renderIdentifierCounts('phone', counts)).toBe(
      'phone: 240 in, 18 rejected (not a phone number in E.164 or a US national format 5, empty 12, unreadable 1), 118 recovered, 222 sent, 220 matched, 2 not processed',
    );
  });

  it('describes counts that do not reconcile instead of hiding them', () => {
    const counts = identifierCounts(prepCounts(), 'Phone', { inputRecords: 221, totalRecordsProcessed: 219, recordsNotProcessed: 2 });
    expect(counts.discrepancy).toBe('240 input rows, but 219 matched + 2 not processed by Entity Resolution + 18 rejected before it = 239; 222 rows prepared, but Entity Resolution read 221');
    expect(renderIdentifierCounts('phone', counts)).toContain('— counts do not reconcile: 240 input rows');
  });

  it('without preparation every input row reached Entity Resolution', () => {
    expect(unpreparedCounts({ inputRecords: 240, totalRecordsProcessed: 121, recordsNotProcessed: 119 })).toMatchObject({ inputRows: 240, rejectedBeforeEr: 0, sentToEr: 240, matched: 121, notProcessedByEr: 119 });
  });
});

describe('the status query with counts', () => {
  it('names a job whose counts do not reconcile in the next action, and says what a preparing job does', () => {
    const counts = identifierCounts(prepCounts(), 'Phone', { inputRecords: 221, totalRecordsProcessed: 219, recordsNotProcessed: 2 });
    const status = uid2MatchingStatus(
      {
        stage: 'matching',
        startedAt: '2026-12-06T00:00:00.000Z',
        jobs: [
          { identifier: 'email', erWorkflow: 'x_email', stage: 'preparing' },
          { identifier: 'phone', erWorkflow: 'x_phone', stage: 'completed', counts },
        ],
      },
      Date.parse('2026-12-06T01:00:00.000Z'),
    );
    expect(status.nextAction).toBe(
      'Running one Entity Resolution job per identifier type; see jobs for each one. email is being prepared (prepareIdentityData): values normalised for UID2, unusable rows to the rejects ' +
        `phone counts do not reconcile (${counts.discrepancy}): compare the rejects and the job's error output with the input.`,
    );
  });
});
