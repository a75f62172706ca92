import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { workflowBundleOptions } from '../../worker/workflow-bundle-options';
import { inject } from 'vitest';

interface CreateOptions {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
}

/**
 * Connects to the run's shared time-skipping server (test/global-setup.ts). The SDK's public
 * `createFromExistingServer` always disables time skipping, so this calls the same internal factory
 * with time skipping on; it fails loudly if an SDK upgrade removes that factory.
 */
export async function connectTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const factory = (TestWorkflowEnvironment as unknown as { create?: (o: CreateOptions) => Promise<TestWorkflowEnvironment> }).create;
  if (typeof factory !== 'function') throw new Error('TestWorkflowEnvironment.create is gone: update test/helpers/environments.ts');
  return factory.call(TestWorkflowEnvironment, {
    server: { type: 'existing' },
    address: inject('timeSkippingAddress'),
    namespace: 'default',
    supportsTimeSkipping: true,
  });
}

export async function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('devServerAddress'), namespace: 'default' });
}

export const workflowBundle = () => ({ codePath: inject('workflowBundlePath') });

const noop = () => undefined;

/** Workflow code bundled as the worker bundles it (with the codec's failure converter), without the bundler's log. */
export function bundleQuietly(workflowsPath: string): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ ...workflowBundleOptions(workflowsPath), logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop } });
}
