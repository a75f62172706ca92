import { describe, expect, it } from 'vitest';
import { normalizeAmcEmail, normalizeAmcPhone, normalizeAmcText } from '../../pii/rules/amc';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';
import type { RuleOutcome } from '../../pii/rules/outcome';
import vectors from '../fixtures/amc-us-vectors.json';

/** The AMC profile's encoding, as production applies it. */
const amcHash = DESTINATION_PROFILES.amc.encode;

/**
 * Truth: the raw → hashed pairs of Amazon's own AMC uploader solution
 * (aws-solutions/amazon-marketing-cloud-uploader-from-aws, source/tests/unit_test/amc_transformation/
 * sample_data/test_us/us_raw.json and us_check.json; synthetic people), a sample in test/fixtures.
 */
const hashOf = (outcome: RuleOutcome) => (outcome.kind === 'normalized' ? amcHash(outcome.value) : outcome.kind);

describe("AMC rules reproduce Amazon's uploader output", () => {
  it.each(vectors.map((v) => [v.email[0], v] as const))('record with %s', (_email, v) => {
    expect(hashOf(normalizeAmcText(v.first_name[0]!))).toBe(v.first_name[1]);
    expect(hashOf(normalizeAmcText(v.last_name[0]!))).toBe(v.last_name[1]);
    expect(hashOf(normalizeAmcEmail(v.email[0]!))).toBe(v.email[1]);
    expect(hashOf(normalizeAmcPhone(v.phone[0]!, 'US'))).toBe(v.phone[1]);
  });
});

describe('AMC rules', () => {
  it('email: lowercase and drop characters outside letters, digits, _ . @ -', () => {
    expect(normalizeAmcEmail(' Jane.Doe+Tag@Example.COM ')).toEqual({ kind: 'normalized', value: 'jane.doetag@example.com' });
    expect(normalizeAmcEmail('no-at-sign')).toEqual({ kind: 'rejected', reason: 'not an email address' });
  });

  it('phone: E.164 without "+", GB numbers may not start with 4 or 6', () => {
    expect(normalizeAmcPhone('+44 20 7946 0958', 'GB')).toEqual({ kind: 'normalized', value: '442079460958' });
    expect(normalizeAmcPhone('4123 456789', 'GB')).toEqual({ kind: 'rejected', reason: 'not a GB phone number' });
    // Written with its country code, a foreign number is read as such whatever the file's country.
    expect(normalizeAmcPhone('+44 20 7946 0958', 'US')).toEqual({ kind: 'normalized', value: '442079460958' });
    expect(normalizeAmcPhone('12', 'US').kind).toBe('rejected');
  });

  it('text: transliterates German and Nordic letters and keeps only a–z, 0–9', () => {
    expect(normalizeAmcText('Jürgen Groß-Ørsted Æ')).toEqual({ kind: 'normalized', value: 'juergengrossorstedae' });
    expect(normalizeAmcText(' - ')).toEqual({ kind: 'rejected', reason: 'empty' });
  });

  it('passes SHA-256 hex through', () => {
    const hex = vectors[0]!.email[1]!;
    expect(normalizeAmcEmail(hex)).toEqual({ kind: 'prehashed', value: hex });
    expect(normalizeAmcText(hex.toUpperCase())).toEqual({ kind: 'prehashed', value: hex });
  });
});
