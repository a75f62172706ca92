import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import {
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  GetMatchingJobCommand,
  GetMatchingWorkflowCommand,
  GetSchemaMappingCommand,
  StartMatchingJobCommand,
  UpdateMatchingWorkflowCommand,
  UpdateSchemaMappingCommand,
  paginateListMatchingJobs,
  type EntityResolutionClient,
  type InputSource,
  type OutputSource,
  type ResolutionTechniques,
  type SchemaAttributeType,
} from '@aws-sdk/client-entityresolution';
import type { S3Client } from '@aws-sdk/client-s3';
import { redactPii } from '../../pii/redact';
import { listObjects } from '../../storage/s3-objects';
import { formatS3Uri, joinUnder, parseS3Uri } from '../../storage/s3-uri';
import { ER_OUTPUT_INVALID, ER_RESOURCE_DRIFT, MATCHING_JOB_BUSY, MATCHING_JOB_FAILED, MATCHING_JOB_RUNNING } from '../../schemas/failures';
import type { EnsuredResource } from '../../schemas/ensured-resource';
import type { JobMetrics } from '../../schemas/uid2-matching/uid2-matching';
import { ensureResource, entityResolutionErrors } from '../support/existing-or-created';
import { describeDrift } from '../support/resource-drift';

export interface EntityResolutionDeps {
  entityResolution: EntityResolutionClient;
  s3: S3Client;
}


export interface SchemaMappingSpec {
  schemaName: string;
  description?: string;
  /** `hashed`: the field holds SHA-256 of the normalised value (AMC), absent = false (UID2 sends clear identifiers). */
  mappedInputFields: { fieldName: string; type: SchemaAttributeType; matchKey?: string; hashed?: boolean }[];
}

export interface MatchingWorkflowSpec {
  workflowName: string;
  description?: string;
  inputSourceConfig: InputSource[];
  outputSourceConfig: OutputSource[];
  resolutionTechniques: ResolutionTechniques;
  roleArn: string;
}

export interface FinishedJob {
  jobId: string;
  status: 'SUCCEEDED';
  metrics: JobMetrics;
  startedAt: string;
  endedAt: string;
  outputS3Path?: string;
  /** Looks it took, this one included (the poll activity's attempt). */
  checks: number;
}

function canonicalSchema(spec: { description?: string; mappedInputFields: { fieldName?: string; type?: string; matchKey?: string; hashed?: boolean }[] }) {
  return {
    description: spec.description ?? '',
    mappedInputFields: Object.fromEntries(
      [...spec.mappedInputFields]
        .sort((a, b) => (a.fieldName ?? '').localeCompare(b.fieldName ?? ''))
        .map((f): [string, { type: string; matchKey: string; hashed: boolean }] => [f.fieldName ?? '', { type: f.type ?? '', matchKey: f.matchKey ?? '', hashed: f.hashed ?? false }]),
    ),
  };
}

/** The parts of a matching workflow this project sets, with the service's defaults filled in, so an unchanged workflow shows no drift. */
function canonicalWorkflow(spec: Omit<MatchingWorkflowSpec, 'workflowName'>) {
  return {
    description: spec.description ?? '',
    roleArn: spec.roleArn,
    inputSourceConfig: spec.inputSourceConfig.map((i) => ({ inputSourceARN: i.inputSourceARN, schemaName: i.schemaName, applyNormalization: i.applyNormalization ?? true })),
    outputSourceConfig: spec.outputSourceConfig.map((o) => ({
      outputS3Path: o.outputS3Path,
      KMSArn: o.KMSArn ?? '',
      applyNormalization: o.applyNormalization ?? true,
      output: Object.fromEntries([...(o.output ?? [])].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')).map((a): [string, { hashed: boolean }] => [a.name ?? '', { hashed: a.hashed ?? false }])),
    })),
    resolutionType: spec.resolutionTechniques.resolutionType,
    providerServiceArn: spec.resolutionTechniques.providerProperties?.providerServiceArn ?? '',
  };
}

function driftFailure(kind: string, name: string, drift: EnsuredResource['drift'], why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ER_RESOURCE_DRIFT,
    message: `${kind} ${name} exists with a different configuration (${describeDrift(drift)}): ${why}`,
    nonRetryable: true,
    details: [{ drift }],
  });
}

export function createEntityResolutionActivities({ entityResolution, s3 }: EntityResolutionDeps) {
  /**
   * Ensures a schema mapping: created when missing, compared when present. A mapping no workflow uses is
   * updated; one in use cannot be changed (the service refuses), so its drift is reported field by field.
   */
  async function ensureSchemaMapping(spec: SchemaMappingSpec): Promise<EnsuredResource> {
    return ensureResource({
      name: spec.schemaName,
      errors: entityResolutionErrors,
      get: () => entityResolution.send(new GetSchemaMappingCommand({ schemaName: spec.schemaName })),
      create: () => entityResolution.send(new CreateSchemaMappingCommand(spec)),
      update: () => entityResolution.send(new UpdateSchemaMappingCommand(spec)),
      arn: (found) => ('created' in found ? found.created : found.existing).schemaArn ?? '',
      current: (current) => canonicalSchema({ description: current.description, mappedInputFields: current.mappedInputFields ?? [] }),
      wanted: canonicalSchema(spec),
      refuseUpdate: (current, drift) => {
        if (!current.hasWorkflows) return;
        throw driftFailure(
          'Schema mapping',
          spec.schemaName,
          drift,
          'Entity Resolution cannot update a schema mapping a matching workflow uses. Delete that matching workflow and this schema mapping (or choose another name) and run again.',
        );
      },
    });
  }

  /** Ensures a matching workflow: created when missing; when it differs, updated (onDrift 'update') or reported field by field ('fail'). */
  async function ensureMatchingWorkflow(input: { spec: MatchingWorkflowSpec; onDrift: 'update' | 'fail' }): Promise<EnsuredResource> {
    const { spec } = input;
    return ensureResource({
      name: spec.workflowName,
      errors: entityResolutionErrors,
      get: () => entityResolution.send(new GetMatchingWorkflowCommand({ workflowName: spec.workflowName })),
      create: () => entityResolution.send(new CreateMatchingWorkflowCommand(spec)),
      update: () => entityResolution.send(new UpdateMatchingWorkflowCommand(spec)),
      arn: (found) => ('created' in found ? found.created : found.existing).workflowArn ?? '',
      current: (current) =>
        canonicalWorkflow({
          description: current.description,
          inputSourceConfig: current.inputSourceConfig ?? [],
          outputSourceConfig: current.outputSourceConfig ?? [],
          resolutionTechniques: current.resolutionTechniques ?? { resolutionType: undefined },
          roleArn: current.roleArn ?? '',
        }),
      wanted: canonicalWorkflow(spec),
      refuseUpdate: (_current, drift) => {
        if (input.onDrift === 'fail') {
          throw driftFailure('Matching workflow', spec.workflowName, drift, 'onDrift is "fail": update it to match the config, or set onDrift to "update".');
        }
      },
    });
  }

  /**
   * Starts the workflow's job, once. Called while this run holds the workflow's turn (granted at
   * `notBefore`): a job started since then is this run's own, from an attempt whose response was lost,
   * and is adopted instead of starting a second. A job someone else started is waited out.
   */
  async function startMatchingJob(input: { workflowName: string; notBefore: string }): Promise<{ jobId: string; adopted: boolean }> {
    const notBeforeSec = Math.floor(Date.parse(input.notBefore) / 1000);
    for await (const page of paginateListMatchingJobs({ client: entityResolution }, { workflowName: input.workflowName })) {
      for (const job of page.jobs ?? []) {
        const startedSec = Math.floor((job.startTime?.getTime() ?? 0) / 1000);
        if (startedSec >= notBeforeSec && job.jobId) return { jobId: job.jobId, adopted: true };
        if (job.status === 'QUEUED' || job.status === 'RUNNING') {
          throw ApplicationFailure.create({
            type: MATCHING_JOB_BUSY,
            message: `Matching workflow ${input.workflowName} already has job ${job.jobId} ${job.status}, started outside this run; waiting for it to finish (one job per matching workflow)`,
            category: ApplicationFailureCategory.BENIGN,
          });
        }
      }
    }
    const started = await entityResolution.send(new StartMatchingJobCommand({ workflowName: input.workflowName }));
    return { jobId: started.jobId ?? '', adopted: false };
  }

  /**
   * One look at a job. Polled by the infrequent pattern: while the job is QUEUED or RUNNING this throws
   * a benign retryable failure and the activity's retry policy waits before the next look.
   */
  async function checkMatchingJob(input: { workflowName: string; jobId: string }): Promise<FinishedJob> {
    const job = await entityResolution.send(new GetMatchingJobCommand(input));
    const metrics: JobMetrics = {
      inputRecords: job.metrics?.inputRecords ?? 0,
      totalRecordsProcessed: job.metrics?.totalRecordsProcessed ?? 0,
      recordsNotProcessed: job.metrics?.recordsNotProcessed ?? 0,
    };
    if (job.status === 'QUEUED' || job.status === 'RUNNING') {
      throw ApplicationFailure.create({
        type: MATCHING_JOB_RUNNING,
        message: `Job ${input.jobId} of ${input.workflowName} is ${job.status} (check ${Context.current().info.attempt})`,
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    if (job.status !== 'SUCCEEDED') {
      const reason = redactPii(job.errorDetails?.errorMessage ?? 'no error message');
      throw ApplicationFailure.create({
        type: MATCHING_JOB_FAILED,
        message:
          `Job ${input.jobId} of matching workflow ${input.workflowName} ended ${job.status ?? 'without a status'}: ${reason}. ` +
          'Check that the workflow role can read the Glue table and its S3 data, write the output path, use the KMS key, and call dataexchange:SendApiAsset on the UID2 asset; ' +
          'that the UID2 subscription is approved; and that each record has a unique id of at most 38 characters.',
        nonRetryable: true,
        details: [{ jobId: input.jobId, status: job.status, metrics }],
      });
    }
    return {
      jobId: input.jobId,
      status: 'SUCCEEDED',
      metrics,
      startedAt: (job.startTime ?? new Date(0)).toISOString(),
      endedAt: (job.endTime ?? new Date()).toISOString(),
      outputS3Path: job.outputSourceConfig?.[0]?.outputS3Path,
      checks: Context.current().info.attempt,
    };
  }

  /** The objects a job wrote: Entity Resolution lays its output out under `<outputS3Path>/<workflowName>/<jobId>/`. */
  async function listJobOutput(input: { outputS3Path: string; workflowName: string; jobId: string }): Promise<{ prefix: string; objects: string[] }> {
    const output = parseS3Uri(input.outputS3Path);
    if (!output) throw ApplicationFailure.nonRetryable(`Not an S3 path: ${input.outputS3Path}`, ER_OUTPUT_INVALID);
    const prefix = formatS3Uri(output.bucket, joinUnder(output.key, input.workflowName, `${input.jobId}/`));
    const objects = await listObjects(s3, prefix, { skipFolderMarkers: true });
    return { prefix, objects: objects.map((o) => o.uri).sort() };
  }

  return { ensureSchemaMapping, ensureMatchingWorkflow, startMatchingJob, checkMatchingJob, listJobOutput };
}
