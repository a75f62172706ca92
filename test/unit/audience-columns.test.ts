import { describe, expect, it } from 'vitest';
import { checkAudienceColumns, describeColumnMismatch, guessColumnType } from '../../schemas/audience-upload/audience-columns';
import { audienceLocations, audienceUploadInputSchema, prepRulesFor, type AudienceUploadInput } from '../../schemas/audience-upload/audience-upload';
import { formatIssues } from '../../schemas/format-issues';

/** The columns of Audience Uploader from AWS Clean Rooms' test file, defined as its UI's step 3 would. */
const seedColumns: AudienceUploadInput['columns'] = [
  { name: 'age', kind: 'NON_PII' },
  { name: 'e-mail', kind: 'PII', type: 'EMAIL_SHA256' },
  { name: 'phone_number', kind: 'PII', type: 'PHONE_SHA256' },
  { name: 'mobile_advertiser_id', kind: 'PII', type: 'IDFA_SHA256' },
];

const base = (over: Partial<AudienceUploadInput> = {}): AudienceUploadInput => ({
  name: 'spring-promo',
  source: { kind: 's3', uri: 's3://raw-bucket/audience/customers.jsonl' },
  columns: seedColumns,
  output: { workPrefix: 's3://work-bucket/audience/' },
  audience: { name: 'Spring promo' },
  tiktok: { credentialsSecretId: 'tiktok/audience' },
  ...over,
});

const issuesOf = (input: AudienceUploadInput) => {
  const parsed = audienceUploadInputSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the column definition', () => {
  it('takes the uploader-style definition with its defaults', () => {
    const config = audienceUploadInputSchema.parse(base());
    expect(config.audience).toMatchObject({ mode: 'delta', layout: 'one', minimumSize: 1000, allowSmallCreate: false });
    expect(config.output.maxFileBytes).toBe(50 * 1024 * 1024);
    expect(config.tiktok).toMatchObject({ baseUrl: 'https://business-api.tiktok.com', filesPerRequest: 20, uploadsInParallel: 2 });
  });

  it('refuses a column defined twice, naming both places', () => {
    expect(issuesOf(base({ columns: [...seedColumns, { name: 'age', kind: 'PII', type: 'EMAIL_SHA256' }] }))).toEqual(['columns.4.name: mapped twice: columns[0] and columns[4]']);
  });

  it('refuses a definition without PII', () => {
    expect(issuesOf(base({ columns: [{ name: 'age', kind: 'NON_PII' }] }))).toEqual(['columns: at least one column must be PII: TikTok needs an identifier']);
  });

  it('refuses PII without a type, and a type TikTok has no SHA-256 calculate_type for', () => {
    expect(issuesOf(base({ columns: [{ name: 'email', kind: 'PII' } as never] }))).toEqual([expect.stringMatching(/^columns\.0\.type: /)]);
    expect(issuesOf(base({ columns: [{ name: 'email', kind: 'PII', type: 'EMAIL_MD5' } as never] }))).toEqual([expect.stringMatching(/^columns\.0\.type: /)]);
  });

  it('refuses replace with layout one over two PII types, and takes it per-type or with one type', () => {
    expect(issuesOf(base({ audience: { name: 'x', mode: 'replace' } }))).toEqual([
      'audience.mode: replace with layout one takes one PII type: one REPLACE carries one identifier type (use layout per-type, or mode delta)',
    ]);
    expect(issuesOf(base({ audience: { name: 'x', mode: 'replace', layout: 'per-type' } }))).toEqual([]);
    expect(issuesOf(base({ audience: { name: 'x', mode: 'replace' }, columns: [{ name: 'e-mail', kind: 'PII', type: 'EMAIL_SHA256' }] }))).toEqual([]);
  });

  it('takes exactly one of sql and analysisTemplateArn for a query source', () => {
    const query = { kind: 'cleanRoomsQuery' as const, membershipId: '6f6b2c1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', resultBucket: 'results-bucket' };
    expect(issuesOf(base({ source: query }))).toEqual(['source: give exactly one of sql and analysisTemplateArn']);
    expect(issuesOf(base({ source: { ...query, sql: 'SELECT 1', analysisTemplateArn: 'arn:aws:cleanrooms:us-east-1:123456789012:membership/abc/analysistemplate/def' } }))).toEqual([
      'source: give exactly one of sql and analysisTemplateArn',
    ]);
    expect(issuesOf(base({ source: { ...query, sql: 'SELECT email FROM customers' } }))).toEqual([]);
  });

  it('names fields, never the values, in its messages', () => {
    const parsed = audienceUploadInputSchema.safeParse(base({ name: 'jane@example.com', columns: [{ name: 'jane@example.com', kind: 'NON_PII' }] }));
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!, { root: '(config)', layout: 'lines' })).not.toContain('jane@example.com');
  });
});

describe('checkAudienceColumns against the source header', () => {
  it('lists columns the file has but the definition lacks, and defined columns the file lacks', () => {
    const result = checkAudienceColumns(audienceUploadInputSchema.parse(base()).columns, ['age', 'e-mail', 'phone_number', 'loyalty_tier']);
    expect(result).toEqual({ unknown: ['loyalty_tier'], missing: ['mobile_advertiser_id'] });
    expect(describeColumnMismatch(result)).toBe(
      "the source has columns the definition lacks (add each to columns as PII with its type, or NON_PII): loyalty_tier; columns defined but not in the source's header: mobile_advertiser_id",
    );
  });

  it('finds nothing to say when they match', () => {
    const result = checkAudienceColumns(audienceUploadInputSchema.parse(base()).columns, ['mobile_advertiser_id', 'age', 'e-mail', 'phone_number']);
    expect(result).toEqual({ unknown: [], missing: [] });
    expect(describeColumnMismatch(result)).toBeUndefined();
  });
});

describe('guessColumnType', () => {
  it.each([
    [[' fake_email@doesnotexist.com ', 'a.b@c.co', ''], 'EMAIL_SHA256'],
    [['(123)-123-1234', '+44 20 7946 0958', '415.555.0100'], 'PHONE_SHA256'],
    [[' 918F1D4F-D195-4A8B-AF47-44683FE11DB9 ', '6D92078A-8246-4BA4-AE5B-76104861E7DC'], 'IDFA_SHA256'],
    [['38400000-8cf0-11bd-b23e-10b96e40000d', 'cdda802e-fb9c-47ad-9866-0794d394c912'], 'GAID_SHA256'],
    [['a'.repeat(64), 'B'.repeat(64)], 'HASHED'],
    [['35', '42', 'gold'], 'NON_PII'],
    [[], 'NON_PII'],
  ] as const)('%j → %s', (samples, expected) => {
    expect(guessColumnType([...samples])).toBe(expected);
  });

  it('goes by most values: one stray value does not change the guess', () => {
    expect(guessColumnType(['a@b.com', 'c@d.com', 'e@f.com', 'g@h.com', 'n/a'])).toBe('EMAIL_SHA256');
  });
});

describe('what the config derives', () => {
  it('maps PII columns to the tiktok profile and leaves NON_PII unmapped, dropped and headerless', () => {
    expect(prepRulesFor(audienceUploadInputSchema.parse(base()))).toEqual({
      profile: 'tiktok',
      columns: { 'e-mail': 'EMAIL', phone_number: 'PHONE', mobile_advertiser_id: 'IDFA' },
      defaultRegion: 'US',
      country: 'US',
      keepRowWhen: 'any',
      keepUnmapped: false,
      outputHeader: 'none',
    });
  });

  it('keeps its state under the work prefix', () => {
    expect(audienceLocations(audienceUploadInputSchema.parse(base()), 'r1')).toEqual({
      prepared: 's3://work-bucket/audience/prepared/',
      snapshots: 's3://work-bucket/audience/snapshots/',
      snapshot: 's3://work-bucket/audience/snapshots/run-r1/',
      delta: 's3://work-bucket/audience/snapshots/run-r1/delta/',
      current: 's3://work-bucket/audience/snapshots/current.json',
      pending: 's3://work-bucket/audience/snapshots/pending.json',
      uploads: 's3://work-bucket/audience/uploads/run-r1/',
    });
  });
});
