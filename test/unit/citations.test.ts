import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../toolchain/paths';
import { markdownFiles, sourceFiles } from '../helpers/project-files';

/** How the project's private briefs ("seed 000", "the seed's Step 3") get cited; a random generator's seed reads otherwise. */
const PRIVATE_CITATION = /\bseeds? ?\d{3}\b|\bseeds\/|\bseed's\b|\bof the seed\b|\bthe seed asks\b/i;

function citationsIn(files: string[]): string[] {
  return files.flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) => (PRIVATE_CITATION.test(line) ? [`${relative(PROJECT_ROOT, path)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('citations', () => {
  it('code, tests and docs cite public pages, never a document the reader cannot open', () => {
    const files = [...sourceFiles(), ...markdownFiles()].filter((path) => path !== __filename);
    expect(citationsIn(files)).toEqual([]);
  });

  it('the pattern finds the private forms and leaves a random seed alone', () => {
    const cited = ['see seed 000', 'as the seed\'s Step 3 template writes it', 'Steps 1–8 of the seed:', 'the defaults the seed asks for', 'shared/seeds/004_x.txt'];
    const random = ['the same seed draws the same faults', '--seed N', 'from the seed or one of the next few', 'seeded generator'];
    expect(cited.filter((line) => !PRIVATE_CITATION.test(line))).toEqual([]);
    expect(random.filter((line) => PRIVATE_CITATION.test(line))).toEqual([]);
  });
});
