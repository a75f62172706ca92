import { extname, resolve } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal-client/codec/data-converter';

/** `workflows/index` re-exports every workflow (.ts from source, .js from dist/). */
export const WORKFLOWS_PATH = resolve(__dirname, `../workflows/index${extname(__filename)}`);

/**
 * Modules the worker's reusable V8 context evaluates once and shares across workflow runs (the SDK's
 * `preloadModules`). Anything else in the bundle is evaluated again for every run the worker creates or
 * replays: zod's ~400 modules cost each run over a megabyte and most of a replay's CPU, so memory grew
 * with the runs a worker had seen, not with its cache. zod keeps no per-run state; workflows only
 * parse with it. A module added here must keep none either: the SDK deep-freezes what it holds.
 */
export const PRELOADED_WORKFLOW_MODULES = [resolve(__dirname, `../workflows/support/preloaded-modules${extname(__filename)}`)];

/** How every bundle of the workflows is made: the worker's, `npm run build`'s, the tests' and the replay recorder's. */
export function workflowBundleOptions(workflowsPath = WORKFLOWS_PATH): Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath' | 'preloadModules'> {
  return { workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, preloadModules: PRELOADED_WORKFLOW_MODULES };
}
