import type { z } from 'zod';

/*
 * The one formatter of zod issues. Its words name fields, types and rules, never a value: the
 * messages reach terminals, logs, HTTP bodies and Temporal histories, and a value may be PII or
 * key material. Deterministic and free of Node builtins, so workflows use it too.
 */

type Issue = z.core.$ZodIssue;

export interface IssueFormat {
  /** Names the value as a whole (an issue with an empty path): '(input)', 'body', '(environment)'. */
  root: string;
  /** 'lines': one `  - where: what` line per issue (terminals); 'inline': `where: what; ...` on one line. */
  layout: 'lines' | 'inline';
  /** Name the place as `field "a.b"` (config files) instead of `a.b`. */
  quoteField?: boolean;
  /** How a missing field reads (default 'is required'; environment variables: 'is not set'). */
  missing?: string;
}

/** Where an issue is: its path as `a.b.0`, or `root` when the value as a whole is wrong. */
export function issuePath(issue: Issue, root: string): string {
  return issue.path.length > 0 ? issue.path.map(String).join('.') : root;
}

/**
 * What is wrong. A missing field is told from one of the wrong type when the schema ran with
 * `safeParse(value, { reportInput: true })` (zod 4 leaves `input` out of issues otherwise); only the
 * input's type is read, never its value.
 */
export function describeIssue(issue: Issue, missing = 'is required'): string {
  if (issue.code === 'invalid_type' && 'input' in issue) {
    return issue.input === undefined ? `${missing} (expected ${issue.expected})` : `expected ${issue.expected}, got ${typeof issue.input}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
  return issue.message;
}

/** Every issue of a failed parse, as `where: what`. */
export function formatIssues(error: z.ZodError, format: IssueFormat): string {
  const lines = error.issues.map((issue) => {
    const path = issuePath(issue, format.root);
    return `${format.quoteField ? `field "${path}"` : path}: ${describeIssue(issue, format.missing)}`;
  });
  return format.layout === 'lines' ? lines.map((line) => `  - ${line}`).join('\n') : lines.join('; ');
}
