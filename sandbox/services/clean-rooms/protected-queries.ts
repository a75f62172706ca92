import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { stringify } from 'csv-stringify/sync';
import type { Faults } from '../../admin/faults';
import type { EmulatorClients } from '../../emulators/emulator-clients';
import { parseCsv, parseParquet } from '../../matching/job-io';
import { SandboxError, notFound, validation } from '../../protocols/errors';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { QuerySource, StateStore, StoredProtectedQuery } from '../../state';
import { parseLocation, writeObject } from '../../../storage/data-location';
import { listObjects } from '../../../storage/s3-objects';
import { formatS3Uri, joinUnder, requireS3Uri } from '../../../storage/s3-uri';
import { parquetSink } from '../../../pii/prep/write/output-sinks';
import { paginate } from '../paginate';
import { membershipOf } from './memberships';

export interface QueryDeps {
  store: StateStore;
  faults: Faults;
  /** The S3 emulator the result objects are written to (absent when the sandbox runs without emulators). */
  data(): EmulatorClients;
  now?: () => number;
}

const ENDED = new Set(['CANCELLED', 'FAILED', 'SUCCESS', 'TIMED_OUT']);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const accessDenied = (message: string) => new SandboxError(403, 'AccessDeniedException', message, { reason: 'INSUFFICIENT_PERMISSIONS' });

/** The registered source a query's result is made of: by analysis template ARN, or by the SHA-256 of its SQL text. */
export function sourceFor(sources: QuerySource[], sql: { queryString?: string; analysisTemplateArn?: string }): QuerySource | undefined {
  const digest = sql.queryString === undefined ? undefined : sha256(sql.queryString);
  return sources.find((s) => ('analysisTemplateArn' in s.match ? s.match.analysisTemplateArn === sql.analysisTemplateArn : s.match.sqlSha256 === digest));
}

/** A stored query as GetProtectedQuery answers it (the sandbox's bookkeeping left out). */
function view({ startedAtMs: _s, willFail: _f, sourceUri: _u, ...query }: StoredProtectedQuery) {
  return query;
}

function queryOf(store: StateStore, membershipId: string, queryId: string): StoredProtectedQuery {
  membershipOf(store, membershipId);
  const query = store.get().cleanRooms.queries[queryId];
  // The model's ResourceType names no query (CONFIGURED_TABLE, COLLABORATION, MEMBERSHIP, CONFIGURED_TABLE_ASSOCIATION): the
  // query is the membership's, so MEMBERSHIP with the query's id, an assumption no AWS page confirms.
  if (!query || query.membershipId !== membershipId) throw notFound(`Protected query ${queryId} not found in membership ${membershipId}`, { resourceId: queryId, resourceType: 'MEMBERSHIP' });
  return query;
}

/** Every row of the CSV and Parquet objects at `uri` (one object, or all under a prefix), every value text. */
async function readSourceRows(s3: EmulatorClients['s3'], uri: string): Promise<Record<string, string>[]> {
  const { bucket } = requireS3Uri(uri);
  const rows: Record<string, string>[] = [];
  for (const object of await listObjects(s3, uri)) {
    const format = /\.(csv|parquet)$/i.exec(object.key)?.[1]?.toLowerCase();
    if (!format) continue;
    const bytes = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }))).Body!.transformToByteArray();
    rows.push(...(format === 'csv' ? parseCsv(bytes, []) : await parseParquet(bytes)));
  }
  return rows;
}

/** Writes the source's rows where the query's result configuration says, in its format; answers the result's location. */
async function writeResult(deps: QueryDeps, query: StoredProtectedQuery): Promise<string> {
  const { s3 } = deps.data();
  const out = query.resultConfiguration.outputConfiguration.s3;
  const rows = await readSourceRows(s3, query.sourceUri);
  const header = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const prefix = joinUnder(out.keyPrefix ?? '', query.id, 'result');
  const key = joinUnder(prefix, out.resultFormat === 'CSV' ? 'part-00000.csv' : 'part-00000.parquet');
  if (out.resultFormat === 'CSV') {
    const body = stringify(rows.map((row) => header.map((name) => row[name] ?? '')), { header: true, columns: header });
    await s3.send(new PutObjectCommand({ Bucket: out.bucket, Key: key, Body: body, ContentType: 'text/csv' }));
  } else {
    const sink = await parquetSink(await writeObject(parseLocation(formatS3Uri(out.bucket, key)), s3, 'application/vnd.apache.parquet'), header);
    await sink.writeRows(rows.map((row) => header.map((name) => row[name] ?? '')));
    await sink.finish();
  }
  return formatS3Uri(out.bucket, `${prefix}/`);
}

/** Moves a query on by the sandbox's clock: SUBMITTED, STARTED, then SUCCESS (its result written) or FAILED; CANCELLING to CANCELLED. */
async function advance(deps: QueryDeps, query: StoredProtectedQuery): Promise<StoredProtectedQuery> {
  if (ENDED.has(query.status)) return query;
  const now = (deps.now ?? Date.now)();
  const { submittedMs, runningMs } = deps.store.get().cleanRooms.queryDurations;
  const elapsed = now - query.startedAtMs;
  const set = (change: Partial<StoredProtectedQuery>) => deps.store.update((s) => Object.assign(s.cleanRooms.queries[query.id]!, change));
  if (query.status === 'CANCELLING') return set({ status: 'CANCELLED' });
  if (elapsed < submittedMs) return query;
  if (elapsed < submittedMs + runningMs) return query.status === 'STARTED' ? query : set({ status: 'STARTED' });
  const statistics = { totalDurationInMillis: elapsed };
  if (query.willFail) return set({ status: 'FAILED', statistics, error: { code: 'INJECTED_FAILURE', message: 'The query failed (a jobFailure fault injected by the sandbox)' } });
  try {
    const location = await writeResult(deps, query);
    return set({ status: 'SUCCESS', statistics, result: { output: { s3: { location } } } });
  } catch (err) {
    return set({ status: 'FAILED', statistics, error: { code: 'RESULT_NOT_WRITTEN', message: `The sandbox could not read the registered source ${query.sourceUri} or write the result: ${(err as Error).message}` } });
  }
}

function start(deps: QueryDeps, membershipId: string, body: Record<string, unknown>): StoredProtectedQuery {
  const membership = membershipOf(deps.store, membershipId);
  if (membership.status !== 'ACTIVE') throw accessDenied(`Membership ${membershipId} is ${membership.status}: it cannot run queries`);
  if (!membership.memberAbilities.includes('CAN_QUERY')) throw accessDenied(`Membership ${membershipId} cannot run queries: its member abilities do not include CAN_QUERY`);
  const sql = body.sqlParameters as StoredProtectedQuery['sqlParameters'];
  if ((sql.queryString === undefined) === (sql.analysisTemplateArn === undefined)) throw validation('sqlParameters must have exactly one of queryString and analysisTemplateArn');
  const output = (body.resultConfiguration as { outputConfiguration?: Record<string, unknown> } | undefined)?.outputConfiguration;
  if (!output) throw validation('resultConfiguration is required: the sandbox\'s memberships have no default result configuration');
  const s3 = output.s3 as StoredProtectedQuery['resultConfiguration']['outputConfiguration']['s3'] | undefined;
  if (!s3) throw validation('The sandbox writes protected query results to S3 only: give resultConfiguration.outputConfiguration.s3');
  if (!membership.memberAbilities.includes('CAN_RECEIVE_RESULTS')) throw accessDenied(`Membership ${membershipId} cannot receive results: its member abilities do not include CAN_RECEIVE_RESULTS`);
  const source = sourceFor(deps.store.get().cleanRooms.querySources, sql);
  if (!source) {
    throw validation('The sandbox evaluates no SQL: register the rows this query returns first (PUT /_sandbox/clean-rooms/query-sources, by analysisTemplateArn or by the SQL text)');
  }
  const nowMs = (deps.now ?? Date.now)();
  const query: StoredProtectedQuery = {
    id: randomUUID(),
    membershipId,
    membershipArn: membership.arn,
    createTime: Math.floor(nowMs / 1000),
    status: 'SUBMITTED',
    sqlParameters: sql,
    resultConfiguration: { outputConfiguration: { s3 } },
    ...(body.computeConfiguration ? { computeConfiguration: body.computeConfiguration as Record<string, unknown> } : {}),
    ...(typeof body.queryComputePayerAccountId === 'string' ? { queryComputePayerAccountId: body.queryComputePayerAccountId } : {}),
    startedAtMs: nowMs,
    willFail: deps.faults.jobShouldFail('cleanrooms', 'StartProtectedQuery'),
    sourceUri: source.source,
  };
  deps.store.update((s) => (s.cleanRooms.queries[query.id] = query));
  return query;
}

function cancel(deps: QueryDeps, query: StoredProtectedQuery): StoredProtectedQuery {
  if (query.status === 'CANCELLING' || query.status === 'CANCELLED') return query;
  if (ENDED.has(query.status)) {
    throw new SandboxError(409, 'ConflictException', `Protected query ${query.id} is ${query.status}: it cannot be cancelled`, {
      resourceId: query.id,
      reason: 'INVALID_STATE',
    });
  }
  return deps.store.update((s) => Object.assign(s.cleanRooms.queries[query.id]!, { status: 'CANCELLING' as const }));
}

/** AWS Clean Rooms protected queries: started, moved on by the sandbox's clock, cancelled, listed newest first; results are real S3 objects. */
export function protectedQueryRoutes(deps: QueryDeps): RestJsonRoute[] {
  const base = '/memberships/{membershipIdentifier}/protectedQueries';
  return [
    { operation: 'StartProtectedQuery', method: 'POST', path: base, handle: ({ params, body }) => ({ protectedQuery: view(start(deps, params.membershipIdentifier!, body)) }) },
    {
      operation: 'GetProtectedQuery',
      method: 'GET',
      path: `${base}/{protectedQueryIdentifier}`,
      handle: async ({ params }) => ({ protectedQuery: view(await advance(deps, queryOf(deps.store, params.membershipIdentifier!, params.protectedQueryIdentifier!))) }),
    },
    {
      operation: 'UpdateProtectedQuery',
      method: 'PATCH',
      path: `${base}/{protectedQueryIdentifier}`,
      handle: async ({ params }) => {
        const query = await advance(deps, queryOf(deps.store, params.membershipIdentifier!, params.protectedQueryIdentifier!));
        return { protectedQuery: view(cancel(deps, query)) };
      },
    },
    {
      operation: 'ListProtectedQueries',
      method: 'GET',
      path: base,
      handle: async ({ params, query }) => {
        const membershipId = params.membershipIdentifier!;
        membershipOf(deps.store, membershipId);
        const status = query.get('status');
        const mine = Object.values(deps.store.get().cleanRooms.queries).filter((q) => q.membershipId === membershipId);
        const all = (await Promise.all(mine.map((q) => advance(deps, q))))
          .filter((q) => !status || q.status === status)
          .sort((a, b) => b.startedAtMs - a.startedAtMs || a.id.localeCompare(b.id))
          .map((q) => ({
            id: q.id,
            membershipId: q.membershipId,
            membershipArn: q.membershipArn,
            createTime: q.createTime,
            status: q.status,
            receiverConfigurations: [{ analysisType: 'DIRECT_ANALYSIS' }],
          }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'), 100);
        return { protectedQueries: page, nextToken };
      },
    },
  ];
}
