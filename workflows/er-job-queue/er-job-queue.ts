import { condition, continueAsNew, getExternalWorkflowHandle, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { releaseTurnSignal, requestTurnSignal, turnGrantedSignal, queueStatusQuery, type ErJobQueueStatus, type JobTurnRequest } from './er-job-queue-messages';
import { PIPELINES } from '../../schemas/search-attributes';
import { showStage } from '../support/stage-tracking';

export interface ErJobQueueArgs {
  erWorkflowName: string;
  /** How often to check that the holder of the turn is still running (a terminated run never releases it). */
  holderCheckInterval?: string;
  /** How long an empty queue waits for another request before it completes. */
  idleTimeout?: string;
  /** Past this many history events the queue continues as new (default 1,000; a job served adds about 16). */
  maxHistoryEvents?: number;
  carried?: Pick<ErJobQueueStatus, 'holder' | 'waiting' | 'served'>;
}

const MAX_HISTORY_EVENTS = 1_000;
/** Queues started before the bound continue as new only when the server suggests it. */
const BOUNDED_HISTORY_PATCH = 'er-job-queue-bounded-history';

const { isWorkflowRunning } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * One running matching job per Entity Resolution matching workflow (a service quota that cannot be
 * raised): runs that target the same ER workflow take turns here, first come first served, instead of
 * failing on ConflictException. A run signal-with-starts this workflow (id er-job-queue/<ER workflow>),
 * waits for its turn, runs its job, and signals the release. The queue completes once idle, and
 * continues as new past `maxHistoryEvents`, so its history stays small however many jobs it serves.
 */
export async function erJobQueue(args: ErJobQueueArgs): Promise<{ served: number }> {
  const state: ErJobQueueStatus = {
    erWorkflowName: args.erWorkflowName,
    holder: args.carried?.holder,
    waiting: args.carried?.waiting ?? [],
    served: args.carried?.served ?? 0,
  };
  const known = (requestId: string) => state.holder?.requestId === requestId || state.waiting.some((r) => r.requestId === requestId);

  setHandler(queueStatusQuery, () => state);
  // A retried signal-with-start delivers the same request twice: it is queued once.
  setHandler(requestTurnSignal, (request) => {
    if (!known(request.requestId)) state.waiting.push(request);
  });
  setHandler(releaseTurnSignal, ({ requestId }) => {
    if (state.holder?.requestId === requestId) {
      state.holder = undefined;
      state.served += 1;
    } else state.waiting = state.waiting.filter((r) => r.requestId !== requestId);
  });

  const show = () => showStage(PIPELINES.erJobQueue, state.holder ? 'held' : 'idle');
  show();
  for (;;) {
    if (!state.holder) {
      if (state.waiting.length === 0 && !(await condition(() => state.waiting.length > 0, args.idleTimeout ?? '1 minute'))) break;
      await grant(state.waiting.shift()!);
      show();
      continue;
    }
    const holder = state.holder;
    const released = await condition(() => state.holder !== holder, args.holderCheckInterval ?? '15 minutes');
    if (!released && !(await isWorkflowRunning({ workflowId: holder.workflowId, runId: holder.runId }))) {
      // The holder ended without releasing (terminated, or timed out): the turn passes on.
      if (state.holder === holder) state.holder = undefined;
    }
    show();
    if (historyFull()) {
      await continueAsNew<typeof erJobQueue>({ ...args, carried: { holder: state.holder, waiting: state.waiting, served: state.served } });
    }
  }
  return { served: state.served };

  function historyFull(): boolean {
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    return continueAsNewSuggested || (patched(BOUNDED_HISTORY_PATCH) && historyLength >= (args.maxHistoryEvents ?? MAX_HISTORY_EVENTS));
  }

  async function grant(request: JobTurnRequest): Promise<void> {
    const grantedAt = new Date(Date.now()).toISOString();
    state.holder = { ...request, grantedAt };
    try {
      await getExternalWorkflowHandle(request.workflowId, request.runId).signal(turnGrantedSignal, { requestId: request.requestId, erWorkflowName: args.erWorkflowName, grantedAt });
    } catch {
      // The requester has ended (it cannot be signalled): the next one gets the turn.
      state.holder = undefined;
    }
  }
}
