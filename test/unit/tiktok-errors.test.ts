import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailureCategory } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTiktokApiActivities, type TiktokTarget } from '../../activities/tiktok-api';
import { classifyTiktokCode } from '../../activities/tiktok-api/tiktok-codes';
import { TiktokFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';
import { envelope, fakeTiktokFetch, type TiktokAnswer } from '../helpers/tiktok-fetch';

const secretsMock = mockClient(SecretsManagerClient);
afterEach(() => secretsMock.reset());

const SECRET_ID = 'tiktok/creds';
const TOKEN = 'act.9f8e7d6c5b4a-secret-token';
const ADVERTISER = '7012345678901234567';
const tiktok: TiktokTarget = { baseUrl: 'https://tiktok.example', credentialsSecretId: SECRET_ID };

/** The activities with a fetch that answers `answer` to every call. */
function activitiesAnswering(answer: () => TiktokAnswer) {
  secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: JSON.stringify({ ACCESS_TOKEN: TOKEN, ADVERTISER_ID: ADVERTISER }) });
  const fake = fakeTiktokFetch(answer);
  return { activities: createTiktokApiActivities({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), fetch: fake.fetch }), calls: fake.calls };
}

const failureOf = (answer: TiktokAnswer) => activityFailureOf(activitiesAnswering(() => answer).activities.findAudience({ tiktok, name: 'Spring buyers' }));

describe('TikTok return codes', () => {
  it('classifies known codes and ranges; an unknown code is a refusal', () => {
    expect(classifyTiktokCode(0)).toBe('ok');
    expect(classifyTiktokCode(40100)).toBe('throttled');
    expect([40101, 40102, 40104, 40105].map(classifyTiktokCode)).toEqual(['token', 'token', 'token', 'token']);
    expect(classifyTiktokCode(40001)).toBe('permission');
    expect(classifyTiktokCode(40002)).toBe('request');
    expect(classifyTiktokCode(40908)).toBe('file');
    expect([50000, 51021].map(classifyTiktokCode)).toEqual(['server', 'server']);
    expect(classifyTiktokCode(12345)).toBe('request');
  });
});

describe('TikTok failures from real-shaped answers', () => {
  it('code 40100 in a 200 is a benign, retryable throttle', async () => {
    const failure = await failureOf(envelope({}, 40100, 'Too many requests. Please retry in some random time.', 'req-40100'));
    expect(failure.type).toBe(TiktokFailureType.throttled);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.details?.[0]).toEqual({ code: 40100, requestId: 'req-40100' });
  });

  it('a refused token is fatal, names ACCESS_TOKEN and the secret, and the secret is read again next time', async () => {
    const { activities } = activitiesAnswering(() => envelope({}, 40105, 'The access token is missing or incorrect', 'req-40105'));
    const failure = await activityFailureOf(activities.findAudience({ tiktok, name: 'x' }));
    expect(failure.type).toBe(TiktokFailureType.tokenRejected);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('ACCESS_TOKEN');
    expect(failure.message).toContain(SECRET_ID);
    expect(failure.message).toContain('req-40105');
    expect(failure.message).not.toContain(TOKEN);
    await activityFailureOf(activities.findAudience({ tiktok, name: 'x' }));
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('code 40001 is a permission failure naming ADVERTISER_ID, never its value', async () => {
    const failure = await failureOf(envelope({}, 40001, 'No permission to operate advertiser', 'req-40001'));
    expect(failure.type).toBe(TiktokFailureType.permissionDenied);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('ADVERTISER_ID');
    expect(failure.message).not.toContain(ADVERTISER);
  });

  it('code 40002 and an unknown code are fatal refusals showing the code and request id', async () => {
    for (const code of [40002, 12345]) {
      const failure = await failureOf(envelope({}, code, 'page_size: Must be between 1 and 100.', `req-${code}`));
      expect(failure.type).toBe(TiktokFailureType.requestRejected);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`TikTok code ${code}`);
      expect(failure.message).toContain(`req-${code}`);
    }
  });

  it('a file code is fatal with TikTok message; a mixed calculate_type names audience.layout', async () => {
    const file = await failureOf(envelope({}, 40908, 'Line 3 of the file is not a lowercase SHA-256 hex digest'));
    expect(file.type).toBe(TiktokFailureType.fileRejected);
    expect(file.nonRetryable).toBe(true);
    expect(file.message).toContain('Line 3 of the file');
    const mixed = await failureOf(envelope({}, 40002, 'The files must be encrypted with the same encryption method/type with the audience'));
    expect(mixed.message).toContain('audience.layout to per-type');
  });

  it('5xxxx codes, HTTP 5xx and no answer retry; HTTP 429 retries after Retry-After', async () => {
    for (const answer of [envelope({}, 51021, 'System busy'), { status: 503, body: 'Service Unavailable' }, 'network-error' as const]) {
      const failure = await failureOf(answer);
      expect(failure.type).toBe(TiktokFailureType.unavailable);
      expect(failure.nonRetryable).toBe(false);
    }
    const throttled = await failureOf({ status: 429, headers: { 'retry-after': '7' } });
    expect(throttled.type).toBe(TiktokFailureType.throttled);
    expect(throttled.nextRetryDelay).toBe(7000);
    expect(throttled.category).toBe(ApplicationFailureCategory.BENIGN);
  });

  it('another 4xx is a fatal refusal; a 200 that is not TikTok JSON retries', async () => {
    expect((await failureOf({ status: 404, body: 'Not Found' })).type).toBe(TiktokFailureType.requestRejected);
    const html = await failureOf({ status: 200, body: '<html>proxy</html>' });
    expect(html.type).toBe(TiktokFailureType.unavailable);
  });

  it('redacts what TikTok echoes: no email, phone or hashed identifier from its message reaches the failure', async () => {
    const hashed = 'a'.repeat(8) + 'b3c4'.repeat(14);
    const failure = await failureOf(envelope({}, 40002, `Invalid value jane.doe@example.com near +1 415 555 0123 and ${hashed}`));
    expect(failure.message).not.toContain(hashed);
    expect(failure.message).not.toContain('jane.doe@example.com');
    expect(failure.message).not.toContain('555 0123');
    expect(failure.message).toContain('[redacted-email]');
  });
});
