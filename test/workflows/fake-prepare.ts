import type { PrepSummary } from '../../activities/preparation/prepare-dataset';

/** What the stand-in child prepareIdentityData answers: a published run of `rows` rows under `output`, nothing rejected. */
export function fakePrepSummary(output: string, rows: number): PrepSummary {
  return {
    manifestUri: `${output}manifest.json`,
    dataPrefix: `${output}run-1/data/`,
    rejectsPrefix: `${output}run-1/rejects/`,
    counts: { rowsIn: rows, rowsOut: rows, rowsRejected: 0, blankLines: 0, columns: {} },
    outputObjects: 1,
    rejectObjects: 0,
    removedObjects: 0,
  };
}
