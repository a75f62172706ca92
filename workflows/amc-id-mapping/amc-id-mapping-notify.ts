import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { CONTROL_PLANE } from '../support/activity-options';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import { workflowIds } from '../../schemas/temporal-names';

/** A tick's status: which guard it tells, and whether it has. Ids only. */
export interface AmcIdMappingInputArrivedStatus {
  stage: 'notifying' | 'notified' | 'failed';
  /** Absent while the config is invalid (the notice then fails naming its fields). */
  guardWorkflowId?: string;
  requestId: string;
  nextAction: string;
}
export const amcIdMappingInputArrivedStatusQuery = defineQuery<AmcIdMappingInputArrivedStatus>('status');

const coordination = proxyActivities<WorkflowCoordinationActivities>(CONTROL_PLANE);

/**
 * What a Schedule starts: a Schedule can only start workflows, under ids it stamps with the time, so it
 * cannot reach the one long-lived amcIdMapping run. This tells that run new input may have arrived
 * (signal-with-start: the first tick creates it). The config is the guard's own, checked there.
 */
export async function amcIdMappingInputArrived(input: AmcIdMappingInput): Promise<{ guardWorkflowId: string }> {
  const info = workflowInfo();
  const requestId = `${info.workflowId}/${info.runId}`;
  const parsed = amcIdMappingInputSchema.safeParse(input);
  const guardWorkflowId = parsed.success ? workflowIds.amcIdMapping(parsed.data.amc.instanceId, amcTableName(parsed.data)) : undefined;
  let stage: AmcIdMappingInputArrivedStatus['stage'] = 'notifying';
  setHandler(amcIdMappingInputArrivedStatusQuery, () => ({
    stage,
    guardWorkflowId,
    requestId,
    nextAction: {
      notifying: `Telling ${guardWorkflowId ?? 'the guard'} that input may have arrived (it starts the guard when none runs).`,
      notified: `Nothing: ${guardWorkflowId} looks at the input next; its own status shows what it finds.`,
      failed: 'Read the failure in the Temporal UI, fix the schedule’s config, and let the next tick notify.',
    }[stage],
  }));
  try {
    const notified = await coordination.notifyAmcIdMapping({ input, notice: { reason: 'schedule', requestId, at: new Date(Date.now()).toISOString() } });
    stage = 'notified';
    return notified;
  } catch (err) {
    stage = 'failed';
    throw err;
  }
}
