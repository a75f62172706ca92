import { proxyActivities } from '@temporalio/workflow';
import { durationToMs } from '../../schemas/duration';
import { CONTROL_PLANE } from '../support/activity-options';
import { pollSchedule, pollingActivityOptions } from '../support/polling';
import type { Activities } from '../../activities';
import type { AmcMappingJob } from '../../activities/amc-api';
import type { AmcIdMappingConfig } from '../../schemas/amc-id-mapping/amc-id-mapping';
import type { AmcGuardState, AmcStage, GuardSnapshot } from '../../schemas/amc-id-mapping/amc-id-mapping-state';

/** What every step of a run shares: the validated config, the one state object, the stage tracker. */
export interface AmcRun {
  config: AmcIdMappingConfig;
  state: AmcGuardState;
  enter: (stage: AmcStage) => void;
}

export const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);

/** When a pending change may be refreshed: AMC's last job start + minInterval + safetyMargin. */
export function nextEligibleAtMs(run: Pick<AmcRun, 'config' | 'state'>): number | undefined {
  const { state, config } = run;
  if (!state.lastRefreshAt) return undefined;
  return Date.parse(state.lastRefreshAt) + durationToMs(config.refresh.minInterval) + durationToMs(config.refresh.safetyMargin);
}

/** Polls a create or refresh job until it ends (one activity whose retries wait: history O(1) in the job's duration). */
export async function awaitJob(run: AmcRun, tableId: string, job: AmcMappingJob, kind: 'create' | 'refresh'): Promise<AmcMappingJob> {
  const { state, config } = run;
  state.lastJob = { jobId: job.jobId, status: job.status, startedAt: job.startedAt, endedAt: job.endedAt, kind, tableId };
  if (job.status === 'SUCCEEDED') return job;
  run.enter(kind === 'create' ? 'mapping-job' : 'refreshing');
  state.jobPolling = pollSchedule(config.jobPoll, Date.now());
  try {
    const polling = proxyActivities<Activities>(pollingActivityOptions(config.jobPoll, config.jobPoll.timeout));
    const done = await polling.checkAmcMappingJob({ amc: config.amc, tableId, jobId: job.jobId });
    state.lastJob = { jobId: done.jobId, status: done.status, startedAt: done.startedAt, endedAt: done.endedAt, kind, tableId };
    return done;
  } finally {
    state.jobPolling = undefined;
  }
}

/** Saves the guard's recovery copy (`<workPrefix>guard.json`): what a new run reads back when it starts over. */
export async function saveGuardState(run: AmcRun): Promise<void> {
  const { state } = run;
  const snapshot: GuardSnapshot = { lastRefreshAt: state.lastRefreshAt, createdAt: state.tables[0]?.createdAt, current: state.current, previous: state.previous, pending: state.pending };
  await controlPlane.writeGuardState({ workPrefix: run.config.output.workPrefix, state: { ...snapshot } });
}
