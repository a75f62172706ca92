import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../toolchain/paths';

const run = promisify(execFile);
let out: string;

/** `npm run build` into a scratch folder of the checkout: what the npm scripts run, compiled. */
beforeAll(async () => {
  mkdirSync(join(PROJECT_ROOT, '.scratch'), { recursive: true });
  out = mkdtempSync(join(PROJECT_ROOT, '.scratch', 'build-'));
  await run(process.execPath, [join(PROJECT_ROOT, 'scripts/build.mjs'), '--outdir', out], { cwd: PROJECT_ROOT });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const stamp = () => JSON.parse(readFileSync(join(out, 'build-stamp.json'), 'utf8')) as { files: number; newestMtimeMs: number; newest: string };

describe('the compiled build', () => {
  it('runs a starter, bundled into one file, with plain node', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(out, 'bin/uid2-subscription.js'), '--help'], { cwd: PROJECT_ROOT });
    expect(stdout).toMatch(/^Usage: uid2-subscription/);
    expect(stderr).toBe('');
    expect(readFileSync(join(out, 'bin/uid2-subscription.bundle.js'), 'utf8')).toContain('@temporalio/client');
  });

  it('runs every npm script program from dist/bin', async () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const programs = Object.values(scripts).flatMap((script) => /dist\/bin\/([\w-]+)\.js/.exec(script)?.[1] ?? []);
    expect(programs.length).toBeGreaterThanOrEqual(8);
    for (const program of programs.filter((name) => name !== 'worker')) {
      const { stdout } = await run(process.execPath, [join(out, 'bin', `${program}.js`), '--help'], { cwd: PROJECT_ROOT });
      expect(stdout, program).toMatch(new RegExp(`^Usage: ${program}`));
    }
    // The worker loads in full, then refuses an environment without a Region before it connects anywhere.
    const worker = await run(process.execPath, [join(out, 'bin/worker.js')], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH } }).catch((err: { code: number; stdout: string }) => err);
    expect('code' in worker && worker.code).toBe(1);
    expect(worker.stdout).toContain('Invalid worker environment');
    expect(worker.stdout).toContain('AWS_REGION');
  }, 60_000);

  it('bundles the workflows once for the worker, with zod preloaded and the codec failure converter', () => {
    const bundle = readFileSync(join(out, 'workflow-bundle.js'), 'utf8');
    expect(bundle.length).toBeGreaterThan(100_000);
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(bundle)?.[1];
    expect(preload).toContain('workflows/support/preloaded-modules.js');
    expect(bundle).toContain('temporal-client/codec/failure-converter.js');
  });

  it('stamps what it was built from, and an entry rebuilds dist/ when a source is newer than the stamp', async () => {
    const built = stamp();
    expect(built.files).toBeGreaterThan(100);
    expect(built.newestMtimeMs).toBe(statSync(join(PROJECT_ROOT, built.newest)).mtimeMs);

    writeFileSync(join(out, 'build-stamp.json'), JSON.stringify({ ...built, newestMtimeMs: built.newestMtimeMs - 60_000 }));
    const { stdout, stderr } = await run(process.execPath, [join(out, 'bin/uid2-subscription.js'), '--help'], { cwd: PROJECT_ROOT });
    expect(stderr).toContain(`dist/ is out of date (${built.newest} changed after the build): rebuilding it`);
    expect(stdout).toMatch(/^Usage: uid2-subscription/);
    expect(stamp().newestMtimeMs).toBe(built.newestMtimeMs);

    const again = await run(process.execPath, [join(out, 'bin/uid2-subscription.js'), '--help'], { cwd: PROJECT_ROOT });
    expect(again.stderr).toBe('');
  }, 120_000);
});
