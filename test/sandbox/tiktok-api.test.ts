import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTiktokApiActivities, type TiktokTarget } from '../../activities/tiktok-api';
import { TIKTOK_AUDIENCE_PROCESSING, TiktokFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';
import { adminCall, useSandboxBuckets } from '../helpers/sandbox';

const BUCKET = 'tiktok-test';
const ctx = useSandboxBuckets(BUCKET);

const TOKEN = 'act.sandbox-access-token';
const ADVERTISER = '7000000000000000001';
const SECRET_ID = 'identity-test/tiktok';
const target = (): TiktokTarget => ({ baseUrl: ctx.sandbox.url, credentialsSecretId: SECRET_ID });
const activities = () => createTiktokApiActivities({ secrets: ctx.aws.secrets, s3: ctx.aws.s3 });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const emails = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => sha(`person${from + i}@example.com`));

beforeEach(async () => {
  await adminCall(ctx.sandbox, 'PUT', '/tiktok/credentials', { accessToken: TOKEN, advertiserId: ADVERTISER });
  await adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { minimumSize: 3, processingMs: 0 });
  await ctx.aws.secrets.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify({ ACCESS_TOKEN: TOKEN, ADVERTISER_ID: ADVERTISER }) }));
});

/** A headerless customer file in S3, uploaded through the client: its file_path and MD5. */
async function uploaded(name: string, lines: string[], calculateType = 'EMAIL_SHA256') {
  const body = lines.map((l) => `${l}\n`).join('');
  await ctx.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `files/${name}`, Body: body }));
  const md5 = createHash('md5').update(body).digest('hex');
  const { filePath } = await activities().uploadAudienceFile({ tiktok: target(), uri: `s3://${BUCKET}/files/${name}`, md5, calculateType });
  return { filePath, md5 };
}

interface StandInState {
  audiences: { id: string; name: string; size: number; sizeByType: Record<string, number>; isValid: boolean; operations: { action: string; files: number }[] }[];
  appliedFiles: Record<string, Record<string, number>>;
}
const state = async () => (await adminCall(ctx.sandbox, 'GET', '/tiktok/state')) as StandInState;
const counters = async () => (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;

/** A raw call, to see exactly what the stand-in answers. */
async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(`${ctx.sandbox.url}/open_api/v1.3${path}`, { ...init, headers: { 'access-token': TOKEN, ...init.headers } });
  return { status: res.status, body: (await res.json()) as { code: number; message: string; request_id: string; data: Record<string, unknown> } };
}

describe('TikTok stand-in through the TikTok client', () => {
  it('creates, APPENDs, REMOVEs and REPLACEs with set semantics, counting each file it applies', async () => {
    const tiktok = target();
    const api = activities();
    const first = await uploaded('a.csv', emails(0, 4));
    const more = await uploaded('b.csv', emails(2, 6)); // overlaps a.csv by two
    const gone = await uploaded('c.csv', emails(0, 2));
    const { audienceId, adopted } = await api.createAudience({ tiktok, name: 'Spring buyers', calculateType: 'EMAIL_SHA256', filePaths: [first.filePath] });
    expect(adopted).toBe(false);
    await api.updateAudience({ tiktok, audienceId, action: 'APPEND', filePaths: [more.filePath] });
    expect((await api.checkAudienceProcessed({ tiktok, audienceId })).size).toBe(6);
    await api.updateAudience({ tiktok, audienceId, action: 'REMOVE', filePaths: [gone.filePath] });
    expect((await api.checkAudienceProcessed({ tiktok, audienceId })).size).toBe(4);
    await api.updateAudience({ tiktok, audienceId, action: 'REPLACE', filePaths: [first.filePath] });
    const detail = await api.checkAudienceProcessed({ tiktok, audienceId });
    expect(detail).toMatchObject({ audienceId, name: 'Spring buyers', isValid: true, size: 4, calculateType: 'EMAIL_SHA256' });
    const s = await state();
    expect(s.appliedFiles[audienceId]).toEqual({ [first.md5]: 2, [more.md5]: 1, [gone.md5]: 1 });
    expect(s.audiences[0]!.operations.map((o) => o.action)).toEqual(['CREATE', 'APPEND', 'REMOVE', 'REPLACE']);
    expect(await counters()).toMatchObject({ 'tiktok:UploadAudienceFile': 3, 'tiktok:CreateCustomAudience': 1, 'tiktok:UpdateCustomAudience': 3, 'tiktok:GetCustomAudiences': 3 });
    // The admin state shows counts and MD5s, never a member.
    expect(JSON.stringify(s)).not.toContain(emails(0, 1)[0]);
  });

  it('refuses an update that would leave the audience below the minimum size, and changes nothing', async () => {
    const tiktok = target();
    const api = activities();
    const all = await uploaded('all.csv', emails(0, 3));
    const two = await uploaded('two.csv', emails(0, 2));
    const { audienceId } = await api.createAudience({ tiktok, name: 'Small', calculateType: 'EMAIL_SHA256', filePaths: [all.filePath] });
    const failure = await activityFailureOf(api.updateAudience({ tiktok, audienceId, action: 'REMOVE', filePaths: [two.filePath] }));
    expect(failure.type).toBe(TiktokFailureType.requestRejected);
    expect(failure.message).toContain('less than 3 after the operation');
    expect((await state()).audiences[0]!.size).toBe(3);
  });

  it('an audience is processing after a change, and valid once processed', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { processingMs: 3_600_000 });
    const tiktok = target();
    const api = activities();
    const file = await uploaded('a.csv', emails(0, 3));
    const { audienceId } = await api.createAudience({ tiktok, name: 'Slow', calculateType: 'EMAIL_SHA256', filePaths: [file.filePath] });
    expect((await activityFailureOf(api.checkAudienceProcessed({ tiktok, audienceId }))).type).toBe(TIKTOK_AUDIENCE_PROCESSING);
    await adminCall(ctx.sandbox, 'POST', `/tiktok/audiences/${audienceId}/ready`);
    expect((await api.checkAudienceProcessed({ tiktok, audienceId })).isValid).toBe(true);
  });

  it('allows duplicate names: a second create of one name makes a second audience, which find reports', async () => {
    const file = await uploaded('a.csv', emails(0, 3));
    const create = () =>
      raw('/dmp/custom_audience/create/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advertiser_id: ADVERTISER, custom_audience_name: 'Twice', calculate_type: 'EMAIL_SHA256', file_paths: [file.filePath] }),
      });
    const [one, two] = [await create(), await create()];
    expect([one.body.code, two.body.code]).toEqual([0, 0]);
    expect(one.body.data.custom_audience_id).not.toBe(two.body.data.custom_audience_id);
    expect(await activities().findAudience({ tiktok: target(), name: 'Twice' })).toEqual({ found: 'many', audienceIds: [one.body.data.custom_audience_id, two.body.data.custom_audience_id] });
  });

  it('checks the file signature and every line, naming a bad line by number only', async () => {
    const body = `${emails(0, 1)[0]}\n`;
    const form = new FormData();
    form.set('advertiser_id', ADVERTISER);
    form.set('calculate_type', 'EMAIL_SHA256');
    form.set('file_signature', 'f'.repeat(32));
    form.set('file', new Blob([body]), 'a.csv');
    const mismatch = await raw('/dmp/custom_audience/file/upload/', { method: 'POST', body: form });
    expect(mismatch.status).toBe(200);
    expect(mismatch.body).toMatchObject({ code: 40002, message: 'file_signature does not match the MD5 of the file' });
    const clear = 'jane.doe@example.com';
    const failure = await activityFailureOf(uploaded('bad.csv', [...emails(0, 2), clear]));
    expect(failure.type).toBe(TiktokFailureType.fileRejected);
    expect(failure.message).toContain('Line 3 of the file');
    expect(failure.message).not.toContain(clear);
  });

  it('answers throttles as code 40100 inside HTTP 200, counted, and the client retries them as benign', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'tiktok', operation: 'ListCustomAudiences', throttle: 1 }] });
    const answer = await raw(`/dmp/custom_audience/list/?advertiser_id=${ADVERTISER}`);
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe(40100);
    expect(answer.body.request_id).toMatch(/\S/);
    const failure = await activityFailureOf(activities().findAudience({ tiktok: target(), name: 'x' }));
    expect(failure.type).toBe(TiktokFailureType.throttled);
    expect(failure.nonRetryable).toBe(false);
    expect((await counters())['tiktok:ListCustomAudiences:throttle']).toBe(2);
  });

  it('answers admin-injected refusals as codes in a 200 or as HTTP statuses, then serves again', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/refusals', [
      { operation: 'ListCustomAudiences', code: 40001, message: 'No permission to operate advertiser' },
      { operation: 'GetCustomAudiences', code: 50000, httpStatus: 503 },
    ]);
    const api = activities();
    expect((await activityFailureOf(api.findAudience({ tiktok: target(), name: 'x' }))).type).toBe(TiktokFailureType.permissionDenied);
    expect(await api.findAudience({ tiktok: target(), name: 'x' })).toEqual({ found: 'none' });
    const unavailable = await activityFailureOf(api.checkAudienceProcessed({ tiktok: target(), audienceId: '1' }));
    expect(unavailable.type).toBe(TiktokFailureType.unavailable);
    expect(unavailable.message).toContain('HTTP 503');
  });

  it('refuses a revoked token (40105) and another advertiser (40001)', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/credentials', { accessToken: TOKEN, advertiserId: '7999999999999999999' });
    expect((await activityFailureOf(activities().findAudience({ tiktok: target(), name: 'x' }))).type).toBe(TiktokFailureType.permissionDenied);
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/credentials', { revoke: true });
    const revoked = await activityFailureOf(activities().checkTiktokCredentials({ tiktok: target() }));
    expect(revoked.type).toBe(TiktokFailureType.tokenRejected);
    expect(revoked.message).toContain(`ACCESS_TOKEN in secret ${SECRET_ID}`);
  });

  it('mixes identifier types in one audience unless told to refuse them as TikTok documents', async () => {
    const tiktok = target();
    const api = activities();
    const email = await uploaded('e.csv', emails(0, 3));
    const phone = await uploaded('p.csv', [sha('14155550100')], 'PHONE_SHA256');
    const { audienceId } = await api.createAudience({ tiktok, name: 'Mixed', calculateType: 'EMAIL_SHA256', filePaths: [email.filePath] });
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { strictCalculateType: true });
    const refused = await activityFailureOf(api.updateAudience({ tiktok, audienceId, action: 'APPEND', filePaths: [phone.filePath] }));
    expect(refused.message).toContain('audience.layout to per-type');
    await adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { strictCalculateType: false });
    await api.updateAudience({ tiktok, audienceId, action: 'APPEND', filePaths: [phone.filePath] });
    expect((await state()).audiences[0]!.sizeByType).toEqual({ EMAIL_SHA256: 3, PHONE_SHA256: 1 });
  });
});

describe('TikTok stand-in admin routes', () => {
  it('refuse bad bodies naming the field, and never answer the access token', async () => {
    await expect(adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { minimumSize: -1 })).rejects.toThrow(/400 .*minimumSize/);
    await expect(adminCall(ctx.sandbox, 'PUT', '/tiktok/refusals', [{ operation: 'ListCustomAudiences' }])).rejects.toThrow(/400 .*code/);
    await expect(adminCall(ctx.sandbox, 'POST', '/tiktok/audiences/123/ready')).rejects.toThrow(/404 .*no TikTok audience 123/);
    await expect(adminCall(ctx.sandbox, 'GET', '/tiktok/nothing')).rejects.toThrow(/404/);
    const answer = await adminCall(ctx.sandbox, 'GET', '/tiktok/state');
    expect(answer).toMatchObject({ credentials: { advertiserId: ADVERTISER, revoked: false } });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });
});
