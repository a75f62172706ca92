import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import type { EmulatorClients } from '../emulators/emulator-clients';
import type { StateStore, StoredJob, StoredResource } from '../state';
import { listObjects } from '../../storage/s3-objects';
import { formatS3Uri, joinUnder, requireS3Uri } from '../../storage/s3-uri';
import { readGlueTableRecords } from './job-io';
import { assignMatchIds, type MappedField, type MatchingRule } from './rule-matching';

/**
 * GetMatchId: the MatchID a record would join in the workflow's last successful rule-based run.
 * The record is matched against that run's input by the workflow's rules; the MatchID is read from
 * the run's output, so it is the one the output files carry.
 */
export async function lookUpMatchId(
  clients: EmulatorClients,
  store: StateStore,
  workflow: StoredResource,
  record: Record<string, string>,
  applyNormalization: boolean,
): Promise<{ matchId?: string; matchRule?: string }> {
  const lastRun = Object.values(store.get().entityResolution.jobs)
    .filter((j: StoredJob) => j.workflowName === workflow.workflowName && j.status === 'SUCCEEDED')
    .sort((a, b) => (b.endTime ?? 0) - (a.endTime ?? 0))[0];
  if (!lastRun) return {};
  const inputs = workflow.inputSourceConfig as { inputSourceARN: string; schemaName: string }[];
  const fields = inputs.flatMap((i) => store.get().entityResolution.schemaMappings[i.schemaName]?.mappedInputFields as MappedField[]);
  const uniqueId = fields.find((f) => f.type === 'UNIQUE_ID')!.fieldName;
  const rules = (workflow.resolutionTechniques as { ruleBasedProperties: { rules: MatchingRule[] } }).ruleBasedProperties.rules;
  const input = (await Promise.all(inputs.map((i) => readGlueTableRecords(clients, i.inputSourceARN)))).flat();
  const results = assignMatchIds([record, ...input], fields, rules, applyNormalization);
  const partner = input.findIndex((_, i) => results[i + 1]!.matchId === results[0]!.matchId);
  if (partner < 0) return {};
  const outputIds = await readOutputMatchIds(clients, lastRun, String(workflow.workflowName), uniqueId);
  const matchId = outputIds.get(input[partner]![uniqueId] ?? '');
  return matchId ? { matchId, matchRule: results[0]!.matchRule } : {};
}

async function readOutputMatchIds(clients: EmulatorClients, job: StoredJob, workflowName: string, uniqueId: string): Promise<Map<string, string>> {
  const { bucket, key: prefix } = requireS3Uri(String(job.outputSourceConfig[0]!.outputS3Path));
  const ids = new Map<string, string>();
  for (const object of await listObjects(clients.s3, formatS3Uri(bucket, joinUnder(prefix, workflowName, job.jobId, 'success/')))) {
    const body = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
    for (const row of parse<Record<string, string>>(await body.Body!.transformToString(), { columns: true })) ids.set(row[uniqueId] ?? '', row.MatchID ?? '');
  }
  return ids;
}
