import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities';
import { DEFAULT_MAX_CACHED_WORKFLOWS, type WorkerConfig } from './config';
import { PRELOADED_WORKFLOW_MODULES, WORKFLOWS_PATH } from './workflow-bundle-options';

/** `npm run build` bundles dist/'s workflows once; a worker run from dist/ loads that instead of running the bundler. */
const PREBUILT_BUNDLE = resolve(__dirname, '../workflow-bundle.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: Pick<WorkerConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'WORKER_MAX_CONCURRENT_ACTIVITIES'> &
    Partial<Pick<WorkerConfig, 'WORKER_MAX_CACHED_WORKFLOWS'>>;
  clients: ActivityDeps;
  dataConverter: DataConverter;
  /** Tests hand in a prebuilt bundle; otherwise dist/'s bundle from `npm run build`, or `workflows/` bundled at start under tsx. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  // Activities that signal or describe other executions use the worker's own connection and codec.
  const temporal = new Client({ connection: opts.connection, namespace: opts.config.TEMPORAL_NAMESPACE, dataConverter: opts.dataConverter });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.config.TEMPORAL_NAMESPACE,
    taskQueue: opts.config.TEMPORAL_TASK_QUEUE,
    ...workflowCode(opts.workflowBundle),
    activities: createActivities(opts.clients, temporal),
    dataConverter: opts.dataConverter,
    maxConcurrentActivityTaskExecutions: opts.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: opts.config.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    // Heartbeats reach the server (and a cancellation reaches the activity) within seconds, not the SDK's default 60 s.
    maxHeartbeatThrottleInterval: '5 seconds',
    shutdownGraceTime: '30 seconds',
  });
}

function workflowCode(given: WorkerOptions['workflowBundle']): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  if (given) return { workflowBundle: given };
  if (extname(__filename) !== '.js') return { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } };
  if (!existsSync(PREBUILT_BUNDLE)) throw new Error(`${PREBUILT_BUNDLE} is missing: run \`npm run build\`.`);
  return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
}
