import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * Messages between `erJobQueue` (one per Entity Resolution matching workflow) and the runs that queue
 * on it. Shared by the workflows and the activity that signal-with-starts the queue.
 */
export interface JobTurnRequest {
  /** Unique per request (a run asks once per matching workflow it uses). */
  requestId: string;
  workflowId: string;
  runId: string;
}

export interface JobTurnGrant {
  requestId: string;
  erWorkflowName: string;
  /** Jobs started on the ER workflow from this instant on belong to the holder. */
  grantedAt: string;
}

export interface ErJobQueueStatus {
  erWorkflowName: string;
  holder?: JobTurnRequest & { grantedAt: string };
  waiting: JobTurnRequest[];
  served: number;
}

/** To the queue: add me to the queue. */
export const requestTurnSignal = defineSignal<[JobTurnRequest]>('requestTurn');
/** To the queue: my turn is over (or I no longer want it). */
export const releaseTurnSignal = defineSignal<[{ requestId: string }]>('releaseTurn');
/** To a queued run: your turn. */
export const turnGrantedSignal = defineSignal<[JobTurnGrant]>('erJobTurnGranted');
export const queueStatusQuery = defineQuery<ErJobQueueStatus>('status');
