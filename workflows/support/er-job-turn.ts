import { CancellationScope, condition, getExternalWorkflowHandle, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { CONTROL_PLANE } from './activity-options';
import { workflowIds } from '../../schemas/temporal-names';
import { releaseTurnSignal, turnGrantedSignal, type JobTurnGrant } from '../er-job-queue/er-job-queue-messages';

const coordination = proxyActivities<Activities>(CONTROL_PLANE);

export type WithErJobTurn = <T>(erWorkflowName: string, fn: (grant: JobTurnGrant) => Promise<T>) => Promise<T>;

/**
 * Runs `fn` in this run's turn on an Entity Resolution matching workflow (one running job per ER workflow):
 * joins its `erJobQueue`, waits for the grant, and releases the turn when `fn` ends, also when cancelled.
 * Call once per workflow, before its first await: it registers the grant signal's handler.
 */
export function erJobTurns(): WithErJobTurn {
  const grants = new Map<string, JobTurnGrant>();
  setHandler(turnGrantedSignal, (grant) => void grants.set(grant.requestId, grant));

  return async function withErJobTurn<T>(erWorkflowName: string, fn: (grant: JobTurnGrant) => Promise<T>): Promise<T> {
    const requestId = uuid4();
    const { workflowId, runId } = workflowInfo();
    try {
      await coordination.requestErJobTurn({ erWorkflowName, request: { requestId, workflowId, runId } });
      await condition(() => grants.has(requestId));
      return await fn(grants.get(requestId)!);
    } finally {
      // The next run in the queue must not wait on this one.
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(workflowIds.erJobQueue(erWorkflowName))
          .signal(releaseTurnSignal, { requestId })
          .catch(() => undefined),
      );
    }
  };
}
