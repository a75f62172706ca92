import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WorkflowCoordinationActivities } from '../activities/workflow-coordination';
import { CONTROL_PLANE } from './support/activity-options';
import type { AmcIdMappingInput } from '../schemas/amc-id-mapping';

const coordination = proxyActivities<WorkflowCoordinationActivities>(CONTROL_PLANE);

/**
 * What a Schedule starts: a Schedule can only start workflows, under ids it stamps with the time, so it
 * cannot reach the one long-lived amcIdMapping run. This tells that run new input may have arrived
 * (signal-with-start: the first tick creates it). The config is the guard's own, checked there.
 */
export async function amcIdMappingInputArrived(input: AmcIdMappingInput): Promise<{ guardWorkflowId: string }> {
  const info = workflowInfo();
  return coordination.notifyAmcIdMapping({ input, notice: { reason: 'schedule', requestId: `${info.workflowId}/${info.runId}`, at: new Date(Date.now()).toISOString() } });
}
