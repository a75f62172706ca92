import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../toolchain/paths';

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'coverage', 'dist']);

/** Files under `dir` whose name `keep` accepts, skipping dot folders, node_modules and build output. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, keep);
    return entry.isFile() && keep(entry.name) ? [path] : [];
  });
}

/** Every TypeScript and JavaScript file of the project, tests included. */
export const sourceFiles = (): string[] => filesUnder(PROJECT_ROOT, (name) => SOURCE.test(name));

/** README.md and every Markdown page under docs/. */
export const markdownFiles = (): string[] => [join(PROJECT_ROOT, 'README.md'), ...filesUnder(join(PROJECT_ROOT, 'docs'), (name) => name.endsWith('.md'))];
