import {
  CleanRoomsClient,
  ConflictException,
  GetMembershipCommand,
  GetProtectedQueryCommand,
  ListProtectedQueriesCommand,
  StartProtectedQueryCommand,
  ThrottlingException,
  UpdateProtectedQueryCommand,
  type ProtectedQuery,
} from '@aws-sdk/client-cleanrooms';
import { ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createCleanRoomsQueryActivities, type ProtectedQuerySpec } from '../../activities/clean-rooms/clean-rooms-queries';
import { AwsFailureType, PROTECTED_QUERY_CANCELLED, PROTECTED_QUERY_FAILED, PROTECTED_QUERY_RUNNING, PROTECTED_QUERY_TIMED_OUT } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';

// The class, so the activity's single-attempt client for StartProtectedQuery is mocked as well.
const cr = mockClient(CleanRoomsClient);
const activities = withAwsFailureMapping(createCleanRoomsQueryActivities({ cleanRooms: new CleanRoomsClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } }) }));
const meta = { $metadata: {} };

const M = '11111111-2222-4333-8444-555555555555';
const ARN = `arn:aws:cleanrooms:us-east-1:111122223333:membership/${M}`;
const SCHEDULED = Date.parse('2026-12-07T06:00:00Z');
const spec: ProtectedQuerySpec = { membershipId: M, sql: 'SELECT email FROM customers', resultBucket: 'query-results', keyPrefix: 'audience-upload/run-abc/', resultFormat: 'CSV' };
const env = (attempt: number) => new MockActivityEnvironment({ attempt, scheduledTimestampMs: SCHEDULED, currentAttemptScheduledTimestampMs: SCHEDULED + 60_000 * attempt });

function query(id: string, over: Partial<ProtectedQuery> = {}): ProtectedQuery {
  return {
    id,
    membershipId: M,
    membershipArn: ARN,
    createTime: new Date(SCHEDULED + 1000),
    status: 'STARTED',
    resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'CSV', bucket: 'query-results', keyPrefix: spec.keyPrefix } } },
    ...over,
  };
}

const check = (attempt = 1) => env(attempt).run((i: { membershipId: string; queryId: string }) => activities.checkProtectedQuery(i), { membershipId: M, queryId: 'q-1' });

beforeEach(() => cr.reset());

describe('startProtectedQuery', () => {
  it('starts the query with an S3 result under the run\'s key prefix on a first attempt, without looking for an earlier one', async () => {
    cr.on(StartProtectedQueryCommand).resolves({ ...meta, protectedQuery: query('q-new', { status: 'SUBMITTED' }) });
    expect(await env(1).run((s: ProtectedQuerySpec) => activities.startProtectedQuery(s), spec)).toEqual({ queryId: 'q-new', adopted: false });
    expect(cr.commandCalls(ListProtectedQueriesCommand)).toHaveLength(0);
    expect(cr.commandCalls(StartProtectedQueryCommand)[0]!.args[0].input).toEqual({
      type: 'SQL',
      membershipIdentifier: M,
      sqlParameters: { queryString: spec.sql, analysisTemplateArn: undefined, parameters: undefined },
      resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'CSV', bucket: 'query-results', keyPrefix: spec.keyPrefix } } },
    });
  });

  it('on a retry adopts the query an earlier attempt started (same bucket and key prefix), reading only queries created since the first attempt', async () => {
    cr.on(ListProtectedQueriesCommand).resolves({
      ...meta,
      protectedQueries: [
        { id: 'q-old', membershipId: M, membershipArn: ARN, createTime: new Date(SCHEDULED - 3_600_000), status: 'SUCCESS', receiverConfigurations: [] },
        { id: 'q-other', membershipId: M, membershipArn: ARN, createTime: new Date(SCHEDULED + 500), status: 'STARTED', receiverConfigurations: [] },
        { id: 'q-ours', membershipId: M, membershipArn: ARN, createTime: new Date(SCHEDULED + 900), status: 'SUBMITTED', receiverConfigurations: [] },
      ],
    });
    cr.on(GetProtectedQueryCommand, { protectedQueryIdentifier: 'q-other' }).resolves({
      ...meta,
      protectedQuery: query('q-other', { resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'CSV', bucket: 'query-results', keyPrefix: 'audience-upload/run-xyz/' } } } }),
    });
    cr.on(GetProtectedQueryCommand, { protectedQueryIdentifier: 'q-ours' }).resolves({ ...meta, protectedQuery: query('q-ours') });

    expect(await env(2).run((s: ProtectedQuerySpec) => activities.startProtectedQuery(s), spec)).toEqual({ queryId: 'q-ours', adopted: true });
    expect(cr.commandCalls(StartProtectedQueryCommand)).toHaveLength(0);
    expect(cr.commandCalls(GetProtectedQueryCommand).map((c) => c.args[0].input.protectedQueryIdentifier)).toEqual(['q-other', 'q-ours']);
  });

  it('on a retry that finds none of its own starts one', async () => {
    cr.on(ListProtectedQueriesCommand).resolves({ ...meta, protectedQueries: [] });
    cr.on(StartProtectedQueryCommand).resolves({ ...meta, protectedQuery: query('q-new', { status: 'SUBMITTED' }) });
    expect(await env(3).run((s: ProtectedQuerySpec) => activities.startProtectedQuery(s), spec)).toEqual({ queryId: 'q-new', adopted: false });
  });

  it('a throttled start is a retryable AwsThrottled failure', async () => {
    cr.on(StartProtectedQueryCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    const failure = await activityFailureOf(env(1).run((s: ProtectedQuerySpec) => activities.startProtectedQuery(s), spec));
    expect(failure.type).toBe(AwsFailureType.throttled);
    expect(failure.nonRetryable).toBe(false);
  });
});

describe('checkProtectedQuery', () => {
  it.each(['SUBMITTED', 'STARTED', 'CANCELLING'] as const)('%s: a benign retryable ProtectedQueryRunning naming the query and the check', async (status) => {
    cr.on(GetProtectedQueryCommand).resolves({ ...meta, protectedQuery: query('q-1', { status }) });
    const failure = await activityFailureOf(check(7));
    expect(failure).toMatchObject({ type: PROTECTED_QUERY_RUNNING, nonRetryable: false, category: ApplicationFailureCategory.BENIGN });
    expect(failure.message).toBe(`Protected query q-1 in Clean Rooms membership ${M} is ${status} (check 7)`);
  });

  it('SUCCESS: the S3 result location and the duration', async () => {
    cr.on(GetProtectedQueryCommand).resolves({
      ...meta,
      protectedQuery: query('q-1', { status: 'SUCCESS', result: { output: { s3: { location: 's3://query-results/audience-upload/run-abc/q-1/result/' } } }, statistics: { totalDurationInMillis: 7_200_000 } }),
    });
    expect(await check()).toEqual({ resultUri: 's3://query-results/audience-upload/run-abc/q-1/result/', totalDurationMs: 7_200_000 });
  });

  it('FAILED: non-retryable ProtectedQueryFailed with Clean Rooms\' code and its message, identifiers redacted', async () => {
    cr.on(GetProtectedQueryCommand).resolves({
      ...meta,
      protectedQuery: query('q-1', { status: 'FAILED', error: { code: 'QueryExecutionFailed', message: "Column value 'jane.doe@example.com' cannot be cast" } }),
    });
    const failure = await activityFailureOf(check());
    expect(failure).toMatchObject({ type: PROTECTED_QUERY_FAILED, nonRetryable: true });
    expect(failure.message).toContain(`Protected query q-1 in Clean Rooms membership ${M} FAILED: QueryExecutionFailed:`);
    expect(failure.message).not.toContain('jane.doe@example.com');
    expect(failure.details).toEqual([{ queryId: 'q-1', status: 'FAILED', code: 'QueryExecutionFailed' }]);
  });

  it.each([
    ['CANCELLED', PROTECTED_QUERY_CANCELLED],
    ['TIMED_OUT', PROTECTED_QUERY_TIMED_OUT],
  ] as const)('%s: non-retryable %s', async (status, type) => {
    cr.on(GetProtectedQueryCommand).resolves({ ...meta, protectedQuery: query('q-1', { status }) });
    const failure = await activityFailureOf(check());
    expect(failure).toMatchObject({ type, nonRetryable: true });
    expect(failure.message).toContain(`Protected query q-1 in Clean Rooms membership ${M}`);
  });

  it('SUCCESS without an S3 result (a member-list output) is a non-retryable failure, not an empty source', async () => {
    cr.on(GetProtectedQueryCommand).resolves({ ...meta, protectedQuery: query('q-1', { status: 'SUCCESS', result: { output: { memberList: [] } } }) });
    expect(await activityFailureOf(check())).toMatchObject({ type: PROTECTED_QUERY_FAILED, nonRetryable: true });
  });
});

describe('cancelProtectedQuery and checkQueryMembership', () => {
  it('cancels a running query; one that has already ended (ConflictException) needs nothing', async () => {
    cr.on(UpdateProtectedQueryCommand).resolvesOnce({ ...meta, protectedQuery: query('q-1', { status: 'CANCELLING' }) }).rejectsOnce(new ConflictException({ message: 'ended', $metadata: {} }));
    const cancel = () => env(1).run((i: { membershipId: string; queryId: string }) => activities.cancelProtectedQuery(i), { membershipId: M, queryId: 'q-1' });
    await cancel();
    await cancel();
    expect(cr.commandCalls(UpdateProtectedQueryCommand).map((c) => c.args[0].input)).toEqual([
      { membershipIdentifier: M, protectedQueryIdentifier: 'q-1', targetStatus: 'CANCELLED' },
      { membershipIdentifier: M, protectedQueryIdentifier: 'q-1', targetStatus: 'CANCELLED' },
    ]);
  });

  it('reads the member abilities of an ACTIVE membership and refuses one that is not ACTIVE', async () => {
    const membership = { id: M, arn: ARN, collaborationId: 'c-1', status: 'ACTIVE', memberAbilities: ['CAN_QUERY'] };
    cr.on(GetMembershipCommand).resolvesOnce({ ...meta, membership: membership as never }).resolvesOnce({ ...meta, membership: { ...membership, status: 'REMOVED' } as never });
    const run = () => env(1).run((i: { membershipId: string }) => activities.checkQueryMembership(i), { membershipId: M });
    expect(await run()).toEqual({ membershipArn: ARN, canQuery: true, canReceiveResults: false });
    const failure = await activityFailureOf(run());
    expect(failure).toMatchObject({ type: AwsFailureType.accessDenied, nonRetryable: true });
    expect(failure.message).toContain('REMOVED');
  });
});
