import { describe, expect, it } from 'vitest';
import { tiktokAudienceLine } from '../../scripts/demo-tiktok';
import type { AudienceUploadResult } from '../../schemas/audience-upload/audience-upload';

const applied: AudienceUploadResult = {
  outcome: 'applied',
  audienceIds: { EMAIL_SHA256: '7000000000000000005', PHONE_SHA256: '7000000000000000006' },
  created: true,
  mode: 'delta',
  identifiers: { EMAIL_SHA256: 196, PHONE_SHA256: 188 },
  added: { EMAIL_SHA256: 196, PHONE_SHA256: 188 },
  removed: {},
  files: { uploaded: 2, applied: 2 },
  rows: { in: 240, out: 236, rejected: 4 },
  rejectsPrefix: 's3://identity-demo/audience-upload/work/prepared/rejects/',
  snapshotUri: 's3://identity-demo/audience-upload/work/snapshots/run-1/manifest.json',
};

describe('the demo’s TikTok line', () => {
  it('names each audience with its identifier count, and the run’s counts: no values', () => {
    expect(tiktokAudienceLine(applied)).toBe(
      'demo: TikTok audiences EMAIL_SHA256 7000000000000000005 (196 identifiers), PHONE_SHA256 7000000000000000006 (188 identifiers) created: 240 rows in, 4 rejected, 2 files applied (see s3://identity-demo/audience-upload/work/prepared/rejects/ for the rejects)',
    );
  });

  it('says so when a restarted demo found the audiences already in step', () => {
    expect(tiktokAudienceLine({ ...applied, outcome: 'unchanged', created: false, files: { uploaded: 0, applied: 0 } })).toContain(') unchanged since the last upload: 240 rows in');
  });
});
