import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { ConfigError } from './load-config';
import { changedFields, desiredSchedule, viewOfDescription, viewOfDesired } from './schedule-diff';
import { resolveSchedules, type ResolvedSchedule, type SchedulesSource } from './schedules-file';

export { inputFilePath, loadSchedulesFile, type SchedulesSource } from './schedules-file';

export const MANAGED_BY = 'identity-workflows';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface ApplyResult {
  id: string;
  workflowType: string;
  outcome: ApplyOutcome;
  /** For `updated`: the managed fields that differ on the server. */
  changes?: string[];
  error?: string;
}

export interface ApplyOptions {
  taskQueue: string;
  /** Compare with the server and report, without writing. */
  dryRun?: boolean;
}

/**
 * Creates each schedule, or updates it when it exists (idempotent: a second apply reports `unchanged`).
 * Every input is validated before the server is touched. A schedule the server refuses is reported
 * `failed` and the others are still applied.
 */
export async function applySchedules(client: Client, source: SchedulesSource, opts: ApplyOptions): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const resolved of resolveSchedules(source)) {
    const base = { id: resolved.config.id, workflowType: resolved.start.workflowType };
    try {
      results.push({ ...base, ...(await applyOne(client, resolved, opts)) });
    } catch (err) {
      results.push({ ...base, outcome: 'failed', error: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}

async function applyOne(client: Client, resolved: ResolvedSchedule, opts: ApplyOptions): Promise<Pick<ApplyResult, 'outcome' | 'changes'>> {
  const scheduleId = resolved.config.id;
  const desired = desiredSchedule(resolved, opts.taskQueue);
  if (!opts.dryRun) {
    try {
      await client.schedule.create({ scheduleId, ...desired, memo: { managedBy: MANAGED_BY } });
      return { outcome: 'created' };
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  const handle = client.schedule.getHandle(scheduleId);
  let current: ScheduleDescription;
  try {
    current = await handle.describe();
  } catch (err) {
    if (opts.dryRun && err instanceof ScheduleNotFoundError) return { outcome: 'created' };
    throw err;
  }
  if (current.memo?.managedBy !== MANAGED_BY) {
    throw new Error(`a schedule with this id exists that ${MANAGED_BY} did not create: delete it or choose another id`);
  }
  const changes = changedFields(viewOfDesired(resolved, desired), viewOfDescription(current));
  if (changes.length === 0) return { outcome: 'unchanged' };
  if (!opts.dryRun) await handle.update((prev) => ({ ...prev, ...desired }));
  return { outcome: 'updated', changes };
}

export interface ScheduleListing {
  id: string;
  workflowType?: string;
  paused: boolean;
  note?: string;
  managed: boolean;
  nextActionTimes: Date[];
  recentActions: { scheduledAt: Date; takenAt: Date; workflowId: string }[];
}

/** Every schedule of the namespace (listing is eventually consistent: a change shows after a moment). */
export async function listSchedules(client: Client): Promise<ScheduleListing[]> {
  const listings: ScheduleListing[] = [];
  for await (const s of client.schedule.list()) {
    listings.push({
      id: s.scheduleId,
      workflowType: s.action?.workflowType,
      paused: s.state.paused,
      note: s.state.note || undefined,
      managed: s.memo?.managedBy === MANAGED_BY,
      nextActionTimes: s.info.nextActionTimes,
      recentActions: s.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt, workflowId: a.action.workflow.workflowId })),
    });
  }
  return listings.sort((a, b) => a.id.localeCompare(b.id));
}

/** Pauses until unpaused, or until the next apply sets `paused` from the file again. */
export function pauseSchedule(client: Client, id: string, note = 'paused with npm run schedules'): Promise<void> {
  return withSchedule(client, id, (handle) => handle.pause(note));
}

export function unpauseSchedule(client: Client, id: string, note = 'unpaused with npm run schedules'): Promise<void> {
  return withSchedule(client, id, (handle) => handle.unpause(note));
}

/** Starts the action now, even when a run the schedule started is still open (a manual trigger is deliberate). */
export function triggerSchedule(client: Client, id: string): Promise<void> {
  return withSchedule(client, id, (handle) => handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
}

export function deleteSchedule(client: Client, id: string): Promise<void> {
  return withSchedule(client, id, (handle) => handle.delete());
}

async function withSchedule(client: Client, id: string, fn: (handle: ScheduleHandle) => Promise<void>): Promise<void> {
  try {
    await fn(client.schedule.getHandle(id));
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new ConfigError(`schedule "${id}" not found in namespace "${client.options.namespace}"`);
    throw err;
  }
}
