import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { stringify } from 'csv-stringify/sync';
import type { AudienceUploadInput } from '../../schemas/audience-upload/audience-upload';
import { workflowIds } from '../../schemas/temporal-names';
import { audienceUpload } from '../../workflows/audience-upload/audience-upload';
import { historyText } from '../helpers/history-text';
import { withRecordingStack } from './recording-stack';
import { AUDIENCE_RECORDING_DAYS, AUDIENCE_RECORDING_HEADER, AUDIENCE_RECORDING_VALUES, audienceRecordingRows } from './audience-upload-recording';

const NAME = 'recorded-tiktok-customers';
const SQL = 'SELECT customer_id, email, phone FROM customers';

/**
 * audienceUpload on a dev server with the production worker against the sandbox, one audience on two days:
 * day 1 from a Clean Rooms protected query (started, polled, its result prepared), the audience created with
 * the emails and the phones APPENDed; day 2 from S3, the delta APPENDed and REMOVEd.
 */
export async function recordAudienceUpload(workflowBundle: { code: string }): Promise<{ created: unknown; delta: unknown }> {
  return withRecordingStack(workflowBundle, async ({ env, sandbox, aws, admin, worker: productionWorker }) => {
    for (const Bucket of ['recorded-aud-raw', 'recorded-aud-work', 'recorded-aud-results']) await aws.s3.send(new CreateBucketCommand({ Bucket }));
    const putDay = (ids: number[]) =>
      aws.s3.send(new PutObjectCommand({ Bucket: 'recorded-aud-raw', Key: 'customers.csv', Body: stringify(audienceRecordingRows(ids), { header: true, columns: AUDIENCE_RECORDING_HEADER }) }));
    await putDay(AUDIENCE_RECORDING_DAYS.day1);
    const credentials = { accessToken: 'recorded-token', advertiserId: '7000000000000000099' };
    await aws.secrets.send(new CreateSecretCommand({ Name: 'recorded/tiktok', SecretString: JSON.stringify({ ACCESS_TOKEN: credentials.accessToken, ADVERTISER_ID: credentials.advertiserId }) }));
    await admin('PUT', '/tiktok/credentials', credentials);
    await admin('PUT', '/tiktok/limits', { processingMs: 300 });
    await admin('PUT', '/clean-rooms/query-durations', { submittedMs: 200, runningMs: 300 });
    await admin('PUT', '/clean-rooms/query-sources', { match: { sql: SQL }, source: 's3://recorded-aud-raw/customers.csv' });
    const { membership } = (await admin('POST', '/clean-rooms/memberships', {})) as { membership: { id: string } };

    const poll = { initialInterval: '200 milliseconds', maximumInterval: '200 milliseconds', backoffCoefficient: 1 };
    const input = (source: AudienceUploadInput['source']): AudienceUploadInput => ({
      name: NAME,
      source,
      columns: [
        { name: 'customer_id', kind: 'NON_PII' },
        { name: 'email', kind: 'PII', type: 'EMAIL_SHA256' },
        { name: 'phone', kind: 'PII', type: 'PHONE_SHA256' },
      ],
      output: { workPrefix: 's3://recorded-aud-work/' },
      audience: { name: 'Recorded customers', mode: 'delta' },
      tiktok: { baseUrl: sandbox.url, credentialsSecretId: 'recorded/tiktok' },
      processingPoll: poll,
    });
    const taskQueue = 'record-audience-upload';
    const worker = await productionWorker(taskQueue);
    const run = async (day: string, source: AudienceUploadInput['source']) => {
      const handle = await env.client.workflow.start(audienceUpload, { taskQueue, workflowId: workflowIds.audienceUpload(NAME, day), args: [input(source)] });
      await handle.result();
      return handle.fetchHistory();
    };
    const histories = await worker.runUntil(async () => {
      const created = await run('2026-12-06', { kind: 'cleanRoomsQuery', membershipId: membership.id, sql: SQL, resultBucket: 'recorded-aud-results', poll });
      await putDay(AUDIENCE_RECORDING_DAYS.day2);
      const delta = await run('2026-12-07', { kind: 's3', uri: 's3://recorded-aud-raw/customers.csv' });
      return { created, delta };
    });
    for (const history of Object.values(histories)) {
      const text = historyText(history);
      const leaked = AUDIENCE_RECORDING_VALUES.filter((value) => text.includes(value));
      if (leaked.length > 0) throw new Error(`a recorded audienceUpload history holds ${leaked.length} identifier(s): not saved`);
    }
    return histories;
  });
}

