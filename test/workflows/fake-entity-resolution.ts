import {
  ConflictException,
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  EntityResolutionClient,
  ExceedsLimitException,
  GetMatchingJobCommand,
  GetMatchingWorkflowCommand,
  GetProviderServiceCommand,
  GetSchemaMappingCommand,
  ListMatchingJobsCommand,
  ListProviderServicesCommand,
  ResourceNotFoundException,
  StartMatchingJobCommand,
  ThrottlingException,
  UpdateMatchingWorkflowCommand,
  UpdateSchemaMappingCommand,
  type CreateMatchingWorkflowInput,
  type CreateSchemaMappingInput,
} from '@aws-sdk/client-entityresolution';
import { DataExchangeClient, GetAssetCommand, GetDataSetCommand, ListDataSetsCommand, ResourceNotFoundException as DxNotFound } from '@aws-sdk/client-dataexchange';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const meta = { $metadata: {} };

export interface FakeJob {
  jobId: string;
  workflowName: string;
  startMs: number;
  endMs: number;
  failWith?: string;
  inputRecords: number;
}

/**
 * Entity Resolution, Data Exchange and S3 as the real SDK clients see them (aws-sdk-client-mock on
 * instances), on the time-skipping server's clock: a job runs for `jobDurationMs` of server time, one
 * job per matching workflow (a second StartMatchingJob is a ConflictException), schema mappings in use
 * cannot be updated; on demand, a start while another job runs is refused for the Region's quota. The workflow's activities run unchanged against it.
 */
export class FakeAws {
  readonly entityResolution = new EntityResolutionClient({ region: 'us-east-1', credentials });
  readonly dataExchange = new DataExchangeClient({ region: 'us-east-1', credentials });
  readonly s3 = new S3Client({ region: 'us-east-1', credentials });
  readonly schemas = new Map<string, CreateSchemaMappingInput>();
  readonly workflows = new Map<string, CreateMatchingWorkflowInput>();
  readonly jobs: FakeJob[] = [];
  readonly calls: Record<string, number> = {};
  jobDurationMs = 5 * 60_000;
  /** The next jobs end FAILED with this message. */
  failJobsWith?: string;
  /** Every n-th GetMatchingJob is throttled (0: never). */
  throttleEvery = 0;
  /** Server time from which the UID2 data set is entitled (undefined: never). */
  entitledFromMs?: number = 0;
  /** GetDataSet calls answered "not found" before the data set is entitled (counted, so no clock decides). */
  pendingChecks = 0;
  /** Server time of the first answer with the data set entitled. */
  entitledAtMs?: number;
  /** Set: a StartMatchingJob while any job (of any workflow, `jobs` may hold others') runs is refused with ExceedsLimitException naming this quota. */
  refuseConcurrentStarts?: { quotaName?: string; quotaValue?: number };
  /** Set: CreateMatchingWorkflow is refused with ExceedsLimitException, as beyond the "Matching workflows" quota. */
  workflowQuota?: { quotaName: string; quotaValue: number };

  constructor(private readonly now: () => Promise<number>) {
    const er = mockClient(this.entityResolution);
    const dx = mockClient(this.dataExchange);
    const s3 = mockClient(this.s3);
    const count = (name: string) => (this.calls[name] = (this.calls[name] ?? 0) + 1);

    er.on(ListProviderServicesCommand).callsFake(() => {
      count('ListProviderServices');
      return {
        providerServiceSummaries: [
          { ...uid2Provider, providerServiceType: 'ASSIGNMENT', providerServiceArn: uid2Provider.providerServiceArn },
        ],
      };
    });
    er.on(GetProviderServiceCommand).resolves({
      ...uid2Provider,
      providerServiceType: 'ASSIGNMENT',
      anonymizedOutput: false,
      providerEndpointConfiguration: { marketplaceConfiguration: uid2Provider.marketplace },
    });
    er.on(GetSchemaMappingCommand).callsFake((input: { schemaName: string }) => {
      const found = this.schemas.get(input.schemaName);
      if (!found) throw new ResourceNotFoundException({ message: `Schema ${input.schemaName} not found`, ...meta });
      return { ...found, schemaArn: `arn:aws:entityresolution:us-east-1:123456789012:schemamapping/${found.schemaName}`, hasWorkflows: this.schemaInUse(input.schemaName) };
    });
    er.on(CreateSchemaMappingCommand).callsFake((input: CreateSchemaMappingInput) => {
      count('CreateSchemaMapping');
      if (this.schemas.has(input.schemaName!)) throw new ConflictException({ message: 'exists', ...meta });
      this.schemas.set(input.schemaName!, input);
      return { ...input, schemaArn: `arn:aws:entityresolution:us-east-1:123456789012:schemamapping/${input.schemaName}` };
    });
    er.on(UpdateSchemaMappingCommand).callsFake((input: CreateSchemaMappingInput) => {
      count('UpdateSchemaMapping');
      if (this.schemaInUse(input.schemaName!)) throw new ConflictException({ message: 'in use', ...meta });
      this.schemas.set(input.schemaName!, input);
      return input;
    });
    er.on(GetMatchingWorkflowCommand).callsFake((input: { workflowName: string }) => {
      const found = this.workflows.get(input.workflowName);
      if (!found) throw new ResourceNotFoundException({ message: `Workflow ${input.workflowName} not found`, ...meta });
      return { ...found, workflowArn: this.workflowArn(input.workflowName) };
    });
    er.on(CreateMatchingWorkflowCommand).callsFake((input: CreateMatchingWorkflowInput) => {
      count('CreateMatchingWorkflow');
      if (this.workflows.has(input.workflowName!)) throw new ConflictException({ message: 'exists', ...meta });
      if (this.workflowQuota) {
        throw new ExceedsLimitException({ message: `You have reached the quota of ${this.workflowQuota.quotaValue} matching workflows`, ...this.workflowQuota, ...meta });
      }
      this.workflows.set(input.workflowName!, input);
      return { ...input, workflowArn: this.workflowArn(input.workflowName!) };
    });
    er.on(UpdateMatchingWorkflowCommand).callsFake((input: CreateMatchingWorkflowInput) => {
      count('UpdateMatchingWorkflow');
      this.workflows.set(input.workflowName!, input);
      return input;
    });
    er.on(StartMatchingJobCommand).callsFake(async (input: { workflowName: string }) => {
      count('StartMatchingJob');
      const now = await this.now();
      if (this.jobs.some((j) => j.workflowName === input.workflowName && now < j.endMs)) {
        count('StartMatchingJob:conflict');
        throw new ConflictException({ message: 'A job is already running', ...meta });
      }
      if (this.refuseConcurrentStarts && this.jobs.some((j) => now < j.endMs)) {
        count('StartMatchingJob:refused');
        throw new ExceedsLimitException({ message: 'Exceeded the quota of concurrent jobs in this Region', ...this.refuseConcurrentStarts, ...meta });
      }
      const job: FakeJob = { jobId: `job${this.jobs.length + 1}`, workflowName: input.workflowName, startMs: now, endMs: now + this.jobDurationMs, failWith: this.failJobsWith, inputRecords: 100 };
      this.jobs.push(job);
      return { jobId: job.jobId };
    });
    er.on(ListMatchingJobsCommand).callsFake(async (input: { workflowName: string }) => {
      const now = await this.now();
      return {
        jobs: this.jobs
          .filter((j) => j.workflowName === input.workflowName)
          .map((j) => ({ jobId: j.jobId, status: this.statusOf(j, now), startTime: new Date(j.startMs), endTime: now >= j.endMs ? new Date(j.endMs) : undefined })),
      };
    });
    er.on(GetMatchingJobCommand).callsFake(async (input: { jobId: string }) => {
      const calls = count('GetMatchingJob');
      if (this.throttleEvery > 0 && calls % this.throttleEvery === 0) {
        count('GetMatchingJob:throttle');
        throw new ThrottlingException({ message: 'Rate exceeded', ...meta });
      }
      const job = this.jobs.find((j) => j.jobId === input.jobId)!;
      const now = await this.now();
      const status = this.statusOf(job, now);
      const done = status === 'SUCCEEDED' || status === 'FAILED';
      return {
        jobId: job.jobId,
        status,
        startTime: new Date(job.startMs),
        endTime: done ? new Date(job.endMs) : undefined,
        metrics: done ? { inputRecords: job.inputRecords, totalRecordsProcessed: job.inputRecords - 3, recordsNotProcessed: 3 } : undefined,
        errorDetails: status === 'FAILED' ? { errorMessage: job.failWith } : undefined,
        outputSourceConfig: [{ outputS3Path: this.workflows.get(job.workflowName)?.outputSourceConfig?.[0]?.outputS3Path, roleArn: 'arn:aws:iam::123456789012:role/er' }],
      };
    });

    dx.on(GetDataSetCommand).callsFake(async (input: { DataSetId: string }) => {
      count('GetDataSet');
      const now = await this.now();
      if (this.entitledFromMs === undefined || now < this.entitledFromMs || this.calls.GetDataSet! <= this.pendingChecks) {
        throw new DxNotFound({ message: 'not found', Message: 'not found', ...meta });
      }
      this.entitledAtMs ??= now;
      return { Id: input.DataSetId, Origin: 'ENTITLED', Arn: `arn:aws:dataexchange:us-east-1:123456789012:data-sets/${input.DataSetId}` };
    });
    dx.on(ListDataSetsCommand).resolves({ DataSets: [] });
    dx.on(GetAssetCommand).resolves({ Arn: uid2AssetArn });

    s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix: string }) => ({
      Contents: ['success/part-00000.csv', 'error/part-00000.csv'].map((leaf) => ({ Key: `${input.Prefix}${leaf}`, Size: 10 })),
    }));
  }

  private schemaInUse(schemaName: string): boolean {
    return [...this.workflows.values()].some((w) => w.inputSourceConfig?.some((i) => i.schemaName === schemaName));
  }

  private workflowArn(name: string): string {
    return `arn:aws:entityresolution:us-east-1:123456789012:matchingworkflow/${name}`;
  }

  private statusOf(job: FakeJob, now: number): 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' {
    if (now < job.endMs) return now - job.startMs < 1000 ? 'QUEUED' : 'RUNNING';
    return job.failWith ? 'FAILED' : 'SUCCEEDED';
  }
}
