import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTiktokApiActivities, type TiktokTarget } from '../../activities/tiktok-api';
import { TiktokFailureType } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';
import { adminCall, useSandboxBuckets } from '../helpers/sandbox';

// The `lostResponse` fault kind comes with the Clean Rooms slice's faults.ts; until it is merged this suite is skipped.

const BUCKET = 'tiktok-lost';
const ctx = useSandboxBuckets(BUCKET);
const TOKEN = 'act.sandbox-access-token';
const ADVERTISER = '7000000000000000001';
const SECRET_ID = 'identity-test/tiktok-lost';
const target = (): TiktokTarget => ({ baseUrl: ctx.sandbox.url, credentialsSecretId: SECRET_ID });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeEach(async () => {
  await adminCall(ctx.sandbox, 'PUT', '/tiktok/credentials', { accessToken: TOKEN, advertiserId: ADVERTISER });
  await adminCall(ctx.sandbox, 'PUT', '/tiktok/limits', { minimumSize: 1, processingMs: 0 });
  await ctx.aws.secrets.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify({ ACCESS_TOKEN: TOKEN, ADVERTISER_ID: ADVERTISER }) }));
});

async function uploadedFile(lines: string[]) {
  const body = lines.map((l) => `${l}\n`).join('');
  await ctx.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'f.csv', Body: body }));
  const api = createTiktokApiActivities({ secrets: ctx.aws.secrets, s3: ctx.aws.s3 });
  const md5 = createHash('md5').update(body).digest('hex');
  return { api, md5, ...(await api.uploadAudienceFile({ tiktok: target(), uri: `s3://${BUCKET}/f.csv`, md5, calculateType: 'EMAIL_SHA256' })) };
}

const state = async () => (await adminCall(ctx.sandbox, 'GET', '/tiktok/state')) as { audiences: { id: string; size: number }[]; appliedFiles: Record<string, Record<string, number>> };

describe('TikTok stand-in: lost responses', () => {
  it('a create whose answer is lost was made; the retry adopts it by name, so there is one audience', async () => {
    const { api, filePath } = await uploadedFile([sha('a@example.com'), sha('b@example.com')]);
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'tiktok', operation: 'CreateCustomAudience', lostResponse: 1 }] });
    const input = { tiktok: target(), name: 'Lost once', calculateType: 'EMAIL_SHA256', filePaths: [filePath] };
    const lost = await activityFailureOf(api.createAudience(input));
    expect(lost.type).toBe(TiktokFailureType.unavailable);
    const [made] = (await state()).audiences;
    expect(await api.createAudience(input)).toEqual({ audienceId: made!.id, adopted: true });
    expect((await state()).audiences).toHaveLength(1);
    const counters = (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;
    expect(counters['tiktok:CreateCustomAudience']).toBe(1);
    expect(counters['tiktok:CreateCustomAudience:lostResponse']).toBe(1);
  });

  it('an APPEND repeated after its answer was lost leaves the members as they were (set semantics), and is counted twice', async () => {
    const { api, filePath, md5 } = await uploadedFile([sha('a@example.com')]);
    const { audienceId } = await api.createAudience({ tiktok: target(), name: 'Appended', calculateType: 'EMAIL_SHA256', filePaths: [filePath] });
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'tiktok', operation: 'UpdateCustomAudience', lostResponse: 1 }] });
    const update = () => api.updateAudience({ tiktok: target(), audienceId, action: 'APPEND', filePaths: [filePath] });
    expect((await activityFailureOf(update())).type).toBe(TiktokFailureType.unavailable);
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [] });
    await update();
    const after = await state();
    expect(after.audiences[0]!.size).toBe(1);
    expect(after.appliedFiles[audienceId]![md5]).toBe(3);
  });
});
