import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../starters/lib/load-config';
import { followUntilGuarding, renderAmcIdMappingStatus, renderDataChangedAnswer } from '../../starters/amc-id-mapping-status';
import { workflowIds } from '../../schemas/temporal-names';
import { amcIdMappingInputSchema } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import type { AmcIdMappingStatus } from '../../workflows/amc-id-mapping/amc-id-mapping-status';

const LINK = 'https://advertising.amazon.com/marketing-cloud/accept/c1';
const base: AmcIdMappingStatus = {
  stage: 'checking',
  startedAt: '2026-01-05T00:00:00.000Z',
  runs: 1,
  asOf: '2026-01-05T00:00:00.000Z',
  tables: [],
  refreshes: 0,
  generations: 0,
  inputsProcessed: 0,
  inputsUnchanged: 0,
  pending: null,
  nextAction: 'x',
};
const waiting: AmcIdMappingStatus = { ...base, stage: 'waiting-for-collaboration', collaboration: { status: 'PENDING_ACCEPTANCE', customerAcceptanceLink: LINK, checks: 3 } };
const job: AmcIdMappingStatus = { ...base, stage: 'mapping-job', tables: [{ name: 't', id: 'tbl-1', createdAt: base.startedAt }], lastJob: { kind: 'create', status: 'RUNNING', checks: 2 } };
const guarding: AmcIdMappingStatus = { ...job, stage: 'guarding', lastJob: { kind: 'create', status: 'SUCCEEDED' }, nextAction: 'Idle until the next input' };

describe('amc-id-mapping starter', () => {
  it('renders the acceptance link while waiting, job checks, and the refresh date when a change is pending', () => {
    expect(renderAmcIdMappingStatus(waiting)).toBe(`[waiting-for-collaboration]  collaboration PENDING_ACCEPTANCE  accept at ${LINK}  checks 3`);
    expect(renderAmcIdMappingStatus(job)).toBe('[mapping-job]  create job RUNNING, checks 2  table tbl-1');
    const pending = { since: '2026-01-08T00:00:00.000Z', changedKeys: 1, removedKeys: 0, duplicatedKeys: 0, generations: 1 };
    expect(renderAmcIdMappingStatus({ ...guarding, stage: 'waiting-for-refresh-window', pending, nextEligibleAt: '2026-01-19T01:00:00.000Z', runs: 2 })).toBe(
      '[waiting-for-refresh-window]  table tbl-1  changes pending since 2026-01-08T00:00:00.000Z  refresh on 2026-01-19T01:00:00.000Z  run 2',
    );
  });

  it('data-changed says the input is looked at next, and what was pending before the notice (not what the look will find)', () => {
    const id = 'amc-id-mapping/amcdemo/Demo_AMC_Customers';
    expect(renderDataChangedAnswer(id, { accepted: true, pending: null })).toBe(
      `${id}: notice accepted (no change pending before it); the guard looks at the input next: \`status\` shows what it finds`,
    );
    const pending = { since: '2026-01-08T00:00:00.000Z', changedKeys: 1, removedKeys: 0, duplicatedKeys: 0, generations: 1 };
    expect(renderDataChangedAnswer(id, { accepted: true, pending, nextEligibleAt: '2026-01-19T01:00:00.000Z' })).toBe(
      `${id}: notice accepted (changes already pending since 2026-01-08T00:00:00.000Z, refresh on 2026-01-19T01:00:00.000Z); the guard looks at the input next: \`status\` shows what it finds`,
    );
  });

  it('--wait prints each change once and stops with exit 0 when the guard takes over', async () => {
    const answers = [waiting, waiting, job, guarding];
    const lines: string[] = [];
    const handle = { query: async () => answers.shift()!, result: () => new Promise<never>(() => undefined) };
    expect(await followUntilGuarding(handle as never, (l) => lines.push(l), 0)).toBe(0);
    expect(lines).toEqual([renderAmcIdMappingStatus(waiting), renderAmcIdMappingStatus(job), renderAmcIdMappingStatus(guarding), 'guarding: Idle until the next input']);
  });

  it('--wait exits 1 when the run fails before guarding', async () => {
    const lines: string[] = [];
    const handle = { query: async () => base, result: () => Promise.reject(new Error('boom')) };
    expect(await followUntilGuarding(handle as never, (l) => lines.push(l), 0)).toBe(1);
    expect(lines.at(-1)).toBe('Failed: Error: boom');
  });

  it('the example configs are valid and name their guard by instance and table', () => {
    const real = loadConfigFile('examples/amc-id-mapping.json', amcIdMappingInputSchema);
    expect(workflowIds.amcIdMapping(real.amc.instanceId, amcTableName(real))).toBe('amc-id-mapping/amcabcd1234/CompanyName_AMC_Customers');
    const sandbox = loadConfigFile('examples/amc-id-mapping.sandbox.json', amcIdMappingInputSchema);
    expect(sandbox.input.uri).toBe('s3://identity-demo/raw/customers/');
    expect(sandbox.amc.baseUrl).toBe('http://127.0.0.1:4566');
  });

  it('refuses a query-results bucket equal to the data bucket, naming the field', () => {
    const real = JSON.parse(readFileSync('examples/amc-id-mapping.json', 'utf8')) as Record<string, unknown>;
    const parsed = amcIdMappingInputSchema.safeParse({ ...real, queryResultsBucket: 'companyname-amc-data' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['queryResultsBucket']);
  });
});
