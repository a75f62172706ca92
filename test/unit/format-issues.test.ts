import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue, formatIssues, issuePath } from '../../schemas/format-issues';

const schema = z
  .object({
    email: z.string().regex(/^[^@]+@example\.com$/, 'must be an example.com address'),
    phone: z.string().max(5),
    tier: z.enum(['gold', 'silver']),
    age: z.number().int(),
    nested: z.object({ list: z.array(z.string().min(3)) }).strict(),
    account: z.string(),
  })
  .strict();

const PII = { email: 'alice.smith@corp.test', phone: '+1 212 555 0147', tier: 'Alice Smith', age: '42 years', nested: { list: ['ok-value', 'Al'], bob: 1 }, extra: 'x' };

function issuesOf(value: unknown, reportInput = true): z.ZodError {
  const parsed = schema.safeParse(value, { reportInput });
  if (parsed.success) throw new Error('expected issues');
  return parsed.error;
}

describe('formatIssues', () => {
  it('names each field by its path, one line per issue or inline', () => {
    const error = issuesOf(PII);
    const lines = formatIssues(error, { root: '(input)', layout: 'lines' }).split('\n');
    expect(lines).toHaveLength(error.issues.length);
    expect(lines.every((line) => line.startsWith('  - '))).toBe(true);
    expect(lines).toContain('  - email: must be an example.com address');
    expect(lines).toContain('  - (input): unknown field(s) "extra"');
    expect(lines).toContain('  - nested: unknown field(s) "bob"');
    expect(lines.some((line) => line.startsWith('  - nested.list.1: '))).toBe(true);
    expect(formatIssues(error, { root: '(input)', layout: 'inline' })).toBe(lines.map((line) => line.slice(4)).join('; '));
  });

  it('quotes fields for config files and names the value as a whole by its root', () => {
    const error = issuesOf('not an object');
    expect(formatIssues(error, { root: '(top level)', layout: 'lines', quoteField: true })).toBe('  - field "(top level)": expected object, got string');
  });

  it('tells a missing field from one of the wrong type when the input was reported, in the caller\'s words', () => {
    const error = issuesOf({ ...PII, account: undefined });
    const account = error.issues.find((issue) => issuePath(issue, '') === 'account')!;
    expect(describeIssue(account)).toBe('is required (expected string)');
    expect(describeIssue(account, 'is not set')).toBe('is not set (expected string)');
    const age = error.issues.find((issue) => issuePath(issue, '') === 'age')!;
    expect(describeIssue(age)).toBe('expected number, got string');
  });

  it("falls back to zod's message when the input was not reported (it cannot tell missing from wrong type)", () => {
    const age = issuesOf(PII, false).issues.find((issue) => issuePath(issue, '') === 'age')!;
    expect(describeIssue(age)).toBe(age.message);
    expect(describeIssue(age)).not.toContain('required');
  });

  it.each([true, false])('never writes a value (reportInput %s)', (reportInput) => {
    const error = issuesOf(PII, reportInput);
    for (const layout of ['lines', 'inline'] as const) {
      const text = formatIssues(error, { root: '(input)', layout });
      for (const value of [PII.email, PII.phone, PII.tier, PII.age, 'Al', 'ok-value', 'alice', '555']) expect(text).not.toContain(value);
    }
  });
});
