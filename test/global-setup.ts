import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSearchAttributeKey } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../toolchain/paths';
import { workflowBundleOptions } from '../worker/workflow-bundle-options';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_SDK_TYPE } from '../schemas/search-attributes';
import { startTimeSkippingServer } from './helpers/time-skipping-server';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath: string;
    timeSkippingAddress: string;
    devServerAddress: string;
  }
}

/**
 * Once per test run: bundle the workflow code, start one time-skipping test server and one dev
 * server (both the project's own binaries, no download), and hand their addresses to the suites.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'identity-workflows-test-'));
  // Same bundle as the worker process makes: workflows plus the failure converter of the codec.
  const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const [timeSkipping, dev] = await Promise.all([
    startTimeSkippingServer(),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: Object.values(SEARCH_ATTRIBUTES).map((a) => defineSearchAttributeKey(a.name, SEARCH_ATTRIBUTE_SDK_TYPE[a.type])),
      },
    }),
  ]);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('timeSkippingAddress', timeSkipping.address);
  project.provide('devServerAddress', dev.address);
  return async () => {
    await Promise.all([timeSkipping.teardown(), dev.teardown()]);
  };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
