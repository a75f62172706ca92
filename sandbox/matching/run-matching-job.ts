import { UID2_LISTING } from '../services/catalog';
import type { EmulatorClients } from '../emulators/emulator-clients';
import type { StateStore, StoredResource } from '../state';
import { readGlueTableRecords, writeJobOutput } from './job-io';
import { assignMatchIds, type MappedField, type MatchingRule } from './rule-matching';
import { uid2ForIdentifier } from './uid2-provider';
import { normalizeForEntityResolution } from '../../pii/rules/er';
import { sha256Base64 } from '../../pii/hash';

export interface JobMetrics {
  inputRecords: number;
  totalRecordsProcessed: number;
  recordsNotProcessed: number;
  matchIDs?: number;
}

export type JobOutcome = { status: 'SUCCEEDED'; metrics: JobMetrics } | { status: 'FAILED'; errorMessage: string; metrics?: JobMetrics };

type Body = Record<string, unknown>;
/** Not UID2's algorithm: a fixed key so the sandbox's "raw UID2s" are stable across runs. */
const UID2_SALT = 'identity-workflows-sandbox-uid2';
/** Entity Resolution's limit on a unique id value. */
const MAX_UNIQUE_ID = 38;

/**
 * Runs a matching workflow over its Glue tables' S3 data and writes the output where Entity
 * Resolution would: rule-based jobs add MatchID/MatchRule, the UID2 provider adds the UID2 columns.
 */
export async function runMatchingJob(
  clients: EmulatorClients,
  store: StateStore,
  workflow: StoredResource,
  jobId: string,
  recordsPerMatchId = Infinity,
): Promise<JobOutcome> {
  const inputs = workflow.inputSourceConfig as { inputSourceARN: string; schemaName: string; applyNormalization?: boolean }[];
  const output = (workflow.outputSourceConfig as { outputS3Path: string; applyNormalization?: boolean; output?: { name: string; hashed?: boolean }[] }[])[0]!;
  const techniques = workflow.resolutionTechniques as Body;
  const mappings = store.get().entityResolution.schemaMappings;
  const fields = uniqueFields(inputs.flatMap((i) => mappings[i.schemaName]?.mappedInputFields as MappedField[]));
  const records = (await Promise.all(inputs.map((i) => readGlueTableRecords(clients, i.inputSourceARN)))).flat();
  const uniqueId = fields.find((f) => f.type === 'UNIQUE_ID')!.fieldName;
  const kept = [uniqueId, ...(output.output ?? []).map((o) => o.name).filter((name) => name !== uniqueId)];
  const typeOf = new Map(fields.map((f) => [f.fieldName, f.type]));
  const hashed = new Set((output.output ?? []).filter((o) => o.hashed).map((o) => o.name));
  // Output values as the service writes them: normalized by their schema type unless the output is 'original', then hashed
  // where asked. The service does not document its output hash; the sandbox writes SHA-256, base64.
  const outputValue = (name: string, raw: string) => {
    const type = typeOf.get(name);
    const value = output.applyNormalization !== false && type && type !== 'UNIQUE_ID' ? normalizeForEntityResolution(type, raw) : raw;
    return hashed.has(name) && value !== '' ? sha256Base64(value) : value;
  };
  const pick = (record: Record<string, string>) => Object.fromEntries(kept.map((name) => [name, outputValue(name, record[name] ?? '')]));
  const write = (kind: 'success' | 'error', rows: Record<string, string>[]) =>
    writeJobOutput(clients, output.outputS3Path, String(workflow.workflowName), jobId, kind, rows);

  if (techniques.resolutionType === 'RULE_MATCHING') {
    const properties = techniques.ruleBasedProperties as { rules: MatchingRule[] };
    const results = assignMatchIds(records, fields, properties.rules, inputs.some((i) => i.applyNormalization !== false), recordsPerMatchId);
    await write('success', records.map((record, i) => ({ ...pick(record), MatchID: results[i]!.matchId, MatchRule: results[i]!.matchRule ?? '' })));
    const metrics = { inputRecords: records.length, totalRecordsProcessed: records.length, recordsNotProcessed: 0, matchIDs: new Set(results.map((r) => r.matchId)).size };
    return { status: 'SUCCEEDED', metrics };
  }

  if (techniques.resolutionType === 'PROVIDER') {
    if (!store.get().dataExchange.entitled.includes(UID2_LISTING.dataSetId)) {
      return {
        status: 'FAILED',
        errorMessage: 'The account is not subscribed to the UID2 provider on AWS Data Exchange (subscription not approved yet): SendApiAsset was denied.',
      };
    }
    const identifiers = fields.filter((f): f is MappedField & { type: 'EMAIL_ADDRESS' | 'PHONE_NUMBER' } => f.type === 'EMAIL_ADDRESS' || f.type === 'PHONE_NUMBER');
    const success: Record<string, string>[] = [];
    const errors: Record<string, string>[] = [];
    let notProcessed = 0;
    for (const record of records) {
      if ((record[uniqueId] ?? '').length > MAX_UNIQUE_ID) {
        notProcessed += 1;
        errors.push({ [uniqueId]: record[uniqueId]!, errorMessage: `unique id longer than ${MAX_UNIQUE_ID} characters` });
        continue;
      }
      // Several identifier fields duplicate the record, one row per identifier (a note in UID2's AWS Entity Resolution Integration Guide).
      const rows = identifiers.filter((f) => (record[f.fieldName] ?? '').trim() !== '').map((f) => ({ f, uid2: uid2ForIdentifier(f.type, record[f.fieldName]!, UID2_SALT) }));
      if (rows.length === 0 || rows.every((r) => !r.uid2)) {
        notProcessed += 1;
        errors.push({ [uniqueId]: record[uniqueId] ?? '', errorMessage: rows.length === 0 ? 'no identifier' : 'identifier is not a valid email or E.164 phone number' });
      }
      for (const { uid2 } of rows) if (uid2) success.push({ ...pick(record), ...uid2 });
    }
    await write('success', success);
    await write('error', errors);
    return { status: 'SUCCEEDED', metrics: { inputRecords: records.length, totalRecordsProcessed: records.length - notProcessed, recordsNotProcessed: notProcessed } };
  }
  return { status: 'FAILED', errorMessage: `The sandbox does not run ${String(techniques.resolutionType)} jobs` };
}

function uniqueFields(fields: MappedField[]): MappedField[] {
  const seen = new Map<string, MappedField>();
  for (const field of fields) if (field && !seen.has(field.fieldName)) seen.set(field.fieldName, field);
  return [...seen.values()];
}
