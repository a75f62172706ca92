import {
  AccessDeniedException,
  CleanRoomsClient,
  ConflictException,
  GetProtectedQueryCommand,
  ListProtectedQueriesCommand,
  ResourceNotFoundException,
  StartProtectedQueryCommand,
  UpdateProtectedQueryCommand,
  ValidationException,
  type StartProtectedQueryCommandInput,
} from '@aws-sdk/client-cleanrooms';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createCleanRoomsQueryActivities, type ProtectedQuerySpec } from '../../activities/clean-rooms/clean-rooms-queries';
import { AwsFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';
import { adminCall, useSandboxBuckets } from '../helpers/sandbox';
import { objectBytes, objectText } from '../helpers/s3-objects';

const ctx = useSandboxBuckets('audience-sources', 'query-results');
const cleanRooms = (): CleanRoomsClient => ctx.aws.cleanRooms;

const SQL = 'SELECT email, phone FROM customers';
const TEMPLATE = 'arn:aws:cleanrooms:us-east-1:000000000000:membership/11111111-2222-4333-8444-555555555555/analysistemplate/22222222-3333-4444-8555-666666666666';
const SOURCE_CSV = 'email,phone\na@example.com,+14155550100\nb@example.com,+14155550101\n';

async function membership(body: Record<string, unknown> = {}): Promise<string> {
  return ((await adminCall(ctx.sandbox, 'POST', '/clean-rooms/memberships', body)) as { membership: { id: string } }).membership.id;
}

const durations = (d: { submittedMs?: number; runningMs?: number }) => adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-durations', d);

function startInput(membershipIdentifier: string, over: Partial<StartProtectedQueryCommandInput> = {}): StartProtectedQueryCommandInput {
  return {
    type: 'SQL',
    membershipIdentifier,
    sqlParameters: { queryString: SQL },
    resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'CSV', bucket: 'query-results', keyPrefix: 'audience-upload/run-1' } } },
    ...over,
  };
}

const get = async (membershipIdentifier: string, protectedQueryIdentifier: string) =>
  (await cleanRooms().send(new GetProtectedQueryCommand({ membershipIdentifier, protectedQueryIdentifier }))).protectedQuery!;

beforeEach(async () => {
  await ctx.aws.s3.send(new PutObjectCommand({ Bucket: 'audience-sources', Key: 'customers/part-1.csv', Body: SOURCE_CSV }));
  await adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-sources', { match: { sql: SQL }, source: 's3://audience-sources/customers/' });
});

describe('sandbox Clean Rooms: protected queries', () => {
  it('moves a query SUBMITTED → STARTED → SUCCESS by its durations and writes the registered rows as a real CSV result', async () => {
    await durations({ submittedMs: 3_600_000, runningMs: 3_600_000 });
    const m = await membership();
    const started = (await cleanRooms().send(new StartProtectedQueryCommand(startInput(m)))).protectedQuery!;
    expect(started).toMatchObject({ membershipId: m, status: 'SUBMITTED', sqlParameters: { queryString: SQL } });
    expect(started.membershipArn).toMatch(new RegExp(`^arn:aws:cleanrooms:us-east-1:\\d{12}:membership/${m}$`));
    expect(started.createTime).toBeInstanceOf(Date);
    expect(started.resultConfiguration?.outputConfiguration?.s3).toEqual({ resultFormat: 'CSV', bucket: 'query-results', keyPrefix: 'audience-upload/run-1' });
    expect((await get(m, started.id!)).status).toBe('SUBMITTED');

    await durations({ submittedMs: 0 });
    expect((await get(m, started.id!)).status).toBe('STARTED');

    await durations({ runningMs: 0 });
    const done = await get(m, started.id!);
    expect(done.status).toBe('SUCCESS');
    expect(done.statistics?.totalDurationInMillis).toBeGreaterThanOrEqual(0);
    const location = done.result!.output!.s3!.location!;
    expect(location).toBe(`s3://query-results/audience-upload/run-1/${started.id}/result/`);
    const listed = await ctx.aws.s3.send(new ListObjectsV2Command({ Bucket: 'query-results', Prefix: `audience-upload/run-1/${started.id}/result/` }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual([`audience-upload/run-1/${started.id}/result/part-00000.csv`]);
    expect(parse(await objectText(ctx.aws.s3, `${location}part-00000.csv`), { columns: true })).toEqual(parse(SOURCE_CSV, { columns: true }));
  });

  it('answers an analysis template query in Parquet when the result format says so', async () => {
    await durations({ submittedMs: 0, runningMs: 0 });
    await adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-sources', { match: { analysisTemplateArn: TEMPLATE }, source: 's3://audience-sources/customers/part-1.csv' });
    const m = await membership();
    const input = startInput(m, {
      sqlParameters: { analysisTemplateArn: TEMPLATE, parameters: { day: '2026-12-07' } },
      resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'PARQUET', bucket: 'query-results', keyPrefix: 'pq' } } },
      computeConfiguration: { worker: { type: 'CR.4X', number: 4 } },
    });
    const { id } = (await cleanRooms().send(new StartProtectedQueryCommand(input))).protectedQuery!;
    const done = await get(m, id!);
    expect(done).toMatchObject({
      status: 'SUCCESS',
      sqlParameters: { analysisTemplateArn: TEMPLATE, parameters: { day: '2026-12-07' } },
      computeConfiguration: { worker: { type: 'CR.4X', number: 4 } },
    });
    const bytes = await objectBytes(ctx.aws.s3, `${done.result!.output!.s3!.location!}part-00000.parquet`);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(await parquetReadObjects({ file })).toEqual(parse(SOURCE_CSV, { columns: true }));
  });

  it('ends FAILED with an error code and message under a jobFailure fault, and writes nothing', async () => {
    await durations({ submittedMs: 0, runningMs: 0 });
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'cleanrooms', operation: 'StartProtectedQuery', jobFailure: 1 }] });
    const m = await membership();
    const { id } = (await cleanRooms().send(new StartProtectedQueryCommand(startInput(m)))).protectedQuery!;
    const failed = await get(m, id!);
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'INJECTED_FAILURE' } });
    expect(failed.error!.message).toMatch(/jobFailure/);
    expect(failed.result).toBeUndefined();
    expect((await ctx.aws.s3.send(new ListObjectsV2Command({ Bucket: 'query-results' }))).KeyCount).toBe(0);
  });

  it('cancels a running query (CANCELLING, then CANCELLED) and refuses to cancel one that ended', async () => {
    await durations({ submittedMs: 0, runningMs: 3_600_000 });
    const m = await membership();
    const { id } = (await cleanRooms().send(new StartProtectedQueryCommand(startInput(m)))).protectedQuery!;
    const cancel = () => cleanRooms().send(new UpdateProtectedQueryCommand({ membershipIdentifier: m, protectedQueryIdentifier: id!, targetStatus: 'CANCELLED' }));
    expect((await cancel()).protectedQuery!.status).toBe('CANCELLING');
    expect((await get(m, id!)).status).toBe('CANCELLED');
    expect((await cancel()).protectedQuery!.status).toBe('CANCELLED');

    await durations({ runningMs: 0 });
    const other = (await cleanRooms().send(new StartProtectedQueryCommand(startInput(m)))).protectedQuery!.id!;
    expect((await get(m, other)).status).toBe('SUCCESS');
    const err = await cleanRooms()
      .send(new UpdateProtectedQueryCommand({ membershipIdentifier: m, protectedQueryIdentifier: other, targetStatus: 'CANCELLED' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictException);
    expect(err).toMatchObject({ reason: 'INVALID_STATE', $metadata: { httpStatusCode: 409 } });
  });

  it('lists a membership\'s queries newest first as summaries, filtered by status and paged', async () => {
    await durations({ submittedMs: 3_600_000 });
    const m = await membership();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await cleanRooms().send(new StartProtectedQueryCommand(startInput(m)))).protectedQuery!.id!);
    await cleanRooms().send(new StartProtectedQueryCommand(startInput(await membership())));
    await cleanRooms().send(new UpdateProtectedQueryCommand({ membershipIdentifier: m, protectedQueryIdentifier: ids[0]!, targetStatus: 'CANCELLED' }));

    const first = await cleanRooms().send(new ListProtectedQueriesCommand({ membershipIdentifier: m, maxResults: 2 }));
    const second = await cleanRooms().send(new ListProtectedQueriesCommand({ membershipIdentifier: m, maxResults: 2, nextToken: first.nextToken }));
    expect([...first.protectedQueries!, ...second.protectedQueries!].map((q) => q.id)).toEqual([...ids].reverse());
    expect(second.nextToken).toBeUndefined();
    expect(first.protectedQueries![0]).toMatchObject({ membershipId: m, status: 'SUBMITTED', receiverConfigurations: [{ analysisType: 'DIRECT_ANALYSIS' }] });
    expect(first.protectedQueries![0]).not.toHaveProperty('resultConfiguration');
    const cancelled = await cleanRooms().send(new ListProtectedQueriesCommand({ membershipIdentifier: m, status: 'CANCELLED' }));
    expect(cancelled.protectedQueries!.map((q) => q.id)).toEqual([ids[0]]);
  });

  it('refuses as Clean Rooms does: unknown membership or query, no CAN_QUERY, no result configuration, a query the sandbox has no rows for', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const rnf = await cleanRooms().send(new StartProtectedQueryCommand(startInput(unknown))).catch((e: unknown) => e);
    expect(rnf).toBeInstanceOf(ResourceNotFoundException);
    expect(rnf).toMatchObject({ resourceId: unknown, resourceType: 'MEMBERSHIP' });

    const m = await membership();
    const noQuery = await get(m, unknown).catch((e: unknown) => e);
    expect(noQuery).toBeInstanceOf(ResourceNotFoundException);
    expect(noQuery).toMatchObject({ resourceId: unknown, resourceType: 'MEMBERSHIP' });

    const viewer = await membership({ memberAbilities: ['CAN_RECEIVE_RESULTS'] });
    const denied = await cleanRooms().send(new StartProtectedQueryCommand(startInput(viewer))).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied).toMatchObject({ reason: 'INSUFFICIENT_PERMISSIONS', $metadata: { httpStatusCode: 403 } });
    expect((denied as Error).message).toContain('CAN_QUERY');

    const noResult = await cleanRooms().send(new StartProtectedQueryCommand(startInput(m, { resultConfiguration: undefined }))).catch((e: unknown) => e);
    expect(noResult).toBeInstanceOf(ValidationException);
    const unregistered = await cleanRooms()
      .send(new StartProtectedQueryCommand(startInput(m, { sqlParameters: { queryString: 'SELECT 1' } })))
      .catch((e: unknown) => e);
    expect(unregistered).toBeInstanceOf(ValidationException);
    expect((unregistered as Error).message).toContain('/_sandbox/clean-rooms/query-sources');
    expect((await cleanRooms().send(new ListProtectedQueriesCommand({ membershipIdentifier: m }))).protectedQueries).toEqual([]);
  });

  it('keeps registered sources by their match (the SQL as its digest only) and refuses a malformed one', async () => {
    const sources = (await adminCall(ctx.sandbox, 'GET', '/clean-rooms/query-sources')) as { match: Record<string, string>; source: string }[];
    expect(sources).toHaveLength(1);
    expect(sources[0]!.match).toEqual({ sqlSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    expect(JSON.stringify(sources)).not.toContain('SELECT');
    await adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-sources', { match: { sql: SQL }, source: 's3://audience-sources/other.csv' });
    expect((await adminCall(ctx.sandbox, 'GET', '/clean-rooms/query-sources')) as unknown[]).toEqual([{ match: sources[0]!.match, source: 's3://audience-sources/other.csv' }]);
    await expect(adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-sources', { match: { sql: SQL }, source: 'https://x' })).rejects.toThrow(/400 .*source/);
  });
});

describe('protected query activities against the sandbox', () => {
  it('a lost StartProtectedQuery answer: the attempt fails having started one query (not two), and the next attempt adopts it by its key prefix', async () => {
    await durations({ submittedMs: 0, runningMs: 0 });
    const m = await membership();
    const activities = withAwsFailureMapping(createCleanRoomsQueryActivities({ cleanRooms: cleanRooms() }));
    const spec: ProtectedQuerySpec = { membershipId: m, sql: SQL, resultBucket: 'query-results', keyPrefix: 'audience-upload/run-lost/', resultFormat: 'CSV' };
    const attempt = (n: number): Promise<{ queryId: string; adopted: boolean }> => new MockActivityEnvironment({ attempt: n, scheduledTimestampMs: Date.now() }).run((s: ProtectedQuerySpec) => activities.startProtectedQuery(s), spec);

    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'cleanrooms', operation: 'StartProtectedQuery', lostResponse: 1 }] });
    const lost = await activityFailureOf(attempt(1));
    expect(lost).toMatchObject({ type: AwsFailureType.unavailable, nonRetryable: false });
    expect(await adminCall(ctx.sandbox, 'GET', '/counters')).toMatchObject({ 'cleanrooms:StartProtectedQuery': 1, 'cleanrooms:StartProtectedQuery:lostResponse': 1 });
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [] });

    const adopted = await attempt(2);
    expect(adopted.adopted).toBe(true);
    const listed = (await cleanRooms().send(new ListProtectedQueriesCommand({ membershipIdentifier: m }))).protectedQueries!;
    expect(listed.map((q) => q.id)).toEqual([adopted.queryId]);
    expect((await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>).toMatchObject({ 'cleanrooms:StartProtectedQuery': 1 });
    const check = (i: { membershipId: string; queryId: string }) => activities.checkProtectedQuery(i);
    const done: { resultUri: string } = await new MockActivityEnvironment({ attempt: 1 }).run(check, { membershipId: m, queryId: adopted.queryId });
    expect(done.resultUri).toBe(`s3://query-results/audience-upload/run-lost/${adopted.queryId}/result/`);
  });
});
