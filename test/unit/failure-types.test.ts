import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as failures from '../../schemas/failures';
import { PROJECT_ROOT } from '../../toolchain/paths';
import { sourceFiles } from '../helpers/project-files';

/** Files that may spell a failure type out: its home, and the converter the SDK loads by path (it imports nothing local). */
const ALLOWED: Record<string, readonly string[]> = {
  'schemas/failures.ts': Object.values(failures).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))),
  'temporal-client/codec/failure-converter.ts': [failures.PAYLOAD_DECRYPTION_ERROR],
};

const failureTypes = ALLOWED['schemas/failures.ts']!;

/** `file:line: literal` for every quoted failure type name in a source file outside ALLOWED. */
function literalsOutsideHome(): string[] {
  const quoted = new RegExp(`(['"\`])(${failureTypes.join('|')})\\1`, 'g');
  return sourceFiles().flatMap((path) => {
    const file = relative(PROJECT_ROOT, path).split('\\').join('/');
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) => [...line.matchAll(quoted)].map((m) => ({ type: m[2]!, at: `${file}:${i + 1}: ${m[0]}` })))
      .filter(({ type }) => !ALLOWED[file]?.includes(type))
      .map(({ at }) => at);
  });
}

describe('failure types', () => {
  it('are declared once each, with distinct values', () => {
    expect(failureTypes.length).toBeGreaterThan(20);
    expect(new Set(failureTypes).size).toBe(failureTypes.length);
  });

  it('are spelled out nowhere but schemas/failures.ts: code and tests import the constants', () => {
    expect(literalsOutsideHome()).toEqual([]);
  });

  it('are each explained in docs/failure-types.md, and it names no other', () => {
    const page = readFileSync(join(PROJECT_ROOT, 'docs', 'failure-types.md'), 'utf8');
    const documented = [...page.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...failureTypes].sort());
  });

  it('the scan finds the one allowed repetition, so it reads the tree it should', () => {
    const converter = readFileSync(join(PROJECT_ROOT, 'temporal-client/codec/failure-converter.ts'), 'utf8');
    expect(converter).toContain(`'${failures.PAYLOAD_DECRYPTION_ERROR}'`);
    expect(sourceFiles().map((p) => relative(PROJECT_ROOT, p))).toEqual(
      expect.arrayContaining(['temporal-client/codec/failure-converter.ts', 'workflows/uid2-matching/uid2-matching.ts', 'test/unit/aws-errors.test.ts']),
    );
  });
});
