import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from './paths';
import { sourceStamp, type SourceStamp } from './source-stamp';

/**
 * Run first by every dist/bin entry (the npm scripts' programs): if a runtime source was edited, added or
 * removed since dist/ was built, rebuilds dist/ before the program is loaded, so `npm run worker` or a
 * starter never runs code older than the TypeScript beside it.
 */
export function ensureFreshBuild(distDir = resolve(__dirname, '..')): void {
  const reason = staleReason(distDir);
  if (!reason) return;
  process.stderr.write(`dist/ is out of date (${reason}): rebuilding it with npm run build\n`);
  const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build.mjs'), '--outdir', distDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) throw new Error('npm run build failed (see above); dist/ cannot be brought up to date.');
}

function staleReason(distDir: string): string | undefined {
  let built: SourceStamp;
  try {
    built = JSON.parse(readFileSync(join(distDir, 'build-stamp.json'), 'utf8')) as SourceStamp;
  } catch {
    return 'it has no build-stamp.json';
  }
  const now = sourceStamp(PROJECT_ROOT, built.dirs);
  if (now.newestMtimeMs > built.newestMtimeMs) return `${now.newest} changed after the build`;
  if (now.files !== built.files) return `${now.files - built.files > 0 ? 'a source was added' : 'a source was removed'} since the build`;
  return undefined;
}
