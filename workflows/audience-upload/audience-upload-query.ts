/**
 * Step 2 of audienceUpload for a Clean Rooms source: start the protected query (adopted by its
 * run-unique result prefix after a lost answer), then one check per poll attempt until it ends, so the
 * history does not grow with the query's duration. Past `source.timeout` the query is cancelled.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import { PROTECTED_QUERY_TIMED_OUT } from '../../schemas/failures';
import type { Activities } from '../../activities';
import type { AudienceUploadConfig } from '../../schemas/audience-upload/audience-upload';
import type { AudienceUploadState } from './audience-upload-status';
import { CONTROL_PLANE } from '../support/activity-options';
import { pollSchedule, pollingActivityOptions } from '../support/polling';

type QuerySource = Extract<AudienceUploadConfig['source'], { kind: 'cleanRoomsQuery' }>;

export async function runProtectedQuery(source: QuerySource, runKey: string, state: AudienceUploadState): Promise<{ resultUri: string; queryId: string; durationMs?: number }> {
  const control = proxyActivities<Activities>(CONTROL_PLANE);
  const poll = proxyActivities<Activities>(pollingActivityOptions(source.poll, source.timeout));
  const { queryId } = await control.startProtectedQuery({
    membershipId: source.membershipId,
    sql: source.sql,
    analysisTemplateArn: source.analysisTemplateArn,
    parameters: source.parameters,
    resultBucket: source.resultBucket,
    keyPrefix: `${source.resultPrefix}run-${runKey}/`,
    resultFormat: source.resultFormat,
  });
  state.source.queryId = queryId;
  state.source.polling = pollSchedule(source.poll, Date.now());
  try {
    const done = await poll.checkProtectedQuery({ membershipId: source.membershipId, queryId });
    state.source.resultUri = done.resultUri;
    return { resultUri: done.resultUri, queryId, durationMs: done.totalDurationMs };
  } catch (err) {
    if (!(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure)) throw err;
    await CancellationScope.nonCancellable(() => control.cancelProtectedQuery({ membershipId: source.membershipId, queryId }));
    throw ApplicationFailure.create({
      type: PROTECTED_QUERY_TIMED_OUT,
      nonRetryable: true,
      message: `protected query ${queryId} did not finish within source.timeout; it was cancelled`,
    });
  }
}
