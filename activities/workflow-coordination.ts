import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIds } from '../schemas/temporal-names';
import type { amcIdMapping } from '../workflows/amc-id-mapping/amc-id-mapping';
import { dataChangedSignal, type InputNotice } from '../workflows/amc-id-mapping/amc-id-mapping-messages';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../schemas/amc-id-mapping/amc-id-mapping-resources';
import { requestTurnSignal, type JobTurnRequest } from '../workflows/er-job-queue/er-job-queue-messages';
import type { erJobQueue } from '../workflows/er-job-queue/er-job-queue';
import { invalidInput } from '../workflows/support/invalid-input';

export interface WorkflowCoordinationDeps {
  /** A client of the worker's own namespace, with its data converter. */
  temporal: Client;
}

/** Activities that talk to other workflow executions: the only way a workflow can signal-with-start one or ask whether one still runs. */
export function createWorkflowCoordinationActivities({ temporal }: WorkflowCoordinationDeps) {
  /** Joins the queue of an Entity Resolution matching workflow, starting the queue when none runs. Idempotent per requestId. */
  async function requestErJobTurn(input: { erWorkflowName: string; request: JobTurnRequest }): Promise<{ queueWorkflowId: string }> {
    const queueWorkflowId = workflowIds.erJobQueue(input.erWorkflowName);
    await temporal.workflow.signalWithStart<typeof erJobQueue, [JobTurnRequest]>('erJobQueue', {
      workflowId: queueWorkflowId,
      taskQueue: Context.current().info.taskQueue,
      args: [{ erWorkflowName: input.erWorkflowName }],
      signal: requestTurnSignal,
      signalArgs: [input.request],
    });
    return { queueWorkflowId };
  }

  /** Whether a workflow execution is still open. */
  async function isWorkflowRunning(input: { workflowId: string; runId?: string }): Promise<boolean> {
    try {
      const description = await temporal.workflow.getHandle(input.workflowId, input.runId).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Tells the AMC table's guard that input may have arrived, starting the guard when none runs (its first start creates the table). */
  async function notifyAmcIdMapping(input: { input: AmcIdMappingInput; notice: InputNotice }): Promise<{ guardWorkflowId: string }> {
    const parsed = amcIdMappingInputSchema.safeParse(input.input);
    if (!parsed.success) throw invalidInput('amcIdMapping', parsed.error);
    const guardWorkflowId = workflowIds.amcIdMapping(parsed.data.amc.instanceId, amcTableName(parsed.data));
    await temporal.workflow.signalWithStart<typeof amcIdMapping, [InputNotice]>('amcIdMapping', {
      workflowId: guardWorkflowId,
      taskQueue: Context.current().info.taskQueue,
      args: [{ input: input.input }],
      signal: dataChangedSignal,
      signalArgs: [input.notice],
    });
    return { guardWorkflowId };
  }

  return { requestErJobTurn, isWorkflowRunning, notifyAmcIdMapping };
}

export type WorkflowCoordinationActivities = ReturnType<typeof createWorkflowCoordinationActivities>;
