import { defineSearchAttributeKey } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { adminAuthHeaders } from '../../sandbox/admin/admin-guard';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_SDK_TYPE } from '../../schemas/search-attributes';
import { temporalCliPath } from '../../toolchain/paths';
import { createAwsClients, destroyAwsClients } from '../../worker/aws-clients';
import { createWorker } from '../../worker/create-worker';

/** A dev server, the sandbox and AWS clients pointed at it, for recording a workflow with the production worker. */
export interface RecordingStack {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  aws: ActivityDeps;
  /** A call of the sandbox's admin API; its JSON answer. */
  admin: (method: string, path: string, body: unknown) => Promise<unknown>;
  /** The production worker on `taskQueue`, running the given bundle. */
  worker: (taskQueue: string) => Promise<Worker>;
}

export async function withRecordingStack<T>(workflowBundle: { code: string }, record: (stack: RecordingStack) => Promise<T>): Promise<T> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES).map((a) => defineSearchAttributeKey(a.name, SEARCH_ATTRIBUTE_SDK_TYPE[a.type])),
    },
  });
  const sandbox = await startSandbox({ port: 0 });
  process.env.AWS_ENDPOINT_URL = sandbox.url;
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  const aws = createAwsClients({ AWS_REGION: 'us-east-1' });
  const admin = async (method: string, path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: { ...adminAuthHeaders(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const worker = (taskQueue: string) =>
    createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 8 },
      clients: aws,
      dataConverter: {},
      workflowBundle,
    });
  try {
    return await record({ env, sandbox, aws, admin, worker });
  } finally {
    destroyAwsClients(aws);
    await sandbox.close();
    await env.teardown();
  }
}
