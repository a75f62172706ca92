import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schedulesConfigSchema } from '../../schemas/schedules';
import { ConfigError, validateConfig } from '../../starters/lib/load-config';
import { inputFilePath, loadSchedulesFile } from '../../starters/lib/schedules';
import { resolveSchedules } from '../../starters/lib/schedules-file';
import { resolveWorkflowStart } from '../../starters/lib/workflow-registry';

const example = JSON.parse(readFileSync('examples/schedules.json', 'utf8')) as { schedules: Record<string, unknown>[] };
const input = JSON.parse(readFileSync('examples/uid2-subscription.json', 'utf8')) as Record<string, unknown>;

const schedule = (overrides: Record<string, unknown> = {}) => ({
  id: 'weekly',
  workflow: 'uid2SubscriptionApproval',
  input,
  cron: ['0 6 * * 1'],
  ...overrides,
});

function validationError(value: unknown): string {
  try {
    validateConfig('schedules.json', value, schedulesConfigSchema);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const dir = mkdtempSync(join(tmpdir(), 'schedules-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(path: string, value: unknown): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function loadError(file: string): string {
  try {
    loadSchedulesFile(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('schedules config schema', () => {
  it('accepts the example file and fills the defaults', () => {
    const config = validateConfig('examples/schedules.json', example, schedulesConfigSchema);
    expect(config.schedules[0]).toMatchObject({ id: 'uid2-subscription-weekly', workflow: 'uid2SubscriptionApproval', overlap: 'SKIP', paused: false });
  });

  it('defaults overlap to SKIP and accepts intervals alone', () => {
    const config = validateConfig('f', { schedules: [schedule({ cron: undefined, every: ['1 day'], overlap: undefined })] }, schedulesConfigSchema);
    expect(config.schedules[0]).toMatchObject({ overlap: 'SKIP', every: ['1 day'], pauseOnFailure: false });
  });

  it('requires cron or every', () => {
    expect(validationError({ schedules: [schedule({ cron: undefined })] })).toMatch(/field "schedules\.0\.cron": give "cron" and\/or "every"/);
  });

  it('refuses both input and inputFile, and neither', () => {
    expect(validationError({ schedules: [schedule({ inputFile: 'x.json' })] })).toMatch(/field "schedules\.0\.inputFile": give either "input" or "inputFile", not both/);
    expect(validationError({ schedules: [schedule({ input: undefined })] })).toMatch(/field "schedules\.0\.input": is required/);
  });

  it('names a bad overlap policy, a bad duration, a bad time zone and unknown fields', () => {
    expect(validationError({ schedules: [schedule({ overlap: 'SOMETIMES' })] })).toMatch(/field "schedules\.0\.overlap"/);
    expect(validationError({ schedules: [schedule({ every: ['every tuesday'] })] })).toMatch(/field "schedules\.0\.every\.0": expected a duration/);
    expect(validationError({ schedules: [schedule({ catchupWindow: 'soon' })] })).toMatch(/field "schedules\.0\.catchupWindow": expected a duration/);
    expect(validationError({ schedules: [schedule({ timezone: 'Mars/Olympus' })] })).toMatch(/field "schedules\.0\.timezone": expected an IANA time zone/);
    expect(validationError({ schedules: [schedule({ crons: ['0 6 * * 1'] })] })).toMatch(/field "schedules\.0": unknown field\(s\) "crons"/);
  });

  it('refuses a bad schedule id, a cron comment and duplicate ids', () => {
    expect(validationError({ schedules: [schedule({ id: 'weekly check' })] })).toMatch(/field "schedules\.0\.id"/);
    expect(validationError({ schedules: [schedule({ cron: ['0 6 * * 1 # monday'] })] })).toMatch(/field "schedules\.0\.cron\.0": must not contain a "#"/);
    expect(validationError({ schedules: [schedule(), schedule()] })).toMatch(/field "schedules\.1\.id": duplicate schedule id "weekly"/);
  });
});

describe('workflow registry', () => {
  it('resolves a workflow start from its input', () => {
    const start = resolveWorkflowStart('uid2SubscriptionApproval', input, 'test');
    expect(start.workflowType).toBe('uid2SubscriptionApproval');
    expect(start.workflowId).toBe('uid2-subscription-approval/123456789012');
    expect(start.args).toEqual([{ input: expect.objectContaining({ account: '123456789012', maxHistoryEvents: 10_000 }) as unknown }]);
  });

  it('refuses amcIdMapping, naming the notifier a schedule should start instead', () => {
    expect(() => resolveWorkflowStart('amcIdMapping', input, 'test')).toThrow(/test: amcIdMapping runs for months under one id .* schedule "amcIdMappingInputArrived"/);
  });

  it('names the registered workflows when the name is unknown', () => {
    expect(() => resolveWorkflowStart('uid2Subscription', input, 'test')).toThrow(/test: unknown workflow "uid2Subscription"; registered workflows: amcIdMappingInputArrived, audienceUpload, prepareIdentityData, uid2Matching, uid2SubscriptionApproval/);
  });
});

describe('loadSchedulesFile', () => {
  it('loads the example file (its inputFile is relative to it), with the daily UID2 matching', () => {
    const source = loadSchedulesFile('examples/schedules.json');
    expect(source.config.schedules.map((s) => [s.id, s.workflow, s.cron])).toEqual([
      ['uid2-subscription-weekly', 'uid2SubscriptionApproval', ['0 6 * * 1']],
      ['uid2-matching-daily', 'uid2Matching', ['0 5 * * *']],
      ['amc-id-mapping-weekly', 'amcIdMappingInputArrived', ['0 4 * * 1']],
      ['audience-upload-daily', 'audienceUpload', ['0 6 * * *']],
    ]);
    expect(resolveSchedules(source)[3]!.start).toMatchObject({ workflowType: 'audienceUpload', workflowId: 'audience-upload/tiktok-customers' });
    expect(resolveSchedules(source)[2]!.start).toMatchObject({ workflowType: 'amcIdMappingInputArrived', workflowId: 'amc-id-mapping-input/amcabcd1234/CompanyName_AMC_Customers' });
    expect(resolveSchedules(source)[1]!.start).toMatchObject({ workflowType: 'uid2Matching', workflowId: 'uid2-matching/CompanyName_UID2_Daily_Matching' });
  });

  it('resolves inputFile relative to the schedules file', () => {
    expect(inputFilePath('config/schedules.json', 'inputs/a.json')).toBe(join('config', 'inputs', 'a.json'));
    expect(inputFilePath('config/schedules.json', '/abs/a.json')).toBe('/abs/a.json');

    const file = writeJson(join(dir, 'relative', 'schedules.json'), { schedules: [schedule({ input: undefined, inputFile: 'inputs/uid2.json' })] });
    writeJson(join(dir, 'relative', 'inputs', 'uid2.json'), input);
    expect(loadSchedulesFile(file).config.schedules[0]?.inputFile).toBe('inputs/uid2.json');

    writeJson(join(dir, 'relative', 'inputs', 'uid2.json'), { ...input, account: '42' });
    expect(loadError(file)).toContain(`${join(dir, 'relative', 'inputs', 'uid2.json')} (input of schedule "weekly"): invalid config\n  - field "account": must be a 12-digit AWS account id`);
  });

  it('lists every bad schedule with its file, id and field before anything is applied', () => {
    const file = writeJson(join(dir, 'bad', 'schedules.json'), {
      schedules: [
        schedule({ id: 'unknown-workflow', workflow: 'nope' }),
        schedule({ id: 'bad-input', input: { ...input, poll: { every: '1 hour' } } }),
        schedule({ id: 'missing-input-file', input: undefined, inputFile: 'missing.json' }),
        schedule({ id: 'no-spec', cron: undefined }),
        schedule({ id: 'good' }),
      ],
    });
    const message = loadError(file);
    expect(message).toContain(`${file}: 4 invalid schedule(s), nothing applied`);
    expect(message).toContain(`${file} schedule "unknown-workflow" field "workflow": unknown workflow "nope"; registered workflows: amcIdMappingInputArrived, audienceUpload, prepareIdentityData, uid2Matching, uid2SubscriptionApproval`);
    expect(message).toMatch(/schedule "bad-input" input: invalid config\n {2}- field "poll": unknown field\(s\) "every"/);
    expect(message).toContain(`${file} schedule "missing-input-file" field "inputFile": ${join(dir, 'bad', 'missing.json')}: cannot read the config file (ENOENT)`);
    expect(message).toMatch(/schedule "no-spec": invalid config\n {2}- field "cron"/);
    expect(message).not.toContain('"good"');
  });
});
