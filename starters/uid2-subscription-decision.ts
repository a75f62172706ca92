import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { OperatorAction } from '../schemas/operator-action';
import type { OperatorDecision } from '../schemas/uid2-subscription-approval';

/**
 * Sends an operator decision (the `approve` or `cancel` update) and prints what the wait recorded.
 * 0 when recorded; 1 when the wait refused it (invalid, already decided, over) or no wait runs.
 */
export async function sendDecision(
  handle: WorkflowHandle,
  update: UpdateDefinition<OperatorDecision, [OperatorAction]>,
  action: OperatorAction,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  try {
    const decision = await handle.executeUpdate(update, { args: [action] });
    out(`${handle.workflowId}: ${decision.decision} by ${decision.by} (stage ${decision.stage})`);
    return 0;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) err(`${handle.workflowId} refused '${update.name}': ${error.cause?.message ?? error.message}`);
    else if (error instanceof WorkflowNotFoundError) err(`${handle.workflowId}: no wait is running (${error.message})`);
    else throw error;
    return 1;
  }
}
