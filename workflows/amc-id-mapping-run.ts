import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { durationToMs } from '../schemas/duration';
import { CONTROL_PLANE } from './support/activity-options';
import { pollSchedule, pollingActivityOptions } from './support/polling';
import type { AmcActivities, AmcGuardState, AmcIdMappingInput, AmcJobCheck, AmcJobRef, AmcStage } from './amc-id-mapping-ports';

/** What every step of a run shares: the validated config, the one state object, the stage tracker. */
export interface AmcRun {
  config: AmcIdMappingInput;
  state: AmcGuardState;
  enter: (stage: AmcStage) => void;
}

export const controlPlane = proxyActivities<AmcActivities>(CONTROL_PLANE);

/** When a pending change may be refreshed: AMC's last job start + minInterval + safetyMargin. */
export function nextEligibleAtMs(run: Pick<AmcRun, 'config' | 'state'>): number | undefined {
  const { state, config } = run;
  if (!state.lastRefreshAt) return undefined;
  return Date.parse(state.lastRefreshAt) + durationToMs(config.refresh.minInterval) + durationToMs(config.refresh.safetyMargin);
}

/** Polls a create or refresh job until it ends (one activity whose retries wait: history O(1) in the job's duration). */
export async function awaitJob(run: AmcRun, tableId: string, job: AmcJobRef, kind: 'create' | 'refresh'): Promise<AmcJobRef> {
  const { state, config } = run;
  state.lastJob = { ...job, kind, tableId };
  if (job.status === 'SUCCEEDED') return job;
  run.enter(kind === 'create' ? 'mapping-job' : 'refreshing');
  state.jobPolling = pollSchedule(config.jobPoll, Date.now());
  try {
    const polling = proxyActivities<AmcActivities>(pollingActivityOptions(config.jobPoll, config.jobPoll.timeout));
    const done: AmcJobCheck = await polling.checkAmcMappingJob({ amc: config.amc, tableId, jobId: job.jobId });
    state.lastJob = { ...done, kind, tableId };
    return done;
  } finally {
    state.jobPolling = undefined;
  }
}

/** Saves the guard's recovery copy (`<workPrefix>guard.json`): what a new run reads back when it starts over. */
export async function saveGuardState(run: AmcRun): Promise<void> {
  const { state } = run;
  await controlPlane.writeGuardState({
    workPrefix: run.config.output.workPrefix,
    snapshot: { lastRefreshAt: state.lastRefreshAt, createdAt: state.tables[0]?.createdAt, current: state.current, previous: state.previous, pending: state.pending },
  });
}

/** Whether `err` is an activity failure whose cause is an ApplicationFailure of `type`. */
export function isFailureOfType(err: unknown, type: string): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === type;
}
