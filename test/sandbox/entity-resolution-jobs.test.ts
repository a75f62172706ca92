import {
  ConflictException,
  CreateMatchingWorkflowCommand,
  ExceedsLimitException,
  CreateSchemaMappingCommand,
  DeleteMatchingWorkflowCommand,
  GetMatchIdCommand,
  GetMatchingJobCommand,
  ListMatchingJobsCommand,
  StartMatchingJobCommand,
  type GetMatchingJobCommandOutput,
  type ResolutionTechniques,
  type SchemaInputAttribute,
  ValidationException,
} from '@aws-sdk/client-entityresolution';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ER_QUOTA_NAMES } from '../../schemas/uid2-matching/er-quotas';
import { adminCall, useSandbox } from '../helpers/sandbox';

/** Matching jobs that really run over S3 data, through the real SDK clients. */
const ctx = useSandbox();
const AWS_QUOTAS = { matchingJobs: 1, providerServiceJobs: 1, rulesPerWorkflow: 15, recordsPerMatchId: 500, whenFull: 'queue' };
let s3: S3Client;
let glue: GlueClient;

const role = 'arn:aws:iam::000000000000:role/EntityResolutionWorkflowRole';
const CUSTOMERS = [
  'customer_id,email,full_name',
  'c1, Jane.Doe@Example.com ,Jane Doe',
  'c2,jane.doe@example.com,J. Doe',
  'c3,bob@example.org,Bob Smith',
  'c4,BOB@example.org,Robert Smith',
  'c5,alice@example.net,Alice',
  'c6,,No Email',
].join('\n');

beforeAll(() => {
  s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  glue = new GlueClient({ region: 'us-east-1' });
});
beforeEach(async () => {
  await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/job-durations', { queuedMs: 50, runningMs: 100 });
  await s3.send(new CreateBucketCommand({ Bucket: 'clean-zone' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'er-output' }));
  await s3.send(new PutObjectCommand({ Bucket: 'clean-zone', Key: 'customers/part-0.csv', Body: CUSTOMERS }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'identity',
      TableInput: {
        Name: 'customers',
        StorageDescriptor: { Location: 's3://clean-zone/customers/', Columns: ['customer_id', 'email', 'full_name'].map((Name) => ({ Name, Type: 'string' })) },
      },
    }),
  );
});

async function untilDone(workflowName: string, jobId: string): Promise<GetMatchingJobCommandOutput> {
  for (let i = 0; i < 200; i++) {
    const job = await ctx.aws.entityResolution.send(new GetMatchingJobCommand({ workflowName, jobId }));
    if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function outputRows(prefix: string): Promise<Record<string, string>[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'er-output', Prefix: prefix }));
  const rows: Record<string, string>[] = [];
  for (const object of listed.Contents ?? []) {
    const body = await s3.send(new GetObjectCommand({ Bucket: 'er-output', Key: object.Key }));
    rows.push(...parse<Record<string, string>>(await body.Body!.transformToString(), { columns: true }));
  }
  return rows;
}

/** A schema mapping of the same name and a matching workflow over the customers Glue table, writing under `s3://er-output/<prefix>/`. */
async function createWorkflow(opts: {
  name: string;
  fields: SchemaInputAttribute[];
  outputPrefix: string;
  output?: string[];
  techniques: ResolutionTechniques;
  applyNormalization?: boolean;
}): Promise<void> {
  await ctx.aws.entityResolution.send(new CreateSchemaMappingCommand({ schemaName: opts.name, mappedInputFields: opts.fields }));
  await ctx.aws.entityResolution.send(
    new CreateMatchingWorkflowCommand({
      workflowName: opts.name,
      inputSourceConfig: [{ inputSourceARN: 'arn:aws:glue:us-east-1:000000000000:table/identity/customers', schemaName: opts.name, applyNormalization: opts.applyNormalization }],
      outputSourceConfig: [{ outputS3Path: `s3://er-output/${opts.outputPrefix}/`, output: (opts.output ?? []).map((name) => ({ name })) }],
      resolutionTechniques: opts.techniques,
      roleArn: role,
    }),
  );
}

/** The customer id and the email only; the email under `matchKey` when rules are to match on it. */
const idAndEmail = (matchKey?: string): SchemaInputAttribute[] => [
  { fieldName: 'customer_id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS', ...(matchKey ? { matchKey } : {}) },
];

const sameEmail = (matchingKey = 'Email'): ResolutionTechniques => ({
  resolutionType: 'RULE_MATCHING',
  ruleBasedProperties: { rules: [{ ruleName: 'SameEmail', matchingKeys: [matchingKey] }], attributeMatchingModel: 'ONE_TO_ONE' },
});

const uid2 = (): ResolutionTechniques => ({
  resolutionType: 'PROVIDER',
  providerProperties: { providerServiceArn: 'arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment' },
});

describe('sandbox: Entity Resolution matching jobs', () => {
  it('runs a rule-based job: QUEUED → RUNNING → SUCCEEDED, one output row per input row, MatchIDs by normalised email', async () => {
    await createWorkflow({
      name: 'customers-rules',
      fields: [
        { fieldName: 'customer_id', type: 'UNIQUE_ID' },
        { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
        { fieldName: 'full_name', type: 'NAME', matchKey: 'Name' },
      ],
      outputPrefix: 'rules',
      output: ['email', 'full_name'],
      techniques: sameEmail(),
      applyNormalization: true,
    });
    // The checks below need the job still unfinished: give them a second, not the suite's 150 ms, so a slow machine does not race the timer.
    await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/job-durations', { queuedMs: 50, runningMs: 1000 });
    const { jobId } = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'customers-rules' }));
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect((await ctx.aws.entityResolution.send(new GetMatchingJobCommand({ workflowName: 'customers-rules', jobId }))).status).toMatch(/QUEUED|RUNNING/);
    const second = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'customers-rules' })).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConflictException);
    const deleteWhileRunning = await ctx.aws.entityResolution.send(new DeleteMatchingWorkflowCommand({ workflowName: 'customers-rules' })).catch((e: unknown) => e);
    expect(deleteWhileRunning).toBeInstanceOf(ConflictException);

    const job = await untilDone('customers-rules', jobId!);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.metrics).toMatchObject({ inputRecords: 6, totalRecordsProcessed: 6, recordsNotProcessed: 0, matchIDs: 4 });
    expect(job.startTime).toBeInstanceOf(Date);
    expect(job.outputSourceConfig?.[0]?.outputS3Path).toBe('s3://er-output/rules/');

    const rows = await outputRows(`rules/customers-rules/${jobId}/success/`);
    expect(rows).toHaveLength(6);
    const matchId = (id: string) => rows.find((r) => r.customer_id === id)!.MatchID;
    expect(matchId('c1')).toBe(matchId('c2'));
    expect(matchId('c3')).toBe(matchId('c4'));
    expect(new Set([matchId('c1'), matchId('c3'), matchId('c5'), matchId('c6')]).size).toBe(4);
    expect(rows.find((r) => r.customer_id === 'c2')!.MatchRule).toBe('SameEmail');

    const listed = await ctx.aws.entityResolution.send(new ListMatchingJobsCommand({ workflowName: 'customers-rules' }));
    expect(listed.jobs?.map((j) => j.jobId)).toEqual([jobId]);

    // GetMatchId: a new record with Bob's email (other case, spaces) joins Bob's group of this run.
    const found = await ctx.aws.entityResolution.send(
      new GetMatchIdCommand({ workflowName: 'customers-rules', record: { customer_id: 'new-1', email: '  BOB@EXAMPLE.ORG', full_name: 'B' } }),
    );
    expect(found.matchId).toBe(matchId('c3'));
    expect(found.matchRule).toBe('SameEmail');
    const unknown = await ctx.aws.entityResolution.send(new GetMatchIdCommand({ workflowName: 'customers-rules', record: { customer_id: 'new-2', email: 'nobody@example.com' } }));
    expect(unknown.matchId).toBeUndefined();
  });

  it('runs a UID2 provider job only once entitled, adding the UID2 columns to every row with an email', async () => {
    await createWorkflow({
      name: 'uid2-email',
      fields: idAndEmail(),
      outputPrefix: 'uid2',
      output: ['email'],
      techniques: uid2(),
    });
    const refused = await untilDone('uid2-email', (await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'uid2-email' }))).jobId!);
    expect(refused.status).toBe('FAILED');
    expect(refused.errorDetails?.errorMessage).toContain('not subscribed to the UID2 provider');

    await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});
    const { jobId } = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'uid2-email' }));
    const job = await untilDone('uid2-email', jobId!);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.metrics).toMatchObject({ inputRecords: 6, totalRecordsProcessed: 5, recordsNotProcessed: 1 });
    const rows = await outputRows(`uid2/uid2-email/${jobId}/success/`);
    expect(rows.map((r) => r.customer_id).sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    for (const row of rows) {
      expect(row.UID2_advertising_id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(row.UID2_bucket_id).not.toBe('');
    }
    const byId = (id: string) => rows.find((r) => r.customer_id === id)!;
    expect(byId('c1').UID2_identifier).toBe('jane.doe@example.com');
    expect(byId('c1').UID2_advertising_id).toBe(byId('c2').UID2_advertising_id);
    expect(await outputRows(`uid2/uid2-email/${jobId}/error/`)).toEqual([{ customer_id: 'c6', errorMessage: 'no identifier' }]);
  });

  it('reads Parquet input as well as CSV', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'clean-zone',
        Key: 'customers/part-1.parquet',
        Body: new Uint8Array(
          parquetWriteBuffer({
          columnData: [
            { name: 'customer_id', data: ['p1', 'p2'], type: 'STRING' },
            { name: 'email', data: ['ALICE@example.net ', 'zoe@example.com'], type: 'STRING' },
            { name: 'full_name', data: ['Alice A.', 'Zoe'], type: 'STRING' },
            ],
          }),
        ),
      }),
    );
    await createWorkflow({
      name: 'mixed-formats',
      fields: idAndEmail('Email'),
      outputPrefix: 'mixed',
      techniques: sameEmail(),
      applyNormalization: true,
    });
    const { jobId } = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'mixed-formats' }));
    const job = await untilDone('mixed-formats', jobId!);
    expect(job.metrics?.inputRecords).toBe(8);
    const rows = await outputRows(`mixed/mixed-formats/${jobId}/success/`);
    const matchId = (id: string) => rows.find((r) => r.customer_id === id)!.MatchID;
    expect(matchId('p1')).toBe(matchId('c5'));
    expect(matchId('p2')).not.toBe(matchId('c5'));
  });

  it('fails a job on demand (fault injection) with errorDetails', async () => {
    await createWorkflow({
      name: 'flaky',
      fields: idAndEmail(),
      outputPrefix: 'flaky',
      techniques: sameEmail('email'),
    });
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'entityresolution', operation: 'StartMatchingJob', jobFailure: 1 }] });
    const job = await untilDone('flaky', (await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'flaky' }))).jobId!);
    expect(job.status).toBe('FAILED');
    expect(job.errorDetails?.errorMessage).toBe('Job failed (injected by the sandbox)');
  });
});

describe('sandbox: Entity Resolution per-Region job quotas', () => {
  type Job = { workflowName: string; jobId: string };
  const status = async ({ workflowName, jobId }: Job) => (await ctx.aws.entityResolution.send(new GetMatchingJobCommand({ workflowName, jobId }))).status;
  const done = (s: string | undefined) => s === 'SUCCEEDED' || s === 'FAILED';

  /** Starts a job on each workflow at once, in this order. */
  async function startAll(...workflowNames: string[]): Promise<Job[]> {
    const started = await Promise.all(workflowNames.map((workflowName) => ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName }))));
    return started.map(({ jobId }, i) => ({ workflowName: workflowNames[i]!, jobId: jobId! }));
  }

  /**
   * Whether both jobs were seen RUNNING together (`a` read before and after `b`, RUNNING both times,
   * so it ran while `b` was read); polls until both have ended so no job outlives the test.
   */
  async function seenRunningTogether(a: Job, b: Job): Promise<boolean> {
    let together = false;
    await vi.waitUntil(
      async () => {
        const [a1, b1, a2] = [await status(a), await status(b), await status(a)];
        together ||= a1 === 'RUNNING' && b1 === 'RUNNING' && a2 === 'RUNNING';
        return done(a2) && done(b1);
      },
      { timeout: 15_000, interval: 20 },
    );
    return together;
  }

  async function providerWorkflows(...names: string[]): Promise<void> {
    await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});
    for (const name of names) await createWorkflow({ name, fields: idAndEmail(), outputPrefix: name, output: ['email'], techniques: uid2() });
  }

  beforeEach(() => adminCall(ctx.sandbox, 'PUT', '/entity-resolution/job-durations', { queuedMs: 50, runningMs: 600 }));

  it('keeps a second provider-service job QUEUED while the first runs, and starts it once the first has ended', async () => {
    await providerWorkflows('uid2-first', 'uid2-second');
    const [first, second] = await startAll('uid2-first', 'uid2-second');
    let queuedBehind = false;
    let overlapped = false;
    await vi.waitUntil(
      async () => {
        // The second is read first: if it is RUNNING, the first must have ended before that read.
        const [s, f] = [await status(second!), await status(first!)];
        queuedBehind ||= s === 'QUEUED' && f === 'RUNNING';
        overlapped ||= s === 'RUNNING' && !done(f);
        return done(s) && done(f);
      },
      { timeout: 15_000, interval: 20 },
    );
    expect(queuedBehind).toBe(true);
    expect(overlapped).toBe(false);
    const [a, b] = await Promise.all([first!, second!].map((job) => ctx.aws.entityResolution.send(new GetMatchingJobCommand(job))));
    expect([a!.status, b!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(b!.endTime!.getTime()).toBeGreaterThanOrEqual(a!.endTime!.getTime());
    expect(b!.startTime!.getTime()).toBeGreaterThanOrEqual(a!.startTime!.getTime());
  });

  it('runs a rule-based job alongside a provider-service job: they count against different quotas', async () => {
    await providerWorkflows('uid2-only');
    await createWorkflow({ name: 'rules-only', fields: idAndEmail('Email'), outputPrefix: 'rules-only', techniques: sameEmail() });
    const [provider, rules] = await startAll('uid2-only', 'rules-only');
    expect(await seenRunningTogether(provider!, rules!)).toBe(true);
  });

  it('runs two provider-service jobs together once the quota is raised to 2, and reset restores AWS quotas', async () => {
    expect(await adminCall(ctx.sandbox, 'GET', '/entity-resolution/quotas')).toEqual(AWS_QUOTAS);
    expect(await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { providerServiceJobs: 2 })).toEqual({ ...AWS_QUOTAS, providerServiceJobs: 2 });
    await providerWorkflows('uid2-a', 'uid2-b');
    const [a, b] = await startAll('uid2-a', 'uid2-b');
    expect(await seenRunningTogether(a!, b!)).toBe(true);

    await adminCall(ctx.sandbox, 'POST', '/reset');
    expect(await adminCall(ctx.sandbox, 'GET', '/entity-resolution/quotas')).toEqual(AWS_QUOTAS);
  });

  it('with whenFull "refuse", answers a provider-service start beyond the quota with ExceedsLimitException naming the quota, and accepts it once the slot is free', async () => {
    expect(await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { whenFull: 'refuse' })).toEqual({ ...AWS_QUOTAS, whenFull: 'refuse' });
    await providerWorkflows('uid2-held', 'uid2-refused');
    await createWorkflow({ name: 'rules-beside', fields: idAndEmail('Email'), outputPrefix: 'rules-beside', techniques: sameEmail() });
    const [held] = await startAll('uid2-held');

    const refused = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'uid2-refused' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ExceedsLimitException);
    expect(refused).toMatchObject({
      name: 'ExceedsLimitException',
      message: 'Exceeded the quota of 1 concurrent provider service matching jobs in this Region',
      quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs,
      quotaValue: 1,
      $metadata: { httpStatusCode: 402 },
    });
    // A rule-based job counts against the other quota: it is accepted beside the provider job.
    const [rules] = await startAll('rules-beside');
    expect(await seenRunningTogether(held!, rules!)).toBe(true);
    // No job was made of the refused start; once the slot is free a start is accepted.
    expect((await ctx.aws.entityResolution.send(new ListMatchingJobsCommand({ workflowName: 'uid2-refused' }))).jobs).toEqual([]);
    const [later] = await startAll('uid2-refused');
    expect((await untilDone(later!.workflowName, later!.jobId)).status).toBe('SUCCEEDED');
  });

  it('reset restores queueing when full', async () => {
    await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { whenFull: 'refuse' });
    await adminCall(ctx.sandbox, 'POST', '/reset');
    expect(await adminCall(ctx.sandbox, 'GET', '/entity-resolution/quotas')).toEqual(AWS_QUOTAS);
  });

  it('refuses a quota that is not a whole number of at least 1, or an unknown whenFull, naming the field', async () => {
    await expect(adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { matchingJobs: 0 })).rejects.toThrow(/: 400 \{"error":"matchingJobs: /);
    await expect(adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { idMappingJobs: 1 })).rejects.toThrow(/: 400 /);
    await expect(adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { rulesPerWorkflow: 26 })).rejects.toThrow(/: 400 \{"error":"rulesPerWorkflow: /);
    await expect(adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { recordsPerMatchId: 1 })).rejects.toThrow(/: 400 \{"error":"recordsPerMatchId: /);
    await expect(adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { whenFull: 'fail' })).rejects.toThrow(/: 400 \{"error":"whenFull: /);
  });
});

describe('sandbox: Entity Resolution rule and MatchID limits', () => {
  const rules = (count: number): ResolutionTechniques => ({
    resolutionType: 'RULE_MATCHING',
    ruleBasedProperties: { rules: Array.from({ length: count }, (_, i) => ({ ruleName: `Rule${i + 1}`, matchingKeys: ['Email'] })), attributeMatchingModel: 'ONE_TO_ONE' },
  });

  it('refuses a rule-based workflow of more than 15 rules (the model allows 25) until the limit is raised; reset restores it', async () => {
    await createWorkflow({ name: 'fifteen', fields: idAndEmail('Email'), outputPrefix: 'fifteen', techniques: rules(15) });
    const refused = await createWorkflow({ name: 'sixteen', fields: idAndEmail('Email'), outputPrefix: 'sixteen', techniques: rules(16) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationException);
    expect((refused as Error).message).toMatch(/^1 validation error detected: Value at 'resolutionTechniques\.ruleBasedProperties\.rules' .*less than or equal to 15 /);

    await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { rulesPerWorkflow: 16 });
    await ctx.aws.entityResolution.send(
      new CreateMatchingWorkflowCommand({
        workflowName: 'sixteen',
        inputSourceConfig: [{ inputSourceARN: 'arn:aws:glue:us-east-1:000000000000:table/identity/customers', schemaName: 'sixteen' }],
        outputSourceConfig: [{ outputS3Path: 's3://er-output/sixteen/', output: [] }],
        resolutionTechniques: rules(16),
        roleArn: role,
      }),
    );
    await adminCall(ctx.sandbox, 'POST', '/reset');
    expect(await adminCall(ctx.sandbox, 'GET', '/entity-resolution/quotas')).toMatchObject({ rulesPerWorkflow: 15 });
  });

  it('consolidates at most 500 records into one MatchID: 501 records sharing an email get two MatchIDs, one of 500 in input order', async () => {
    const customers = ['customer_id,email', ...Array.from({ length: 501 }, (_, i) => `c${i + 1},same@example.com`)].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: 'clean-zone', Key: 'customers/part-0.csv', Body: customers }));
    await createWorkflow({ name: 'crowd', fields: idAndEmail('Email'), outputPrefix: 'crowd', techniques: sameEmail() });
    const run = async () => {
      const { jobId } = await ctx.aws.entityResolution.send(new StartMatchingJobCommand({ workflowName: 'crowd' }));
      const job = await untilDone('crowd', jobId!);
      return { job, rows: await outputRows(`crowd/crowd/${jobId}/success/`) };
    };

    const { job, rows } = await run();
    expect(job.metrics).toMatchObject({ inputRecords: 501, matchIDs: 2 });
    const sizes = new Map<string, number>();
    for (const row of rows) sizes.set(row.MatchID!, (sizes.get(row.MatchID!) ?? 0) + 1);
    expect([...sizes.values()].sort((a, b) => b - a)).toEqual([500, 1]);
    expect(rows.find((r) => r.customer_id === 'c1')!.MatchID).toBe(rows.find((r) => r.customer_id === 'c500')!.MatchID);
    expect(rows.find((r) => r.customer_id === 'c501')!.MatchID).not.toBe(rows.find((r) => r.customer_id === 'c1')!.MatchID);

    await adminCall(ctx.sandbox, 'PUT', '/entity-resolution/quotas', { recordsPerMatchId: 1000 });
    const raised = await run();
    expect(raised.job.metrics).toMatchObject({ inputRecords: 501, matchIDs: 1 });
  });
});
