import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guessAudienceColumns, renderColumnGuesses } from '../../starters/audience-columns';
import { renderAudienceUploadStatus } from '../../starters/audience-upload-status';
import { audienceUploadInputSchema } from '../../schemas/audience-upload/audience-upload';
import { loadConfigFile } from '../../starters/lib/load-config';
import type { AudienceUploadStatus } from '../../workflows/audience-upload/audience-upload-status';

/** The test record of Audience Uploader from AWS Clean Rooms, and more of its kind. */
const records = [
  { age: 35, 'e-mail': ' fake_email@doesnotexist.com ', phone_number: '(123)-123-1234', mobile_advertiser_id: ' 918F1D4F-D195-4A8B-AF47-44683FE11DB9 ' },
  { age: 41, 'e-mail': 'second.person@example.org', phone_number: '+44 20 7946 0958', mobile_advertiser_id: 'A1B2C3D4-E5F6-4A8B-9C0D-112233445566' },
  { age: 29, 'e-mail': 'third@example.net', phone_number: '202-555-0143', mobile_advertiser_id: '00112233-4455-4677-8899-AABBCCDDEEFF' },
];
const VALUES = records.flatMap((r) => [r['e-mail'].trim(), r.phone_number, r.mobile_advertiser_id.trim()]);

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'audience-columns-'));
  const file = join(dir, 'segment.jsonl');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

describe('audience-upload starter', () => {
  it('columns: guesses each column from the seed-format file and prints names, guesses and counts, never a value', async () => {
    const result = await guessAudienceColumns(fixture(), undefined, { records: 100 });
    expect(result.read).toBe(3);
    expect(result.columns.map((c) => [c.name, c.guess])).toEqual([
      ['age', 'NON_PII'],
      ['e-mail', 'EMAIL_SHA256'],
      ['phone_number', 'PHONE_SHA256'],
      ['mobile_advertiser_id', 'IDFA_SHA256'],
    ]);
    const text = renderColumnGuesses(result).join('\n');
    for (const value of VALUES) expect(text).not.toContain(value);
    const block = JSON.parse(text.slice(text.indexOf('"columns": ') + '"columns": '.length)) as unknown;
    expect(audienceUploadInputSchema.shape.columns.parse(block)).toHaveLength(4);
  });

  it('columns --config: names the columns the config lacks and those the file lacks', async () => {
    const result = await guessAudienceColumns(fixture(), undefined, { records: 100 });
    const text = renderColumnGuesses(result, [
      { name: 'e-mail', kind: 'PII', type: 'EMAIL_SHA256' },
      { name: 'zip', kind: 'NON_PII' },
    ]).join('\n');
    expect(text).toContain('lacks (add each to columns as PII with its type, or NON_PII): age, phone_number, mobile_advertiser_id');
    expect(text).toContain("not in the source's header: zip");
  });

  it('the example configs are valid', () => {
    for (const file of ['audience-upload.json', 'audience-upload.sandbox.json', 'audience-upload-query.sandbox.json']) {
      expect(loadConfigFile(join(__dirname, '../../examples', file), audienceUploadInputSchema).name).toMatch(/^[\w-]+$/);
    }
  });

  it('--wait renders stage, query checks, plan, files and the audience', () => {
    const s: AudienceUploadStatus = {
      stage: 'applying',
      startedAt: '2026-01-05T00:00:00.000Z',
      asOf: '2026-01-05T01:00:00.000Z',
      mode: 'delta',
      source: { kind: 'cleanRoomsQuery', queryId: 'q-1', checksMade: 4 },
      rows: { in: 2000, out: 1990, rejected: 10 },
      plan: { add: 30, remove: 5, steps: 2 },
      files: { planned: 2, uploaded: 2, applied: 1 },
      audienceIds: { EMAIL_SHA256: '123', PHONE_SHA256: '123' },
      nextAction: 'x',
    };
    expect(renderAudienceUploadStatus(s)).toBe('[applying]  query q-1, checks 4  rows 2000 in, 1990 out, 10 rejected  plan +30 -5 in 2 calls  files 2 uploaded, 1 of 2 applied  audience 123');
  });
});
