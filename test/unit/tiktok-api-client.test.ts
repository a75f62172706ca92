import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailureCategory } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTiktokApiActivities, type TiktokTarget } from '../../activities/tiktok-api';
import { AUDIENCE_FILE_CHANGED, TIKTOK_AUDIENCE_AMBIGUOUS, TIKTOK_AUDIENCE_PROCESSING, TIKTOK_CREDENTIALS_INVALID, TiktokFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';
import { envelope, fakeTiktokFetch, type TiktokCall, type TiktokAnswer } from '../helpers/tiktok-fetch';

const secretsMock = mockClient(SecretsManagerClient);
afterEach(() => secretsMock.reset());

const SECRET_ID = 'tiktok/creds';
const TOKEN = 'act.sandbox-token';
const ADVERTISER = '7012345678901234567';
const tiktok: TiktokTarget = { baseUrl: 'https://tiktok.example/', credentialsSecretId: SECRET_ID };

function activitiesWith(route: (call: TiktokCall, index: number) => TiktokAnswer, secret: unknown = { ACCESS_TOKEN: TOKEN, ADVERTISER_ID: ADVERTISER }) {
  secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: JSON.stringify(secret) });
  const fake = fakeTiktokFetch(route);
  return { activities: createTiktokApiActivities({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), fetch: fake.fetch }), calls: fake.calls };
}

const isList = (c: TiktokCall) => c.url.pathname === '/open_api/v1.3/dmp/custom_audience/list/';
const audience = (audience_id: string, name: string) => ({ audience_id, name, calculate_type: 'EMAIL_SHA256' });

/** A headerless customer file of SHA-256 lines, on local disk (the activity reads any DataLocation). */
function customerFile(lines: string[]) {
  const path = join(mkdtempSync(join(tmpdir(), 'tiktok-')), 'email_sha256-part-0.csv');
  const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  writeFileSync(path, bytes);
  return { uri: path, bytes, md5: createHash('md5').update(bytes).digest('hex') };
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('TikTok API client', () => {
  it('uploads a file as multipart: advertiser_id, calculate_type, file_signature (its MD5) and the file, with the Access-Token header', async () => {
    const file = customerFile([sha('a@example.com'), sha('b@example.com')]);
    const { activities, calls } = activitiesWith(() => envelope({ file_path: 'dmp/123/file.csv' }));
    expect(await activities.uploadAudienceFile({ tiktok, uri: file.uri, md5: file.md5, calculateType: 'EMAIL_SHA256' })).toEqual({ filePath: 'dmp/123/file.csv' });
    const [call] = calls;
    expect(call!.method).toBe('POST');
    expect(call!.url.href).toBe('https://tiktok.example/open_api/v1.3/dmp/custom_audience/file/upload/');
    expect(call!.headers['access-token']).toBe(TOKEN);
    expect(call!.headers.authorization).toBeUndefined();
    const form = call!.form!;
    expect([...form.keys()].sort()).toEqual(['advertiser_id', 'calculate_type', 'file', 'file_signature']);
    expect(form.get('advertiser_id')).toBe(ADVERTISER);
    expect(form.get('calculate_type')).toBe('EMAIL_SHA256');
    expect(form.get('file_signature')).toBe(file.md5);
    const sent = form.get('file') as File;
    expect(sent.name).toBe('email_sha256-part-0.csv');
    expect(Buffer.from(await sent.arrayBuffer())).toEqual(file.bytes);
  });

  it('refuses a file whose MD5 is not the recorded one, before sending anything', async () => {
    const file = customerFile([sha('a@example.com')]);
    const { activities, calls } = activitiesWith(() => envelope({ file_path: 'x' }));
    const failure = await activityFailureOf(activities.uploadAudienceFile({ tiktok, uri: file.uri, md5: '0'.repeat(32), calculateType: 'EMAIL_SHA256' }));
    expect(failure.type).toBe(AUDIENCE_FILE_CHANGED);
    expect(failure.nonRetryable).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('finds an audience by name across list pages, by id when pinned, and reports several of one name', async () => {
    const pages = [[audience('1', 'other'), audience('2', 'Spring buyers')], [audience('3', 'Spring buyers')]];
    const { activities, calls } = activitiesWith((c) => {
      const page = Number(c.url.searchParams.get('page'));
      return envelope({ list: pages[page - 1], page_info: { page, page_size: 100, total_number: 3, total_page: 2 } });
    });
    expect(await activities.findAudience({ tiktok, name: 'Spring buyers' })).toEqual({ found: 'many', audienceIds: ['2', '3'] });
    expect(calls.map((c) => Object.fromEntries(c.url.searchParams))).toEqual([
      { advertiser_id: ADVERTISER, page: '1', page_size: '100' },
      { advertiser_id: ADVERTISER, page: '2', page_size: '100' },
    ]);
    expect(await activities.findAudience({ tiktok, name: 'Spring buyers', id: '3' })).toEqual({ found: 'one', audienceId: '3', calculateType: 'EMAIL_SHA256' });
    expect(await activities.findAudience({ tiktok, name: 'Nobody' })).toEqual({ found: 'none' });
  });

  it('a create whose answer was lost is adopted by name on the retry, never sent twice', async () => {
    let created = false;
    const { activities, calls } = activitiesWith((c) => {
      if (isList(c)) return envelope({ list: created ? [audience('7001', 'Spring buyers')] : [], page_info: { page: 1, total_page: 1 } });
      created = true;
      return 'network-error'; // TikTok created it; the answer never came
    });
    const input = { tiktok, name: 'Spring buyers', calculateType: 'EMAIL_SHA256', filePaths: ['p1'], retentionDays: 90 };
    const lost = await activityFailureOf(activities.createAudience(input));
    expect(lost.type).toBe(TiktokFailureType.unavailable);
    expect(await activities.createAudience(input)).toEqual({ audienceId: '7001', adopted: true });
    const creates = calls.filter((c) => c.url.pathname.endsWith('/create/'));
    expect(creates).toHaveLength(1);
    expect(creates[0]!.json).toEqual({ advertiser_id: ADVERTISER, custom_audience_name: 'Spring buyers', calculate_type: 'EMAIL_SHA256', file_paths: ['p1'], retention_in_days: 90 });
  });

  it('a create reads either spelling of the new id; two audiences of the name refuse', async () => {
    for (const data of [{ custom_audience_id: '42' }, { audience_id: '42' }]) {
      const { activities } = activitiesWith((c) => (isList(c) ? envelope({ list: [], page_info: { total_page: 1 } }) : envelope(data)));
      expect(await activities.createAudience({ tiktok, name: 'n', calculateType: 'EMAIL_SHA256', filePaths: ['p'] })).toEqual({ audienceId: '42', adopted: false });
    }
    const { activities } = activitiesWith(() => envelope({ list: [audience('1', 'n'), audience('2', 'n')], page_info: { total_page: 1 } }));
    const failure = await activityFailureOf(activities.createAudience({ tiktok, name: 'n', calculateType: 'EMAIL_SHA256', filePaths: ['p'] }));
    expect(failure.type).toBe(TIKTOK_AUDIENCE_AMBIGUOUS);
    expect(failure.message).toContain('audience.id');
  });

  it('an update always sends its action (TikTok defaults to REPLACE)', async () => {
    const { activities, calls } = activitiesWith(() => envelope({}));
    await activities.updateAudience({ tiktok, audienceId: '7001', action: 'APPEND', filePaths: ['p1', 'p2'] });
    expect(calls[0]!.json).toEqual({ advertiser_id: ADVERTISER, custom_audience_id: '7001', action: 'APPEND', file_paths: ['p1', 'p2'] });
  });

  it('waits while the audience is processing, then answers its detail', async () => {
    let valid = false;
    const { activities, calls } = activitiesWith(() =>
      envelope({ list: [{ detail: { audience_id: '7001', name: 'n', is_valid: valid, is_expired: false, cover_num: 1980, calculate_type: 'EMAIL_SHA256' }, history: [] }] }),
    );
    const processing = await activityFailureOf(activities.checkAudienceProcessed({ tiktok, audienceId: '7001' }));
    expect(processing.type).toBe(TIKTOK_AUDIENCE_PROCESSING);
    expect(processing.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(processing.nonRetryable).toBe(false);
    valid = true;
    expect(await activities.checkAudienceProcessed({ tiktok, audienceId: '7001' })).toEqual({
      audienceId: '7001',
      name: 'n',
      isValid: true,
      isExpired: false,
      size: 1980,
      calculateType: 'EMAIL_SHA256',
    });
    expect(calls[0]!.url.searchParams.get('custom_audience_ids')).toBe('["7001"]');
  });

  it('a secret without both keys fails naming what is missing, never a value', async () => {
    const { activities, calls } = activitiesWith(() => envelope({}), { ACCESS_TOKEN: TOKEN });
    const failure = await activityFailureOf(activities.checkTiktokCredentials({ tiktok }));
    expect(failure.type).toBe(TIKTOK_CREDENTIALS_INVALID);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('lacks ADVERTISER_ID');
    expect(failure.message).not.toContain(TOKEN);
    expect(calls).toHaveLength(0);
  });

  it('checks the credentials with one list call and answers only the key names', async () => {
    const { activities, calls } = activitiesWith(() => envelope({ list: [], page_info: { total_page: 0 } }));
    expect(await activities.checkTiktokCredentials({ tiktok })).toEqual({ keys: ['ACCESS_TOKEN', 'ADVERTISER_ID'] });
    expect(calls).toHaveLength(1);
  });
});
