/**
 * The workflows of the amcIdMapping time-skipping suite: the real guard, with stand-ins for its two
 * children (prepareIdentityData and groupByKey) that hand the work to FakeAmc's activities.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { GroupByKeyInput, GroupByKeyResult } from '../../schemas/preparation/group-by-key';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';
import type { FakeChildActivities } from './fake-amc';

export { amcIdMapping, amcIdMappingInputArrived } from '../../workflows';

const fake = proxyActivities<FakeChildActivities>({ startToCloseTimeout: '1 minute' });

export async function prepareIdentityData(input: PrepareIdentityDataInput): Promise<PrepSummary> {
  return fake.fakePrepare(input);
}

export async function groupByKey(input: GroupByKeyInput): Promise<GroupByKeyResult> {
  return fake.fakeGroup(input);
}
