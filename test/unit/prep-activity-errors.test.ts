import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepActivities, type PrepareDatasetTaskInput } from '../../activities/preparation/prepare-dataset';
import { PREP_INPUT_ERROR } from '../../schemas/failures';
import { prepRulesSchema } from '../../schemas/preparation/prep';
import { activityFailureOf } from '../helpers/failures';

/**
 * A CSV without its header line puts a data row where the column names belong. The activities'
 * failures reach Temporal, so they must say what is wrong without quoting that row.
 */
let dir: string;
const activities = createPrepActivities({ s3: new S3Client({ region: 'us-east-1' }), prepThreads: 0 });
const rules = prepRulesSchema.parse({ profile: 'uid2', columns: { email: 'EMAIL' } });
const firstRow = ['C1', 'jane.doe@example.com', '+14155550123'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prep-activity-errors-'));
  await writeFile(join(dir, 'headerless.csv'), `${firstRow.join(',')}\nC2,john@example.com,+14155550199\n`.repeat(200));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prep activities on a file without a header line', () => {
  it('planning a split object fails without quoting the first row, and returns no header', async () => {
    const failure = await activityFailureOf(new MockActivityEnvironment().run((input) => activities.planDatasetPreparation(input), { input: join(dir, 'headerless.csv'), splitBytes: 1024, rules }));
    expect(failure.type).toBe(PREP_INPUT_ERROR);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`mapped column "email" not in the input's header (3 columns; is its first line a header?)`);
  });

  it('preparing it fails the same way', async () => {
    const input: PrepareDatasetTaskInput = {
      task: { index: 0, input: join(dir, 'headerless.csv'), format: 'csv', rowOffset: 0 },
      outputPrefix: join(dir, 'out'),
      outputFormat: 'csv',
      rules,
      partRows: 1000,
    };
    const failure = await activityFailureOf(new MockActivityEnvironment().run((i: PrepareDatasetTaskInput) => activities.prepareDataset(i), input));
    expect(failure.type).toBe(PREP_INPUT_ERROR);
    for (const value of firstRow) expect(failure.message).not.toContain(value);
  });
});
