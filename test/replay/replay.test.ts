import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../helpers/environments';
import { historyText } from '../helpers/history-text';
import { AMC_RECORDING_VALUES } from './amc-id-mapping-recording';
import { AUDIENCE_RECORDING_VALUES } from './audience-upload-recording';

/** Fixtures are written by test/replay/record-histories.ts (`npm run record-histories`). */
/** Replays recorded histories against today's workflow code: a non-deterministic change fails here. */
const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object);
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, file.replace(/\.json$/, ''));
  });

  it('amc-id-mapping.json, recorded on the sandbox, holds none of its identity values, raw or hashed', () => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, 'amc-id-mapping.json'), 'utf8')) as object);
    const text = historyText(history);
    expect(text).toContain('"uniqueId":"Customer_ID"');
    expect(AMC_RECORDING_VALUES.filter((value) => text.includes(value))).toEqual([]);
  });

  it.each(['audience-upload-created.json', 'audience-upload-delta.json'])('%s, recorded on the sandbox, holds none of its identifiers, raw or hashed', (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object);
    const text = historyText(history);
    expect(text).toContain('"name":"recorded-tiktok-customers"');
    expect(AUDIENCE_RECORDING_VALUES.filter((value) => text.includes(value))).toEqual([]);
  });
});
