import { describe, expect, it } from 'vitest';
import { compareRows, piiHits } from '../soak/verify';

/** The soak's own checks: they must find what they look for, or a green soak means nothing. */
describe('soak checks', () => {
  const pii = { emails: new Set(['jane.doe+news@example.com']), phones: new Set(['(405) 555-0101', '595.555.0103']), phoneDigits: new Set(['4055550101', '5955550103']) };

  it('finds fixture emails in any case, and phones as written or in E.164', () => {
    const text = '{"msg":"bad row","value":"Jane.Doe+news@Example.com"} phone (405) 555-0101 and +15955550103, not +15955550199';
    expect(piiHits(text, pii)).toEqual({ emails: 1, phones: 2 });
  });

  it('does not count ids, timestamps, counts or hashes as PII', () => {
    const text = '{"time":1765038000000,"jobId":"5d865bda660a4c91a93c2b1cd70d7678","rows":4055550101,"sha256":"b1f2...","uri":"s3://b/k@v"}';
    expect(piiHits(text, pii)).toEqual({ emails: 0, phones: 0 });
  });

  it('counts rows lost and rows extra as multisets', () => {
    expect(compareRows(['a', 'b', 'b', 'c'], ['a', 'b', 'c', 'c', 'd'])).toEqual({ lost: 1, extra: 2 });
    expect(compareRows(['a', 'b'], ['b', 'a'])).toEqual({ lost: 0, extra: 0 });
  });
});
