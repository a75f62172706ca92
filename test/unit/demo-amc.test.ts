import { describe, expect, it } from 'vitest';
import { amcTableLine } from '../../scripts/demo-amc';
import type { AmcIdMappingStatus } from '../../workflows/amc-id-mapping/amc-id-mapping-status';

const guarding: AmcIdMappingStatus = {
  stage: 'guarding',
  startedAt: '2026-12-07T00:36:29.520Z',
  runs: 1,
  asOf: '2026-12-07T00:37:33.585Z',
  tables: [{ name: 'Demo_AMC_Customers', id: 'tbl-1', createdAt: '2026-12-07T00:36:40.395Z' }],
  lastJob: { kind: 'create', status: 'SUCCEEDED' },
  nextEligibleAt: '2026-12-21T01:36:40.395Z',
  refreshes: 0,
  generations: 1,
  inputsProcessed: 1,
  inputsUnchanged: 0,
  pending: null,
  nextAction: 'Idle',
};
const counts = { inputRows: 240, rejected: 0, keys: 238, collapsedKeys: 1, rowsRead: 240, rowsWithoutKey: 0, rowsIn: 240, rowsOut: 238, duplicateRowsDropped: 0, droppedValues: {}, emptyRowsDropped: [0], widthsCut: {} };

describe('the demo’s AMC line', () => {
  it('prints ids and counts once the create job succeeded, nothing before', () => {
    expect(amcTableLine({ ...guarding, stage: 'mapping-job', lastJob: { kind: 'create', status: 'RUNNING' } })).toBeUndefined();
    expect(amcTableLine({ ...guarding, lastInput: { at: guarding.asOf, generation: 'g-1', unchanged: false, counts } })).toBe(
      'demo: AMC mapping table Demo_AMC_Customers (id tbl-1) ready: 240 rows in, 0 rejected, 238 customer keys (1 collapsed from over 25 rows), create job SUCCEEDED; AMC allows its next refresh from 2026-12-21T01:36:40.395Z',
    );
  });

  it('still prints when the last look found the input unchanged (a restarted demo), without counts', () => {
    expect(amcTableLine({ ...guarding, lastInput: { at: guarding.asOf, unchanged: true } })).toBe(
      'demo: AMC mapping table Demo_AMC_Customers (id tbl-1) ready, create job SUCCEEDED; AMC allows its next refresh from 2026-12-21T01:36:40.395Z',
    );
  });
});
