import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the compiled build', () => {
  it('runs a starter with plain node', async () => {
    const { stdout } = await run(process.execPath, [join(out, 'starters/uid2-subscription.js'), '--help'], { cwd: PROJECT_ROOT });
    expect(stdout).toMatch(/^Usage: uid2-subscription/);
  });

  it('gives the worker compiled workflows to bundle, and the bundle builds', async () => {
    const script = `
      const { bundleWorkflowCode } = require('@temporalio/worker');
      const { WORKFLOWS_PATH } = require(${JSON.stringify(join(out, 'worker/create-worker.js'))});
      const { FAILURE_CONVERTER_PATH } = require(${JSON.stringify(join(out, 'temporal-client/codec/data-converter.js'))});
      const noop = () => undefined;
      const logger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger })
        .then((b) => console.log(JSON.stringify({ WORKFLOWS_PATH, FAILURE_CONVERTER_PATH, size: b.code.length })));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: PROJECT_ROOT });
    const built = JSON.parse(stdout) as { WORKFLOWS_PATH: string; FAILURE_CONVERTER_PATH: string; size: number };
    expect(built.WORKFLOWS_PATH).toBe(join(out, 'workflows/index.js'));
    expect(built.FAILURE_CONVERTER_PATH).toBe(join(out, 'temporal-client/codec/failure-converter.js'));
    expect(existsSync(built.WORKFLOWS_PATH)).toBe(true);
    expect(built.size).toBeGreaterThan(100_000);
  }, 60_000);
});
