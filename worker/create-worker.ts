import { extname, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities';
import { DEFAULT_MAX_CACHED_WORKFLOWS, type WorkerConfig } from './config';

/** The worker's `workflowsPath`: `workflows/index` re-exports every workflow (.ts from source, .js from dist/). */
export const WORKFLOWS_PATH = resolve(__dirname, `../workflows/index${extname(__filename)}`);

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: Pick<WorkerConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'WORKER_MAX_CONCURRENT_ACTIVITIES'> &
    Partial<Pick<WorkerConfig, 'WORKER_MAX_CACHED_WORKFLOWS'>>;
  clients: ActivityDeps;
  dataConverter: DataConverter;
  /** Tests hand in a prebuilt bundle; the worker process bundles `workflows/` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  // Activities that signal or describe other executions use the worker's own connection and codec.
  const temporal = new Client({ connection: opts.connection, namespace: opts.config.TEMPORAL_NAMESPACE, dataConverter: opts.dataConverter });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.config.TEMPORAL_NAMESPACE,
    taskQueue: opts.config.TEMPORAL_TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.clients, temporal),
    dataConverter: opts.dataConverter,
    maxConcurrentActivityTaskExecutions: opts.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: opts.config.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    // Heartbeats reach the server (and a cancellation reaches the activity) within seconds, not the SDK's default 60 s.
    maxHeartbeatThrottleInterval: '5 seconds',
    shutdownGraceTime: '30 seconds',
  });
}
