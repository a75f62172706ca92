import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import {
  CleanRoomsClient,
  ConflictException,
  GetMembershipCommand,
  GetProtectedQueryCommand,
  StartProtectedQueryCommand,
  UpdateProtectedQueryCommand,
  paginateListProtectedQueries,
  type ProtectedQuery,
} from '@aws-sdk/client-cleanrooms';
import { redactPii } from '../../pii/redact';
import { AwsFailureType, PROTECTED_QUERY_CANCELLED, PROTECTED_QUERY_FAILED, PROTECTED_QUERY_RUNNING, PROTECTED_QUERY_TIMED_OUT } from '../../schemas/failures';


/** A protected query to run; `keyPrefix` is unique per run, so it identifies the query that run started. */
export interface ProtectedQuerySpec {
  membershipId: string;
  /** Exactly one of `sql` and `analysisTemplateArn`. */
  sql?: string;
  analysisTemplateArn?: string;
  parameters?: Record<string, string>;
  resultBucket: string;
  keyPrefix: string;
  resultFormat: 'CSV' | 'PARQUET';
}

/** How far before the first attempt was scheduled a query it started may have been created (clock skew). */
const ADOPTION_SLACK_MS = 60_000;

export function createCleanRoomsQueryActivities({ cleanRooms }: { cleanRooms: CleanRoomsClient }) {
  // StartProtectedQuery goes out once per activity attempt: the SDK's own retry of a lost answer would start a
  // second query, where the activity's next attempt adopts the first one instead.
  const { region, credentials, endpoint } = cleanRooms.config;
  const startOnce = new CleanRoomsClient({ region, credentials, ...(endpoint ? { endpoint } : {}), maxAttempts: 1 });
  const getQuery = async (membershipId: string, queryId: string): Promise<ProtectedQuery> =>
    (await cleanRooms.send(new GetProtectedQueryCommand({ membershipIdentifier: membershipId, protectedQueryIdentifier: queryId }))).protectedQuery!;

  /**
   * The query an earlier attempt of this activity started, if its answer was lost: StartProtectedQuery takes no
   * client token, so the run's unique result keyPrefix identifies it. Summaries carry no result configuration,
   * so each query created since the first attempt was scheduled is read.
   */
  async function startedEarlier(spec: ProtectedQuerySpec): Promise<string | undefined> {
    const since = Context.current().info.scheduledTimestampMs - ADOPTION_SLACK_MS;
    for await (const page of paginateListProtectedQueries({ client: cleanRooms }, { membershipIdentifier: spec.membershipId })) {
      for (const summary of page.protectedQueries ?? []) {
        if (!summary.id || (summary.createTime?.getTime() ?? 0) < since) continue;
        const query = await getQuery(spec.membershipId, summary.id);
        const s3 = query.resultConfiguration?.outputConfiguration?.s3;
        if (s3?.bucket === spec.resultBucket && s3.keyPrefix === spec.keyPrefix) return summary.id;
      }
    }
    return undefined;
  }

  /** Starts the query once: a retry after a lost answer adopts the query the earlier attempt started. */
  async function startProtectedQuery(spec: ProtectedQuerySpec): Promise<{ queryId: string; adopted: boolean }> {
    if (Context.current().info.attempt > 1) {
      const queryId = await startedEarlier(spec);
      if (queryId) return { queryId, adopted: true };
    }
    const started = await startOnce.send(
      new StartProtectedQueryCommand({
        type: 'SQL',
        membershipIdentifier: spec.membershipId,
        sqlParameters: { queryString: spec.sql, analysisTemplateArn: spec.analysisTemplateArn, parameters: spec.parameters },
        resultConfiguration: { outputConfiguration: { s3: { resultFormat: spec.resultFormat, bucket: spec.resultBucket, keyPrefix: spec.keyPrefix } } },
      }),
    );
    return { queryId: started.protectedQuery!.id!, adopted: false };
  }

  /**
   * One look at a query, polled: while it is SUBMITTED, STARTED or CANCELLING this throws a benign retryable
   * failure and the activity's retry policy waits; an end other than SUCCESS is a non-retryable failure.
   */
  async function checkProtectedQuery(input: { membershipId: string; queryId: string }): Promise<{ resultUri: string; totalDurationMs?: number }> {
    const query = await getQuery(input.membershipId, input.queryId);
    const named = `Protected query ${input.queryId} in Clean Rooms membership ${input.membershipId}`;
    const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ queryId: input.queryId, status: query.status, code: query.error?.code }] });
    switch (query.status) {
      case 'SUBMITTED':
      case 'STARTED':
      case 'CANCELLING':
        throw ApplicationFailure.create({
          type: PROTECTED_QUERY_RUNNING,
          message: `${named} is ${query.status} (check ${Context.current().info.attempt})`,
          category: ApplicationFailureCategory.BENIGN,
        });
      case 'SUCCESS': {
        const location = query.result?.output?.s3?.location;
        if (!location) throw fail(PROTECTED_QUERY_FAILED, `${named} succeeded without an S3 result: its result configuration must write to S3`);
        return { resultUri: location, totalDurationMs: query.statistics?.totalDurationInMillis };
      }
      case 'FAILED':
        throw fail(
          PROTECTED_QUERY_FAILED,
          `${named} FAILED: ${query.error?.code ?? 'no error code'}: ${redactPii(query.error?.message ?? 'no message')}. ` +
            'Check the SQL or analysis template, the analysis rules of the tables it reads, and that the result bucket is not a data source of the collaboration.',
        );
      case 'CANCELLED':
        throw fail(PROTECTED_QUERY_CANCELLED, `${named} was CANCELLED (in the Clean Rooms console or through UpdateProtectedQuery): run again to start a new query`);
      case 'TIMED_OUT':
        throw fail(PROTECTED_QUERY_TIMED_OUT, `${named} TIMED_OUT in Clean Rooms: make it cheaper, or give it more compute (computeConfiguration)`);
      default:
        throw fail(PROTECTED_QUERY_FAILED, `${named} is in a state this version does not know: ${String(query.status)}`);
    }
  }

  /** Asks Clean Rooms to cancel a query; one that has already ended (ConflictException) needs nothing. */
  async function cancelProtectedQuery(input: { membershipId: string; queryId: string }): Promise<void> {
    try {
      await cleanRooms.send(new UpdateProtectedQueryCommand({ membershipIdentifier: input.membershipId, protectedQueryIdentifier: input.queryId, targetStatus: 'CANCELLED' }));
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
    }
  }

  /** The membership may run queries and receive their results (its member abilities); it must be ACTIVE. */
  async function checkQueryMembership(input: { membershipId: string }): Promise<{ membershipArn: string; canQuery: boolean; canReceiveResults: boolean }> {
    const membership = (await cleanRooms.send(new GetMembershipCommand({ membershipIdentifier: input.membershipId }))).membership!;
    if (membership.status !== 'ACTIVE') {
      throw ApplicationFailure.create({
        type: AwsFailureType.accessDenied,
        message: `Clean Rooms membership ${input.membershipId} is ${membership.status} (collaboration ${membership.collaborationId}): it can no longer run queries; check source.membershipId`,
        nonRetryable: true,
      });
    }
    const abilities = membership.memberAbilities ?? [];
    return { membershipArn: membership.arn!, canQuery: abilities.includes('CAN_QUERY'), canReceiveResults: abilities.includes('CAN_RECEIVE_RESULTS') };
  }

  return { startProtectedQuery, checkProtectedQuery, cancelProtectedQuery, checkQueryMembership };
}
