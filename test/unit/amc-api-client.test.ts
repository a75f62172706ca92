import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAmcApiActivities, type AmcTarget } from '../../activities/amc-api';
import { AmcHttpError, parseRetryAfter, readErrorBody, toAmcFailure } from '../../activities/amc-api/http-errors';
import { readCollaboration, readCreatedTable, readJobPage, readNamespacePage, readTablePage } from '../../activities/amc-api/amc-shapes';
import { AMC_CREDENTIALS_INVALID, AMC_NAMESPACE_CONNECTED_ELSEWHERE, AMC_TABLE_LIMIT, AmcFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';

const secretsMock = mockClient(SecretsManagerClient);
afterEach(() => secretsMock.reset());

const target: AmcTarget = {
  baseUrl: 'https://ads.example',
  tokenUrl: 'https://lwa.example/auth/o2/token',
  instanceId: 'amcinst1',
  advertiserId: 'ENTITY1',
  marketplaceId: 'ATVPDKIKX0DER',
  credentialsSecretId: 'amc/creds',
};
const CREDENTIALS = { clientId: 'amzn1.application-oa2-client.x', clientSecret: 'shh-secret', refreshToken: 'Atzr|refresh' };

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch answering from `route`, recording every request. */
function fakeFetch(route: (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> }) {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit) => {
    const body = init?.body;
    const call: Call = {
      url: input instanceof Request ? input.url : input.toString(),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof body === 'string' || body instanceof URLSearchParams ? body.toString() : undefined,
    };
    calls.push(call);
    const answer = route(call);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
  return { fetch: fn, calls };
}

function activitiesWith(route: Parameters<typeof fakeFetch>[0], clock = { now: 1_000_000 }) {
  secretsMock.on(GetSecretValueCommand, { SecretId: 'amc/creds' }).resolves({ SecretString: JSON.stringify(CREDENTIALS) });
  const fake = fakeFetch(route);
  const activities = createAmcApiActivities({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), fetch: fake.fetch, now: () => clock.now });
  return { activities, calls: fake.calls, clock };
}

const tokenAnswer = (token: string) => ({ status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 3600 } });
const isToken = (c: Call) => c.url === target.tokenUrl;


describe('Login with Amazon token cache', () => {
  it('exchanges the refresh token once, sends the Ads API headers, and exchanges again near expiry', async () => {
    const { activities, calls, clock } = activitiesWith((c) => (isToken(c) ? tokenAnswer(`tok-${calls.length}`) : { status: 200, body: { idMappingTables: [] } }));
    await activities.listAmcMappingTables({ amc: target });
    await activities.listAmcMappingTables({ amc: target });
    expect(calls.filter(isToken)).toHaveLength(1);
    const token = calls.find(isToken)!;
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: CREDENTIALS.refreshToken,
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
    });
    const api = calls.find((c) => !isToken(c))!;
    expect(api.url).toBe('https://ads.example/amc/instances/amcinst1/collaboration/idmappingtables/list');
    expect(api.headers).toMatchObject({
      authorization: 'Bearer tok-1',
      'amazon-advertising-api-clientid': CREDENTIALS.clientId,
      'amazon-advertising-api-advertiserid': 'ENTITY1',
      'amazon-advertising-api-marketplaceid': 'ATVPDKIKX0DER',
      accept: 'application/vnd.amcinstances.v1+json',
      'content-type': 'application/vnd.amcinstances.v1+json',
    });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    clock.now += 56 * 60_000; // less than 5 minutes left on the token; the secret is read again after 15
    await activities.listAmcMappingTables({ amc: target });
    expect(calls.filter(isToken)).toHaveLength(2);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('calls that need a token at once share one exchange', async () => {
    const { activities, calls } = activitiesWith((c) => (isToken(c) ? tokenAnswer('tok') : { status: 200, body: { idMappingTables: [] } }));
    await Promise.all([1, 2, 3].map(() => activities.listAmcMappingTables({ amc: target })));
    expect(calls.filter(isToken)).toHaveLength(1);
  });

  it('a 401 exchanges a fresh token and tries once more; a second 401 is AmcUnauthorized naming the secret, not its values', async () => {
    let refusals = 1;
    const { activities, calls } = activitiesWith((c) => {
      if (isToken(c)) return tokenAnswer(`tok-${calls.length}`);
      if (refusals-- > 0) return { status: 401, body: { code: 'UNAUTHORIZED', details: 'token expired' } };
      return { status: 200, body: { idMappingTables: [] } };
    });
    await expect(activities.listAmcMappingTables({ amc: target })).resolves.toEqual({ tables: [] });
    expect(calls.filter(isToken)).toHaveLength(2);

    refusals = 2;
    const failure = await activityFailureOf(activities.listAmcMappingTables({ amc: target }));
    expect(failure.type).toBe(AmcFailureType.unauthorized);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('amc/creds');
    for (const value of Object.values(CREDENTIALS)) expect(failure.message).not.toContain(value);
  });

  it('invalid_grant and invalid_client are AmcCredentialsRejected naming the key at fault', async () => {
    for (const [error, named] of [
      ['invalid_grant', 'refreshToken'],
      ['invalid_client', 'clientId / clientSecret'],
    ] as const) {
      const { activities } = activitiesWith(() => ({ status: 400, body: { error, error_description: `bad value ${CREDENTIALS.refreshToken}` } }));
      const failure = await activityFailureOf(activities.listAmcMappingTables({ amc: target }));
      expect(failure.type).toBe(AmcFailureType.credentialsRejected);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(named);
      expect(failure.message).not.toContain(CREDENTIALS.refreshToken);
      secretsMock.reset();
    }
  });

  it('a secret without the three keys is AmcCredentialsInvalid naming the missing keys only', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ clientId: 'visible-id' }) });
    const activities = createAmcApiActivities({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), fetch: fakeFetch(() => ({ status: 500 })).fetch });
    const failure = await activityFailureOf(activities.listAmcMappingTables({ amc: target }));
    expect(failure.type).toBe(AMC_CREDENTIALS_INVALID);
    expect(failure.message).toContain('clientSecret, refreshToken');
    expect(failure.message).not.toContain('visible-id');
  });
});

describe('toAmcFailure', () => {
  const ctx = { secretId: 'amc/creds', instanceId: 'amcinst1' };
  const http = (status: number, retryAfterMs?: number, code?: string) => toAmcFailure(new AmcHttpError('GetCollaboration', status, code, '', retryAfterMs, 'req-1'), 'act', ctx) as ApplicationFailure;

  it.each<[number, string, boolean]>([
    [429, AmcFailureType.throttled, false],
    [500, AmcFailureType.unavailable, false],
    [503, AmcFailureType.unavailable, false],
    [409, AmcFailureType.conflict, false],
    [401, AmcFailureType.unauthorized, true],
    [403, AmcFailureType.forbidden, true],
    [404, AmcFailureType.notFound, true],
    [400, AmcFailureType.invalidRequest, true],
    [422, AmcFailureType.invalidRequest, true],
  ])('HTTP %i → %s (final: %s)', (status, type, final) => {
    const failure = http(status);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(final);
  });

  it('429 retries after Retry-After, benign; 403 names the headers and config fields', () => {
    const throttled = http(429, 7000);
    expect(throttled.nextRetryDelay).toBe(7000);
    expect(throttled.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(http(403).message).toMatch(/Amazon-Advertising-API-AdvertiserId \(amc\.advertiserId\).*Amazon-Advertising-API-MarketplaceId \(amc\.marketplaceId\)/);
  });

  it('Retry-After in seconds or as an HTTP-date, capped at 15 minutes', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('86400', now)).toBe(15 * 60_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('reads both error envelopes and redacts what looks like PII', () => {
    expect(readErrorBody(JSON.stringify({ code: '400', details: 'entityId provided is null' }))).toEqual({ code: '400', details: undefined, detail: 'entityId provided is null' });
    expect(readErrorBody(JSON.stringify({ errors: [{ errorCode: 'BAD', errorMessage: 'row of jane@example.com' }] }))).toEqual({
      code: 'BAD',
      detail: 'row of [redacted-email]',
    });
  });

  it('leaves ApplicationFailures and other errors to the AWS classifier', () => {
    const failure = ApplicationFailure.create({ type: AMC_TABLE_LIMIT });
    expect(toAmcFailure(failure, 'act', ctx)).toBe(failure);
    const sdk = new Error('x');
    expect(toAmcFailure(sdk, 'act', ctx)).toBe(sdk);
  });
});

describe('lenient answer readers', () => {
  it('a collaboration: status, link and every member with an account id', () => {
    const collaboration = readCollaboration({
      Id: 'c-1',
      status: 'pending_acceptance',
      customerAcceptanceLink: 'https://accept.example/c-1',
      creator: { accountId: '111', membershipId: 'm-creator', status: 'ACTIVE' },
      members: [{ accountId: '222', membershipId: 'm-customer' }],
    });
    expect(collaboration).toMatchObject({ id: 'c-1', status: 'PENDING_ACCEPTANCE', customerAcceptanceLink: 'https://accept.example/c-1' });
    expect(collaboration.members.map((m) => m.membershipId)).toEqual(['m-creator', 'm-customer']);
  });

  it('tables, namespaces and jobs under their alternative spellings; epoch seconds as ISO', () => {
    expect(readTablePage({ idMappingTableSummaries: [{ Id: 't1', Name: 'n1', ARN: 'arn:t1', createTime: 1_700_000_000 }, { junk: true }], nextToken: 'p2' })).toEqual({
      tables: [{ id: 't1', name: 'n1', arn: 'arn:t1', createTime: '2023-11-14T22:13:20.000Z', sourceIdNamespaceArn: undefined, queryable: undefined, updateTime: undefined }],
      nextToken: 'p2',
    });
    expect(readNamespacePage({ idNamespaces: [{ sourceIdNamespaceArn: 'arn:ns', name: 'ns' }] }).namespaces).toEqual([{ arn: 'arn:ns', name: 'ns' }]);
    expect(readJobPage({ idMappingJobs: [{ id: 'j1', jobStatus: 'succeeded', startTime: '2026-01-01T00:00:00Z' }] }).jobs).toEqual([
      { jobId: 'j1', status: 'SUCCEEDED', startedAt: '2026-01-01T00:00:00.000Z', endedAt: undefined, errorMessage: undefined },
    ]);
    expect(readCreatedTable({ idMappingWorkflowJobId: 'j0', idMappingTable: { id: 't', name: 'n' } })).toMatchObject({ jobId: 'j0', table: { id: 't', name: 'n' } });
  });
});

describe('findOrCreateAmcMappingTable (fake Ads API)', () => {
  const table = (i: number) => ({ id: `t${i}`, name: `table-${i}`, sourceIdNamespaceArn: `arn:ns${i}` });

  it('a 6th table is AmcTableLimit with no create call', async () => {
    const { activities, calls } = activitiesWith((c) => {
      if (isToken(c)) return tokenAnswer('tok');
      if (c.url.endsWith('/idnamespaces/list')) return { status: 200, body: { idNamespaces: [{ idNamespaceArn: 'arn:mine' }] } };
      return { status: 200, body: { idMappingTables: [1, 2, 3, 4, 5].map(table) } };
    });
    const failure = await activityFailureOf(activities.findOrCreateAmcMappingTable({ amc: target, name: 'mine', sourceIdNamespaceArn: 'arn:mine' }));
    expect(failure.type).toBe(AMC_TABLE_LIMIT);
    expect(failure.message).toContain('table-5 (t5)');
    expect(calls.filter((c) => c.method === 'POST' && c.url.endsWith('/idmappingtables'))).toHaveLength(0);
  });

  it('adopts the table already on its namespace, and answers that table\'s latest job', async () => {
    const { activities, calls } = activitiesWith((c) => {
      if (isToken(c)) return tokenAnswer('tok');
      if (c.url.endsWith('/jobs/list')) {
        return { status: 200, body: { jobs: [{ jobId: 'j-old', status: 'SUCCEEDED', startTime: 1_700_000_000 }, { jobId: 'j-new', status: 'RUNNING', startTime: 1_700_100_000 }] } };
      }
      return { status: 200, body: { idMappingTables: [{ ...table(1), sourceIdNamespaceArn: 'arn:mine' }] } };
    });
    const found = await activities.findOrCreateAmcMappingTable({ amc: target, name: 'renamed', sourceIdNamespaceArn: 'arn:mine' });
    expect(found).toMatchObject({ created: false, table: { id: 't1' }, job: { jobId: 'j-new', status: 'RUNNING' } });
    expect(calls.filter((c) => c.method === 'POST' && c.url.endsWith('/idmappingtables'))).toHaveLength(0);
  });

  it('a namespace that is neither free nor on a listed table is AmcNamespaceConnectedElsewhere, naming the tables', async () => {
    const { activities } = activitiesWith((c) => {
      if (isToken(c)) return tokenAnswer('tok');
      if (c.url.endsWith('/idnamespaces/list')) return { status: 200, body: { idNamespaces: [] } };
      return { status: 200, body: { idMappingTables: [table(1)] } };
    });
    const failure = await activityFailureOf(activities.findOrCreateAmcMappingTable({ amc: target, name: 'mine', sourceIdNamespaceArn: 'arn:mine' }));
    expect(failure.type).toBe(AMC_NAMESPACE_CONNECTED_ELSEWHERE);
    expect(failure.message).toContain('table-1 (t1)');
  });

  it('a 409 on create (made by a concurrent attempt) adopts the table of that name', async () => {
    let created = false;
    const { activities, calls } = activitiesWith((c) => {
      if (isToken(c)) return tokenAnswer('tok');
      if (c.url.endsWith('/idnamespaces/list')) return { status: 200, body: { idNamespaces: [{ idNamespaceArn: 'arn:mine' }] } };
      if (c.url.endsWith('/jobs/list')) return { status: 200, body: { jobs: [] } };
      if (c.method === 'POST' && c.url.endsWith('/idmappingtables')) {
        created = true;
        return { status: 409, body: { code: '409', details: 'already exists' } };
      }
      return { status: 200, body: { idMappingTables: created ? [{ id: 't9', name: 'mine', sourceIdNamespaceArn: 'arn:mine' }] : [] } };
    });
    expect(await activities.findOrCreateAmcMappingTable({ amc: target, name: 'mine', sourceIdNamespaceArn: 'arn:mine' })).toMatchObject({ created: false, table: { id: 't9' } });
    expect(calls.filter((c) => c.method === 'POST' && c.url.endsWith('/idmappingtables'))).toHaveLength(1);
  });
});
