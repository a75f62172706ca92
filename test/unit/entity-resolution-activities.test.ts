import {
  ConflictException,
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  EntityResolutionClient,
  GetMatchingJobCommand,
  GetMatchingWorkflowCommand,
  GetSchemaMappingCommand,
  ListMatchingJobsCommand,
  ResourceNotFoundException,
  StartMatchingJobCommand,
  UpdateMatchingWorkflowCommand,
  UpdateSchemaMappingCommand,
} from '@aws-sdk/client-entityresolution';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { AwsFailureType, ER_OUTPUT_INVALID, ER_RESOURCE_DRIFT, MATCHING_JOB_BUSY, MATCHING_JOB_FAILED, MATCHING_JOB_RUNNING } from '../../schemas/failures';
import { createEntityResolutionActivities, type MatchingWorkflowSpec, type SchemaMappingSpec } from '../../activities/entity-resolution/entity-resolution';
import { activityFailureOf } from '../helpers/failures';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const entityResolution = new EntityResolutionClient({ region: 'us-east-1', credentials });
const er = mockClient(entityResolution);
const s3Client = new S3Client({ region: 'us-east-1', credentials });
const s3 = mockClient(s3Client);
const activities = withAwsFailureMapping(createEntityResolutionActivities({ entityResolution, s3: s3Client }));
const meta = { $metadata: {} };

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment({ attempt: 3 }).run(fn, ...args);


const schema: SchemaMappingSpec = {
  schemaName: 'Acme_UID2_email',
  description: 'UID2 email input',
  mappedInputFields: [
    { fieldName: 'customer_id', type: 'UNIQUE_ID' },
    { fieldName: 'email', type: 'EMAIL_ADDRESS' },
  ],
};
const schemaArn = 'arn:aws:entityresolution:us-east-1:123456789012:schemamapping/Acme_UID2_email';

const workflow: MatchingWorkflowSpec = {
  workflowName: 'Acme_UID2_email',
  description: 'UID2 email matching',
  inputSourceConfig: [{ inputSourceARN: 'arn:aws:glue:us-east-1:123456789012:table/crm/customers', schemaName: 'Acme_UID2_email', applyNormalization: true }],
  outputSourceConfig: [{ outputS3Path: 's3://out/uid2/', applyNormalization: true, output: [{ name: 'email', hashed: true }, { name: 'customer_id', hashed: false }] }],
  resolutionTechniques: { resolutionType: 'PROVIDER', providerProperties: { providerServiceArn: 'arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment' } },
  roleArn: 'arn:aws:iam::123456789012:role/er',
};

beforeEach(() => {
  er.reset();
  s3.reset();
});

describe('ensureSchemaMapping', () => {
  it('creates a missing mapping, and finds an equal one unchanged whatever the field order', async () => {
    er.on(GetSchemaMappingCommand).rejectsOnce(new ResourceNotFoundException({ message: 'nope', ...meta }));
    er.on(CreateSchemaMappingCommand).resolves({ schemaName: schema.schemaName, schemaArn, description: schema.description, mappedInputFields: schema.mappedInputFields });
    expect(await run(activities.ensureSchemaMapping, schema)).toEqual({ name: schema.schemaName, arn: schemaArn, action: 'created', drift: [] });

    er.on(GetSchemaMappingCommand).resolves({ ...schema, schemaArn, mappedInputFields: [...schema.mappedInputFields].reverse(), hasWorkflows: true, createdAt: new Date(), updatedAt: new Date() });
    expect(await run(activities.ensureSchemaMapping, schema)).toMatchObject({ action: 'unchanged', drift: [] });
    expect(er.commandCalls(CreateSchemaMappingCommand)).toHaveLength(1);
  });

  it('compares after losing a creation race instead of creating twice', async () => {
    er.on(GetSchemaMappingCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'nope', ...meta }))
      .resolves({ ...schema, schemaArn, hasWorkflows: false, createdAt: new Date(), updatedAt: new Date() });
    er.on(CreateSchemaMappingCommand).rejects(new ConflictException({ message: 'exists', ...meta }));
    expect(await run(activities.ensureSchemaMapping, schema)).toMatchObject({ action: 'unchanged' });
  });

  it('updates a drifted mapping no workflow uses, and reports one in use field by field', async () => {
    const drifted = { ...schema, schemaArn, mappedInputFields: [{ fieldName: 'customer_id', type: 'UNIQUE_ID' as const }, { fieldName: 'email', type: 'PHONE_NUMBER' as const }], createdAt: new Date(), updatedAt: new Date() };
    er.on(GetSchemaMappingCommand).resolves({ ...drifted, hasWorkflows: false });
    er.on(UpdateSchemaMappingCommand).resolves({});
    expect(await run(activities.ensureSchemaMapping, schema)).toMatchObject({
      action: 'updated',
      drift: [{ field: 'mappedInputFields.email.type', current: 'PHONE_NUMBER', wanted: 'EMAIL_ADDRESS' }],
    });

    er.on(GetSchemaMappingCommand).resolves({ ...drifted, hasWorkflows: true });
    const failure = await activityFailureOf(run(activities.ensureSchemaMapping, schema));
    expect(failure.type).toBe(ER_RESOURCE_DRIFT);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'Schema mapping Acme_UID2_email exists with a different configuration (mappedInputFields.email.type: PHONE_NUMBER → EMAIL_ADDRESS): Entity Resolution cannot update a schema mapping a matching workflow uses. Delete that matching workflow and this schema mapping (or choose another name) and run again.',
    );
    expect(er.commandCalls(UpdateSchemaMappingCommand)).toHaveLength(1);
  });

  it('compares hashed (absent = false): a mapping in use with clear-text fields is drift for a hashed config, and unset equals false', async () => {
    const amc: SchemaMappingSpec = {
      schemaName: 'amc_customers_1',
      mappedInputFields: [
        { fieldName: 'customer_id', type: 'UNIQUE_ID' },
        { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email', hashed: true },
        { fieldName: 'maid', type: 'STRING', matchKey: 'MAID', hashed: false },
      ],
    };
    const existing = { ...amc, schemaArn, hasWorkflows: true, createdAt: new Date(), updatedAt: new Date() };
    er.on(GetSchemaMappingCommand).resolves({ ...existing, mappedInputFields: amc.mappedInputFields.map(({ hashed: _h, ...f }) => f) });
    const failure = await activityFailureOf(run(activities.ensureSchemaMapping, amc));
    expect(failure.type).toBe(ER_RESOURCE_DRIFT);
    expect(failure.details).toEqual([{ drift: [{ field: 'mappedInputFields.email.hashed', current: 'false', wanted: 'true' }] }]);

    er.on(GetSchemaMappingCommand).resolves(existing);
    expect(await run(activities.ensureSchemaMapping, amc)).toMatchObject({ action: 'unchanged', drift: [] });
  });
});

describe('ensureMatchingWorkflow', () => {
  it('sees no drift when the service leaves out its defaults (normalization on, not hashed, no KMS key)', async () => {
    er.on(GetMatchingWorkflowCommand).resolves({
      ...workflow,
      workflowArn: 'arn:wf',
      inputSourceConfig: [{ inputSourceARN: workflow.inputSourceConfig[0]!.inputSourceARN, schemaName: 'Acme_UID2_email' }],
      outputSourceConfig: [{ outputS3Path: 's3://out/uid2/', output: [{ name: 'customer_id' }, { name: 'email', hashed: true }] }],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    expect(await run(activities.ensureMatchingWorkflow, { spec: workflow, onDrift: 'fail' })).toEqual({ name: workflow.workflowName, arn: 'arn:wf', action: 'unchanged', drift: [] });
    expect(er.commandCalls(UpdateMatchingWorkflowCommand)).toHaveLength(0);
  });

  it('updates a drifted workflow with the whole spec, or refuses naming each field', async () => {
    er.on(GetMatchingWorkflowCommand).resolves({ ...workflow, workflowArn: 'arn:wf', roleArn: 'arn:aws:iam::123456789012:role/old', createdAt: new Date(), updatedAt: new Date() });
    er.on(UpdateMatchingWorkflowCommand).resolves({});
    expect(await run(activities.ensureMatchingWorkflow, { spec: workflow, onDrift: 'update' })).toMatchObject({
      action: 'updated',
      drift: [{ field: 'roleArn', current: 'arn:aws:iam::123456789012:role/old', wanted: workflow.roleArn }],
    });
    expect(er.commandCalls(UpdateMatchingWorkflowCommand)[0]!.args[0].input).toEqual(workflow);
    const failure = await activityFailureOf(run(activities.ensureMatchingWorkflow, { spec: workflow, onDrift: 'fail' }));
    expect(failure.message).toContain('(roleArn: arn:aws:iam::123456789012:role/old → arn:aws:iam::123456789012:role/er): onDrift is "fail"');
  });

  it('creates a missing workflow', async () => {
    er.on(GetMatchingWorkflowCommand).rejects(new ResourceNotFoundException({ message: 'nope', ...meta }));
    er.on(CreateMatchingWorkflowCommand).resolves({ ...workflow, workflowArn: 'arn:wf' });
    expect(await run(activities.ensureMatchingWorkflow, { spec: workflow, onDrift: 'update' })).toMatchObject({ action: 'created', arn: 'arn:wf' });
    expect(er.commandCalls(CreateMatchingWorkflowCommand)[0]!.args[0].input).toEqual(workflow);
  });
});

describe('startMatchingJob', () => {
  const notBefore = '2026-11-24T05:00:00.000Z';

  it('adopts the job a lost earlier attempt started, instead of starting a second', async () => {
    er.on(ListMatchingJobsCommand).resolves({
      jobs: [
        { jobId: 'old', status: 'SUCCEEDED', startTime: new Date('2026-11-23T05:00:00Z'), endTime: new Date('2026-11-23T05:10:00Z') },
        { jobId: 'mine', status: 'RUNNING', startTime: new Date('2026-11-24T05:00:00.400Z') },
      ],
    });
    expect(await run(activities.startMatchingJob, { workflowName: 'wf', notBefore })).toEqual({ jobId: 'mine', adopted: true });
    expect(er.commandCalls(StartMatchingJobCommand)).toHaveLength(0);
  });

  it('waits out a job someone else started, then starts its own', async () => {
    er.on(ListMatchingJobsCommand).resolvesOnce({ jobs: [{ jobId: 'console', status: 'RUNNING', startTime: new Date('2026-11-24T04:30:00Z') }] });
    const busy = await activityFailureOf(run(activities.startMatchingJob, { workflowName: 'wf', notBefore }));
    expect(busy.type).toBe(MATCHING_JOB_BUSY);
    expect(busy.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(busy.nonRetryable).toBeFalsy();

    er.on(ListMatchingJobsCommand).resolves({ jobs: [{ jobId: 'console', status: 'SUCCEEDED', startTime: new Date('2026-11-24T04:30:00Z') }] });
    er.on(StartMatchingJobCommand).resolves({ jobId: 'new' });
    expect(await run(activities.startMatchingJob, { workflowName: 'wf', notBefore })).toEqual({ jobId: 'new', adopted: false });
  });

  it('turns a ConflictException into a retryable failure', async () => {
    er.on(ListMatchingJobsCommand).resolves({ jobs: [] });
    er.on(StartMatchingJobCommand).rejects(new ConflictException({ message: 'A job is running', ...meta }));
    const failure = await activityFailureOf(run(activities.startMatchingJob, { workflowName: 'wf', notBefore }));
    expect(failure.type).toBe(AwsFailureType.conflict);
    expect(failure.nonRetryable).toBeFalsy();
  });
});

describe('checkMatchingJob', () => {
  it('fails benignly and retryably while the job runs, naming the check', async () => {
    er.on(GetMatchingJobCommand).resolves({ jobId: 'j1', status: 'RUNNING', startTime: new Date() });
    const failure = await activityFailureOf(run(activities.checkMatchingJob, { workflowName: 'wf', jobId: 'j1' }));
    expect(failure).toMatchObject({ type: MATCHING_JOB_RUNNING, category: ApplicationFailureCategory.BENIGN, message: 'Job j1 of wf is RUNNING (check 3)' });
  });

  it('returns metrics, times and the number of checks when it succeeded', async () => {
    er.on(GetMatchingJobCommand).resolves({
      jobId: 'j1',
      status: 'SUCCEEDED',
      startTime: new Date('2026-11-24T05:00:00Z'),
      endTime: new Date('2026-11-24T11:00:00Z'),
      metrics: { inputRecords: 10, totalRecordsProcessed: 9, recordsNotProcessed: 1 },
      outputSourceConfig: [{ outputS3Path: 's3://out/uid2/', roleArn: 'arn:aws:iam::123456789012:role/er' }],
    });
    expect(await run(activities.checkMatchingJob, { workflowName: 'wf', jobId: 'j1' })).toEqual({
      jobId: 'j1',
      status: 'SUCCEEDED',
      metrics: { inputRecords: 10, totalRecordsProcessed: 9, recordsNotProcessed: 1 },
      startedAt: '2026-11-24T05:00:00.000Z',
      endedAt: '2026-11-24T11:00:00.000Z',
      outputS3Path: 's3://out/uid2/',
      checks: 3,
    });
  });

  it('fails for good on FAILED with the job\'s message, any email or phone in it redacted', async () => {
    er.on(GetMatchingJobCommand).resolves({ jobId: 'j1', status: 'FAILED', startTime: new Date(), errorDetails: { errorMessage: 'Record jane.doe@example.com: invalid phone +1 415 555 0101' } });
    const failure = await activityFailureOf(run(activities.checkMatchingJob, { workflowName: 'wf', jobId: 'j1' }));
    expect(failure.type).toBe(MATCHING_JOB_FAILED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('Job j1 of matching workflow wf ended FAILED: Record [redacted-email]: invalid phone [redacted-phone]. Check that the workflow role');
    expect(failure.message).not.toContain('example.com');
  });
});

describe('listJobOutput', () => {
  it('lists the job\'s objects over every page, sorted, without folder markers', async () => {
    const prefix = 'uid2/wf/j1/';
    s3.on(ListObjectsV2Command, { Prefix: prefix })
      .resolvesOnce({ Contents: [{ Key: `${prefix}success/` }, { Key: `${prefix}success/part-00001.csv` }], IsTruncated: true, NextContinuationToken: 'next' })
      .resolvesOnce({ Contents: [{ Key: `${prefix}error/part-00000.csv` }, { Key: `${prefix}success/part-00000.csv` }] });
    expect(await run(activities.listJobOutput, { outputS3Path: 's3://out/uid2', workflowName: 'wf', jobId: 'j1' })).toEqual({
      prefix: 's3://out/uid2/wf/j1/',
      objects: ['s3://out/uid2/wf/j1/error/part-00000.csv', 's3://out/uid2/wf/j1/success/part-00000.csv', 's3://out/uid2/wf/j1/success/part-00001.csv'],
    });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
  });

  it('fails for good, with a type of its own, on an output path that is not an s3:// URI', async () => {
    const failure = await activityFailureOf(run(activities.listJobOutput, { outputS3Path: 'out/uid2/', workflowName: 'wf', jobId: 'j1' }));
    expect(failure).toMatchObject({ type: ER_OUTPUT_INVALID, nonRetryable: true, message: 'Not an S3 path: out/uid2/' });
    expect(s3.commandCalls(ListObjectsV2Command)).toEqual([]);
  });
});
