import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { QueryDefinition } from '@temporalio/common';
import type { Workflow } from '@temporalio/common';
import type { StarterContext } from './temporal';
import { workflowUrl } from './ui-links';

export interface RunWorkflowOptions<W extends Workflow, S> {
  ctx: StarterContext;
  workflow: W;
  workflowId: string;
  args: Parameters<W>;
  wait: boolean;
  status?: { query: QueryDefinition<S, [asOf?: string]>; render: (status: S) => string; everyMs?: number };
  out?: (line: string) => void;
}

/**
 * Starts a workflow under its deterministic id (a second start while one runs is refused by Temporal
 * and attaches to the running one instead), prints the UI link, and with `wait` follows the status
 * query until the run ends. Returns the process exit code.
 */
export async function runWorkflow<W extends Workflow, S>(opts: RunWorkflowOptions<W, S>): Promise<number> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const { client, config } = opts.ctx;
  let handle: WorkflowHandle<W>;
  let runId: string;
  try {
    const options = { taskQueue: config.TEMPORAL_TASK_QUEUE, workflowId: opts.workflowId, args: opts.args } as unknown as WorkflowStartOptions<W>; // args are typed by RunWorkflowOptions
    const started = await client.workflow.start(opts.workflow, options);
    handle = started;
    runId = started.firstExecutionRunId;
    out(`Started ${opts.workflow.name} ${opts.workflowId}`);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    handle = client.workflow.getHandle<W>(opts.workflowId);
    runId = (await handle.describe()).runId;
    out(`${opts.workflow.name} ${opts.workflowId} is already running: not starting a second one.`);
  }
  out(`Temporal UI: ${workflowUrl(config.TEMPORAL_UI_URL, config.TEMPORAL_NAMESPACE, opts.workflowId, runId)}`);
  if (!opts.wait) return 0;
  return followToEnd(handle, opts.status, out);
}

export async function followToEnd<W extends Workflow, S>(
  handle: WorkflowHandle<W>,
  status: RunWorkflowOptions<W, S>['status'],
  out: (line: string) => void,
): Promise<number> {
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  if (status) void watchStatus(handle, status, out, () => done);
  try {
    const value = await result;
    out(`Completed. Result:\n${JSON.stringify(value, null, 2)}`);
    return 0;
  } catch (err) {
    out(`Failed: ${failureMessage(err)}`);
    return 1;
  }
}

async function watchStatus<W extends Workflow, S>(
  handle: WorkflowHandle<W>,
  status: NonNullable<RunWorkflowOptions<W, S>['status']>,
  out: (line: string) => void,
  isDone: () => boolean,
): Promise<void> {
  let last = '';
  while (!isDone()) {
    try {
      const line = status.render(await handle.query(status.query, new Date().toISOString()));
      if (line !== last && !isDone()) out(line);
      last = line;
    } catch {
      // No status yet (first workflow task pending) or the run just closed: the next round tells.
    }
    await new Promise((resolve) => setTimeout(resolve, status.everyMs ?? 2000));
  }
}

/** The innermost failure's message and type (the codec has already decrypted it). */
export function failureMessage(err: unknown): string {
  let inner: unknown = err;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  if (inner instanceof ApplicationFailure && inner.type) return `${inner.message} [${inner.type}]`;
  return inner instanceof Error ? inner.message : String(inner);
}
