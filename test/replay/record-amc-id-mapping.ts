import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { WorkflowHandle } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import type { AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { workflowIds } from '../../schemas/temporal-names';
import { amcIdMapping, amcIdMappingStatusQuery, dataChangedSignal, deleteTableUpdate } from '../../workflows/amc-id-mapping/amc-id-mapping';
import type { AmcIdMappingStatus } from '../../workflows/amc-id-mapping/amc-id-mapping-status';
import { historyText } from '../helpers/history-text';
import { withRecordingStack } from './recording-stack';
import { AMC_RECORDING_HEADER, AMC_RECORDING_VALUES, amcRecordingRows } from './amc-id-mapping-recording';

const INSTANCE = 'amcrecorded';
const NAME = 'Recorded_AMC_Customers';

/**
 * amcIdMapping on a dev server with the production worker against the sandbox: the collaboration awaited
 * (two pending checks), the table created and its job polled, a changed input inside the 14 days published
 * and deferred, the sandbox backdating the table 15 days, the refresh, and the deleteTable Update ending the run.
 */
export async function recordAmcIdMapping(workflowBundle: { code: string }): Promise<unknown> {
  return withRecordingStack(workflowBundle, async ({ env, sandbox, aws, admin, worker: productionWorker }) => {
    for (const Bucket of ['recorded-amc-raw', 'recorded-amc-data', 'recorded-amc-work', 'recorded-amc-results']) await aws.s3.send(new CreateBucketCommand({ Bucket }));
    const putInput = (k1Email: string) =>
      aws.s3.send(new PutObjectCommand({ Bucket: 'recorded-amc-raw', Key: 'customers.csv', Body: stringify(amcRecordingRows(k1Email), { header: true, columns: AMC_RECORDING_HEADER }) }));
    await putInput('sage.brook@example.com');
    const credentials = { clientId: 'amzn1.application-oa2-client.recorded', clientSecret: 'recorded-secret', refreshToken: 'Atzr|recorded-refresh' };
    await aws.secrets.send(new CreateSecretCommand({ Name: 'recorded/amc-credentials', SecretString: JSON.stringify(credentials) }));
    await admin('PUT', '/amc/credentials', credentials);
    await admin('PUT', `/amc/instances/${INSTANCE}`, { advertiserId: 'RECORDEDADVERTISER', account: SANDBOX_ACCOUNT, status: 'PENDING_ACCEPTANCE', afterChecks: 2 });

    const poll = { initialInterval: '200 milliseconds', maximumInterval: '200 milliseconds', backoffCoefficient: 1 };
    const input: AmcIdMappingInput = {
      name: NAME,
      region: 'us-east-1',
      account: SANDBOX_ACCOUNT,
      input: { uri: 's3://recorded-amc-raw/customers.csv' },
      uniqueId: 'Customer_ID',
      columns: { Email: 'EMAIL', Phone: 'PHONE' },
      output: { dataPrefix: 's3://recorded-amc-data/tables/', workPrefix: 's3://recorded-amc-work/', format: 'csv' },
      queryResultsBucket: 'recorded-amc-results',
      glue: { database: 'recorded_amc' },
      entityResolution: { passRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/AmcEntityResolutionPassRole` },
      amc: { baseUrl: sandbox.url, tokenUrl: `${sandbox.url}/auth/o2/token`, instanceId: INSTANCE, advertiserId: 'RECORDEDADVERTISER', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: 'recorded/amc-credentials' },
      collaborationPoll: poll,
      jobPoll: poll,
    };
    const taskQueue = 'record-amc-id-mapping';
    const worker = await productionWorker(taskQueue);
    const notice = (requestId: string) => ({ reason: 'operator' as const, requestId, at: new Date().toISOString() });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(amcIdMapping, { taskQueue, workflowId: workflowIds.amcIdMapping(INSTANCE, NAME), args: [{ input }] });
      const created = await until(handle, (s) => s.stage === 'guarding');
      await putInput('sage.brook.new@example.com');
      await handle.signal(dataChangedSignal, notice('recorded-change'));
      await until(handle, (s) => s.stage === 'waiting-for-refresh-window' && s.inputsProcessed === 2);
      await admin('POST', `/amc/tables/${created.tables[0]!.id}/age`, { days: 15 });
      await handle.signal(dataChangedSignal, notice('recorded-after-age'));
      await until(handle, (s) => s.refreshes === 1 && s.stage === 'guarding');
      await handle.executeUpdate(deleteTableUpdate, { args: [{ by: 'ops-7', reason: 'recording over' }] });
      await handle.result();
      return handle.fetchHistory();
    });
    const text = historyText(history);
    const leaked = AMC_RECORDING_VALUES.filter((value) => text.includes(value));
    if (leaked.length > 0) throw new Error(`the recorded amcIdMapping history holds ${leaked.length} identity value(s): not saved`);
    return history;
  });
}

async function until(handle: WorkflowHandle<typeof amcIdMapping>, done: (s: AmcIdMappingStatus) => boolean): Promise<AmcIdMappingStatus> {
  for (;;) {
    const s = await handle.query(amcIdMappingStatusQuery, new Date().toISOString());
    if (done(s)) return s;
    if (s.stage === 'failed') throw new Error(`amcIdMapping failed: ${JSON.stringify(s.nextAction)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

