/**
 * The workflows of the audienceUpload time-skipping suite: the real workflow and turn queue, with a
 * stand-in for its prepareIdentityData child that hands the work to FakeTiktok's activity.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';
import type { FakePrepareActivities } from './fake-tiktok';

export { audienceUpload, erJobQueue } from '../../workflows';

const fake = proxyActivities<FakePrepareActivities>({ startToCloseTimeout: '1 minute' });

export async function prepareIdentityData(input: PrepareIdentityDataInput): Promise<PrepSummary> {
  return fake.fakePrepare(input);
}
