import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createEntityResolutionActivities } from '../../activities/entity-resolution/entity-resolution';
import { createGlueTableActivities } from '../../activities/glue-tables';
import { createUid2SubscriptionWaitActivities } from '../../activities/uid2-subscription/uid2-subscription-wait';
import { createUid2SubscriptionActivities } from '../../activities/uid2-subscription/uid2-subscription';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { ER_QUOTA_NAMES } from '../../schemas/uid2-matching/er-quotas';
import { AwsFailureType, ER_JOB_SLOT_WAIT_EXCEEDED, ER_RESOURCE_DRIFT, INVALID_INPUT, MATCHING_JOB_FAILED } from '../../schemas/failures';
import { jobQueueLabels, workflowIds } from '../../schemas/temporal-names';
import type { Uid2MatchingInput, Uid2MatchingResult, Uid2MatchingStatus } from '../../schemas/uid2-matching/uid2-matching';
import { uid2Matching, uid2MatchingStatusQuery } from '../../workflows/uid2-matching/uid2-matching';
import { uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { startTimeSkippingServer } from '../helpers/time-skipping-server';
import { FakeAws } from './fake-entity-resolution';
import { workflowFailureOf } from '../helpers/failures';

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let seq = 0;

/** The input table, as Glue describes it. */
function glueWithCustomers(): GlueClient {
  const glue = new GlueClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  mockClient(glue)
    .on(GetTableCommand)
    .resolves({
      Table: {
        Name: 'customers',
        DatabaseName: 'crm',
        CatalogId: '123456789012',
        StorageDescriptor: { Location: 's3://crm-data/customers/', Columns: ['customer_id', 'email', 'phone'].map((Name) => ({ Name, Type: 'string' })) },
      },
    });
  return glue;
}

/** A worker running the real activities against the fake AWS, on the time-skipping server. */
async function withWorker<T>(aws: FakeAws, fn: (taskQueue: string) => Promise<T>, on: TestWorkflowEnvironment = env): Promise<T> {
  const taskQueue = `uid2-matching-${++seq}`;
  const temporal = on.client;
  const activities = withAwsFailureMapping({
    ...createUid2SubscriptionActivities(aws),
    ...createUid2SubscriptionWaitActivities({ dataExchange: aws.dataExchange, temporal }),
    ...createGlueTableActivities({ glue: glueWithCustomers(), s3: aws.s3 }),
    ...createEntityResolutionActivities(aws),
    ...createWorkflowCoordinationActivities({ temporal }),
  });
  const worker = await Worker.create({ connection: on.nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities });
  return worker.runUntil(async () => {
    const outcome = await fn(taskQueue);
    // Each ER workflow's queue completes once idle (a minute); left open without a worker it would hold the shared server's clock.
    const queues = [...aws.workflows.keys()].map((name) => on.client.workflow.getHandle(workflowIds.erJobQueue(name)));
    if (on === env) await Promise.all(queues.map((q) => q.result()));
    else await Promise.all(queues.map((q) => q.terminate('test over').catch(() => undefined)));
    return outcome;
  });
}

function input(name: string, over: Partial<Uid2MatchingInput> = {}): Uid2MatchingInput {
  return {
    name,
    data: { glueTable: { database: 'crm', table: 'customers' } },
    uniqueIdColumn: 'customer_id',
    emailColumn: 'email',
    output: { s3Path: 's3://uid2-output/daily/' },
    roleArn: 'arn:aws:iam::123456789012:role/EntityResolutionUid2',
    subscription: { account: '123456789012' },
    ...over,
  };
}

const uniqueName = (label: string) => `Test_${label}_${seq}_${Date.now()}`;

function start(taskQueue: string, args: Uid2MatchingInput, on: TestWorkflowEnvironment = env): Promise<WorkflowHandle<typeof uid2Matching>> {
  return on.client.workflow.start(uid2Matching, { taskQueue, workflowId: `${workflowIds.uid2Matching(args.name, 'test')}-${Math.random()}`, args: [args] });
}


async function historyOf(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => String(e.eventType));
}

describe('uid2Matching (time-skipping)', () => {
  /**
   * A fresh time-skipping server per test: after runs whose queues and signals cross workflows, the test
   * server at times stops skipping time for the runs that follow on it (seen in CI), so each test starts
   * on a clean one (about a second) and no other suite shares one with them.
   */
  beforeEach(async () => {
    env = await startTimeSkippingServer();
  });
  afterEach(async () => {
    await env?.teardown();
  });

  it('polls a 6-hour job to the end with the same history length as a 5-minute job', async () => {
    const runs: { result: Uid2MatchingResult; history: string[]; checks: number }[] = [];
    for (const durationMs of [5 * 60_000, 6 * HOUR]) {
      const aws = new FakeAws(() => env.currentTimeMs());
      aws.jobDurationMs = durationMs;
      const run = await withWorker(aws, async (tq) => {
        const handle = await start(tq, input(uniqueName('duration')));
        const result = await handle.result();
        return { result, history: await historyOf(handle), checks: aws.calls.GetMatchingJob ?? 0 };
      });
      runs.push(run);
    }
    const [short, long] = runs;
    expect(long!.result.identifiers[0]!.durationMs).toBe(6 * HOUR);
    expect(short!.result.identifiers[0]!.durationMs).toBe(5 * 60_000);
    // Many more looks at the long job (backoff up to 10 minutes), none of them in the history.
    expect(long!.checks).toBeGreaterThan(short!.checks + 30);
    expect(long!.history.length).toBe(short!.history.length);
    expect(long!.history).toEqual(short!.history);
  });

  it('fails, without retrying, with the job\'s error message when the job ends FAILED', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    aws.failJobsWith = 'The input table has records whose unique ID is longer than 38 characters';
    const failure = await withWorker(aws, async (tq) => workflowFailureOf((await start(tq, input(uniqueName('failed')))).result()));

    expect(failure.type).toBe(MATCHING_JOB_FAILED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^email: Job job1 of matching workflow Test_failed_\S+_email ended FAILED: The input table has records whose unique ID is longer than 38 characters\. Check that the workflow role/);
    expect(aws.calls.StartMatchingJob).toBe(1);
  });

  it('refuses a config the UID2 integration guide rules out, naming each field and why', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    const bad = input('Bad', { emailColumn: undefined, output: { s3Path: 's3://uid2-output/', exclude: ['customer_id'], hash: ['first_name'] } });
    const failure = await withWorker(aws, async (tq) => workflowFailureOf((await start(tq, bad)).result()));

    expect(failure.type).toBe(INVALID_INPUT);
    expect(failure.message).toContain('emailColumn: set emailColumn, phoneColumn or both: UID2 maps email addresses and phone numbers only');
    expect(failure.message).toContain('output.exclude.0: the unique id cannot be excluded');
    expect(failure.message).toContain('output.hash.0: is not a mapped column: a UID2 schema holds only the unique id, email and phone columns');
    expect(aws.calls.ListProviderServices).toBeUndefined();
  });

  /** Another pipeline's provider-service job holds the Region's slot from now for `holdMs`; starts meanwhile are refused naming the quota. */
  async function slotHeldFor(aws: FakeAws, holdMs: number): Promise<number> {
    aws.refuseConcurrentStarts = { quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs, quotaValue: 1 };
    const now = await env.currentTimeMs();
    aws.jobs.push({ jobId: 'elsewhere', workflowName: 'Other_pipeline_email', startMs: now, endMs: now + holdMs, inputRecords: 1 });
    return now + holdMs;
  }

  it('waits for the Region\'s job slot on durable timers when the start is refused, shows the wait in status, then completes', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    const freedAtMs = await slotHeldFor(aws, 20 * 60_000);
    const { result, waiting, history } = await withWorker(aws, async (tq) => {
      const handle = await start(tq, input(uniqueName('slot')));
      // Time does not skip until the result is awaited: the run sits in its first wait.
      let waiting: Uid2MatchingStatus | undefined;
      await vi.waitUntil(async () => {
        waiting = await handle.query(uid2MatchingStatusQuery).catch(() => undefined);
        return waiting?.jobs[0]?.stage === 'waiting-for-slot';
      }, { timeout: 30_000, interval: 100 });
      return { result: await handle.result(), waiting: waiting!, history: await historyOf(handle) };
    });

    const wait = waiting.jobs[0]!.slotWait!;
    expect(wait).toMatchObject({ attempts: 1, quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs, quotaValue: 1 });
    expect(Date.parse(wait.nextAttemptAt) - Date.parse(wait.since)).toBe(60_000);
    expect(Date.parse(wait.giveUpAt) - Date.parse(wait.since)).toBe(7 * 24 * HOUR);
    expect(waiting.nextAction).toContain(`email waits for the Region's job slot (quota "${ER_QUOTA_NAMES.concurrentProviderServiceJobs}" in use): start refused 1 time, next try at ${wait.nextAttemptAt}`);
    // Refused at 0, 1, 3, 7 and 15 minutes (1, 2, 4, 8 minutes apart); the try at 25 minutes finds the slot free.
    expect(aws.calls['StartMatchingJob:refused']).toBe(5);
    expect(history.filter((e) => e === String(temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED))).toHaveLength(5);
    const ours = aws.jobs.find((j) => j.jobId === result.identifiers[0]!.jobId)!;
    expect(ours.startMs).toBeGreaterThanOrEqual(freedAtMs);
    expect(result.identifiers[0]!.status).toBe('SUCCEEDED');
  });

  it('fails with ErJobSlotWaitExceeded when the slot stays taken past jobPoll.timeout', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    await slotHeldFor(aws, 2 * HOUR);
    const failure = await withWorker(aws, async (tq) => workflowFailureOf((await start(tq, input(uniqueName('slotTimeout'), { jobPoll: { timeout: '30 minutes' } }))).result()));

    expect(failure.type).toBe(ER_JOB_SLOT_WAIT_EXCEEDED);
    expect(failure.nonRetryable).toBe(true);
    // Refused at 0, 1, 3, 7, 15, 25 and (the last wait cut to the timeout) 30 minutes.
    expect(failure.message).toMatch(/^email: The job start was refused 7 times from \S+ to \S+ \(jobPoll.timeout 30 minutes\) because the quota "Concurrent provider service matching jobs" was in use/);
    expect(aws.calls['StartMatchingJob:refused']).toBe(7);
    expect(aws.jobs).toHaveLength(1);
  });

  it('fails at once, naming the quota, when a resource count ("Matching workflows") is exceeded', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    aws.workflowQuota = { quotaName: ER_QUOTA_NAMES.matchingWorkflows, quotaValue: 10 };
    const failure = await withWorker(aws, async (tq) => workflowFailureOf((await start(tq, input(uniqueName('workflowQuota')))).result()));

    expect(failure.type).toBe(AwsFailureType.quotaExceeded);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('email: ensureMatchingWorkflow: ExceedsLimitException: You have reached the quota of 10 matching workflows — the quota "Matching workflows" (10) was reached: free capacity');
    expect(aws.calls.CreateMatchingWorkflow).toBe(1);
    expect(aws.calls.StartMatchingJob).toBeUndefined();
  });
});

/**
 * On the dev server: under load the time-skipping server skips time while a run and an ER workflow's
 * queue are signalling each other, and runs stall or time out there (two identifiers, throttled polls,
 * queues kept open from one run to the next, child approvals). Jobs here take seconds of real time,
 * polled every half second.
 */
const fastPoll = { initialInterval: '500 milliseconds', maximumInterval: '500 milliseconds', backoffCoefficient: 1 };
const approvalPoll = { initialInterval: '1 second', maximumInterval: '1 second', backoffCoefficient: 1 };

describe('uid2Matching on the dev server', () => {
  let dev: TestWorkflowEnvironment;
  beforeAll(async () => {
    dev = await connectDevServer();
  });
  afterAll(async () => {
    await dev?.teardown();
  });

  it('keeps polling through throttled GetMatchingJob calls and reports the job', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 3000;
    aws.throttleEvery = 2;
    const name = uniqueName('throttled');
    const result = await withWorker(aws, async (tq) => (await start(tq, input(name, { jobPoll: fastPoll }), dev)).result(), dev);

    expect(aws.calls['GetMatchingJob:throttle']).toBeGreaterThanOrEqual(2);
    const [email] = result.identifiers;
    expect(email).toMatchObject({
      identifier: 'email',
      status: 'SUCCEEDED',
      metrics: { inputRecords: 100, totalRecordsProcessed: 97, recordsNotProcessed: 3 },
      outputPrefix: `s3://uid2-output/daily/${name}_email/${email!.jobId}/`,
      outputObjects: [`s3://uid2-output/daily/${name}_email/${email!.jobId}/error/part-00000.csv`, `s3://uid2-output/daily/${name}_email/${email!.jobId}/success/part-00000.csv`],
    });
    expect(result.providerServiceArn).toContain('providerservice/UID2/');
    expect(result.inputTableArn).toBe('arn:aws:glue:us-east-1:123456789012:table/crm/customers');
  });

  it('splits emails and phones: two schema mappings, two PROVIDER workflows, two jobs, no record duplicated', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 1000;
    const name = uniqueName('both');
    const result = await withWorker(
      aws,
      async (tq) => (await start(tq, input(name, { phoneColumn: 'phone', output: { s3Path: 's3://uid2-output/daily/', hash: ['email'] }, jobPoll: fastPoll }), dev)).result(),
      dev,
    );

    expect(result.identifiers.map((i) => [i.identifier, i.erWorkflow.name, i.erWorkflow.action])).toEqual([
      ['email', `${name}_email`, 'created'],
      ['phone', `${name}_phone`, 'created'],
    ]);
    expect(new Set(aws.jobs.map((j) => j.workflowName))).toEqual(new Set([`${name}_email`, `${name}_phone`]));
    // Each schema holds the unique id and one identifier type, so Entity Resolution writes one output row per record.
    expect(aws.schemas.get(`${name}_email`)!.mappedInputFields).toEqual([
      { fieldName: 'customer_id', type: 'UNIQUE_ID' },
      { fieldName: 'email', type: 'EMAIL_ADDRESS' },
    ]);
    expect(aws.schemas.get(`${name}_phone`)!.mappedInputFields).toEqual([
      { fieldName: 'customer_id', type: 'UNIQUE_ID' },
      { fieldName: 'phone', type: 'PHONE_NUMBER' },
    ]);
    const emailWorkflow = aws.workflows.get(`${name}_email`)!;
    expect(emailWorkflow.resolutionTechniques).toEqual({ resolutionType: 'PROVIDER', providerProperties: { providerServiceArn: result.providerServiceArn } });
    expect(emailWorkflow.outputSourceConfig).toEqual([
      { outputS3Path: 's3://uid2-output/daily/', applyNormalization: true, output: [{ name: 'customer_id', hashed: false }, { name: 'email', hashed: true }] },
    ]);
    expect(emailWorkflow.inputSourceConfig).toEqual([{ inputSourceARN: result.inputTableArn, schemaName: `${name}_email`, applyNormalization: true }]);
  });

  it('reuses the resources on a second run the same day, and updates or reports a drifted workflow', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 1000;
    const name = uniqueName('reuse');
    const run = (over: Partial<Uid2MatchingInput> = {}) => input(name, { jobPoll: fastPoll, ...over });
    const { second, updated, refused } = await withWorker(
      aws,
      async (tq) => {
        await (await start(tq, run(), dev)).result();
        const second = await (await start(tq, run(), dev)).result();
        const updated = await (await start(tq, run({ output: { s3Path: 's3://uid2-output/moved/' } }), dev)).result();
        const refused = await workflowFailureOf((await start(tq, run({ output: { s3Path: 's3://uid2-output/elsewhere/' }, onDrift: 'fail' }), dev)).result());
        return { second, updated, refused };
      },
      dev,
    );

    expect(second.identifiers[0]!.erWorkflow).toMatchObject({ action: 'unchanged', drift: [] });
    expect(second.identifiers[0]!.schemaMapping).toMatchObject({ action: 'unchanged', drift: [] });
    expect(aws.calls.CreateMatchingWorkflow).toBe(1);
    expect(aws.calls.CreateSchemaMapping).toBe(1);
    expect(updated.identifiers[0]!.erWorkflow).toMatchObject({
      action: 'updated',
      drift: [{ field: 'outputSourceConfig[0].outputS3Path', current: 's3://uid2-output/daily/', wanted: 's3://uid2-output/moved/' }],
    });
    expect(aws.calls.UpdateMatchingWorkflow).toBe(1);
    expect(refused.type).toBe(ER_RESOURCE_DRIFT);
    expect(refused.message).toContain('outputSourceConfig[0].outputS3Path: s3://uid2-output/moved/ → s3://uid2-output/elsewhere/');
    expect(aws.jobs).toHaveLength(3);
  });

  it('runs two concurrent runs on the same ER workflow one after the other, without a ConflictException', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 3000;
    const name = uniqueName('queue');
    const fast = input(name, { jobPoll: fastPoll });
    const [first, second] = await withWorker(
      aws,
      async (tq) => {
        const handles = [await start(tq, fast, dev), await start(tq, fast, dev)];
        return Promise.all(handles.map((h) => h.result()));
      },
      dev,
    );

    expect(aws.calls['StartMatchingJob:conflict']).toBeUndefined();
    expect(aws.calls.StartMatchingJob).toBe(2);
    expect(aws.jobs).toHaveLength(2);
    const [a, b] = aws.jobs;
    expect(b!.startMs).toBeGreaterThanOrEqual(a!.endMs);
    const queued = [first!, second!].map((r) => r.identifiers[0]!.queuedMs).sort((x, y) => x - y);
    expect(queued[1]).toBeGreaterThanOrEqual(3000);
    expect(queued[0]).toBeLessThan(queued[1]!);
  });
  it('with jobQueue "account-region", runs the jobs of two runs on different ER workflows one after the other', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 2000;
    const account = String(400000000000 + seq);
    const run = (label: string) => input(uniqueName(label), { roleArn: `arn:aws:iam::${account}:role/EntityResolutionUid2`, jobPoll: fastPoll, jobQueue: 'account-region' });
    const regionQueue = dev.client.workflow.getHandle(workflowIds.erJobQueue(jobQueueLabels.providerServiceJobs(account, 'us-east-1')));
    const results = await withWorker(
      aws,
      async (tq) => {
        const handles = [await start(tq, run('regionA'), dev), await start(tq, run('regionB'), dev)];
        const results = await Promise.all(handles.map((h) => h.result()));
        await regionQueue.terminate('test over');
        return results;
      },
      dev,
    );

    expect(new Set(results.map((r) => r.identifiers[0]!.erWorkflow.name)).size).toBe(2);
    const [a, b] = [...aws.jobs].sort((x, y) => x.startMs - y.startMs);
    expect(a!.workflowName).not.toBe(b!.workflowName);
    expect(b!.startMs).toBeGreaterThanOrEqual(a!.endMs);
  });

  it('waits for the subscription approval as a child run when the subscription is not entitled yet', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 1000;
    // The run's own check and the approval child's first check find no entitlement; the child's next one does.
    aws.pendingChecks = 2;
    const account = String(200000000000 + seq);
    const result = await withWorker(aws, async (tq) => (await start(tq, input(uniqueName('approval'), { subscription: { account, poll: approvalPoll }, jobPoll: fastPoll }), dev)).result(), dev);

    expect(result.subscription).toBe('approved-during-run');
    const approval = await dev.client.workflow.getHandle(workflowIds.uid2SubscriptionApproval(account)).describe();
    expect(approval.type).toBe('uid2SubscriptionApproval');
    expect(approval.status.name).toBe('COMPLETED');
    expect(aws.calls.GetDataSet).toBe(3);
    expect(aws.jobs[0]!.startMs).toBeGreaterThanOrEqual(aws.entitledAtMs!);
  });

  it('waits on an approval run that was already running, and reports its stage meanwhile', async () => {
    const aws = new FakeAws(() => Promise.resolve(Date.now()));
    aws.jobDurationMs = 1000;
    // Not entitled until the test has seen the run wait for the approval.
    aws.entitledFromMs = undefined;
    const account = String(300000000000 + seq);
    const { result, stages } = await withWorker(
      aws,
      async (tq) => {
        await dev.client.workflow.start(uid2SubscriptionApproval, { taskQueue: tq, workflowId: workflowIds.uid2SubscriptionApproval(account), args: [{ input: { account, poll: approvalPoll } }] });
        const handle = await start(tq, input(uniqueName('attach'), { subscription: { account, poll: approvalPoll }, jobPoll: fastPoll }), dev);
        const stages = new Set<string>();
        await vi.waitUntil(
          async () => {
            const status = await handle.query(uid2MatchingStatusQuery).catch(() => undefined);
            if (status) stages.add(status.stage);
            return stages.has('waiting-for-approval');
          },
          { timeout: 30_000, interval: 100 },
        );
        aws.entitledFromMs = 0;
        return { result: await handle.result(), stages };
      },
      dev,
    );

    expect(stages).toContain('waiting-for-approval');
    expect(result.subscription).toBe('approved-during-run');
    expect(aws.jobs[0]!.startMs).toBeGreaterThanOrEqual(aws.entitledAtMs!);
  });
});
