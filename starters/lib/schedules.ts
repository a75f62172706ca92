import { isAbsolute, dirname, join } from 'node:path';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { z } from 'zod';
import { durationToMs } from '../../schemas/duration';
import { scheduleSchema, schedulesConfigSchema, schedulesFileSchema, type ScheduleConfig, type SchedulesConfig } from '../../schemas/schedules';
import { ConfigError, loadConfigFile, validateConfig } from './load-config';
import { resolveWorkflowStart, type WorkflowStart } from './workflow-registry';

export const MANAGED_BY = 'identity-workflows';
/** Temporal's catchup window when none is given, to tell "not set" from "changed". */
const SERVER_DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600 * 1000;

/** A schedules config and the file it came from (input files are relative to it). */
export interface SchedulesSource {
  file: string;
  config: SchedulesConfig;
}

interface ResolvedSchedule {
  config: ScheduleConfig;
  start: WorkflowStart;
}

/** Reads and validates a schedules file, inputs included; one error lists every bad schedule. */
export function loadSchedulesFile(file: string): SchedulesSource {
  const raw = loadConfigFile(file, schedulesFileSchema(z.unknown()));
  const errors: string[] = [];
  const schedules: ScheduleConfig[] = [];
  raw.schedules.forEach((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    const label = typeof id === 'string' ? `${file} schedule "${id}"` : `${file} schedules.${i}`;
    collect(errors, () => {
      const schedule = validateConfig(label, item, scheduleSchema);
      schedules.push(schedule);
      resolveSchedule(file, schedule);
    });
  });
  if (errors.length > 0) throw invalidSchedules(file, errors);
  return { file, config: validateConfig(file, { schedules }, schedulesConfigSchema) };
}

function resolveSchedules(source: SchedulesSource): ResolvedSchedule[] {
  const errors: string[] = [];
  const resolved: ResolvedSchedule[] = [];
  for (const config of source.config.schedules) collect(errors, () => resolved.push({ config, start: resolveSchedule(source.file, config) }));
  if (errors.length > 0) throw invalidSchedules(source.file, errors);
  return resolved;
}

function resolveSchedule(file: string, s: ScheduleConfig): WorkflowStart {
  const where = `${file} schedule "${s.id}"`;
  if (s.inputFile === undefined) return resolveWorkflowStart(s.workflow, s.input, `${where} field "workflow"`, `${where} input`);
  const inputPath = inputFilePath(file, s.inputFile);
  let input: unknown;
  try {
    input = loadConfigFile(inputPath, z.unknown());
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(`${where} field "inputFile": ${err.message}`) : err;
  }
  return resolveWorkflowStart(s.workflow, input, `${where} field "workflow"`, `${inputPath} (input of schedule "${s.id}")`);
}

export function inputFilePath(schedulesFile: string, inputFile: string): string {
  return isAbsolute(inputFile) ? inputFile : join(dirname(schedulesFile), inputFile);
}

function collect(errors: string[], fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(err.message);
  }
}

function invalidSchedules(file: string, errors: string[]): ConfigError {
  return new ConfigError(`${file}: ${errors.length} invalid schedule(s), nothing applied:\n${errors.join('\n')}`);
}

type DesiredSchedule = ScheduleUpdateOptions & { state: { paused: boolean; note?: string } };

function desiredSchedule({ config: s, start }: ResolvedSchedule, taskQueue: string): DesiredSchedule {
  return {
    spec: {
      // The comment comes back on the server-compiled calendar: it is how describe() shows which cron it came from.
      cronExpressions: s.cron?.map((cron) => `${cron} # ${cron}`),
      intervals: s.every?.map((every) => ({ every: durationToMs(every) })),
      timezone: s.timezone,
    },
    action: { type: 'startWorkflow', workflowType: start.workflowType, taskQueue, workflowId: start.workflowId, args: start.args },
    policies: {
      overlap: s.overlap,
      catchupWindow: s.catchupWindow === undefined ? undefined : durationToMs(s.catchupWindow),
      pauseOnFailure: s.pauseOnFailure,
    },
    state: { paused: s.paused, note: s.note },
  };
}

/** The fields apply manages, in a form both the config and describe() map to. */
function viewOfDesired({ config: s }: ResolvedSchedule, d: DesiredSchedule): Record<string, unknown> {
  return {
    'spec.cron': s.cron ?? [],
    'spec.every': (s.every ?? []).map((every) => ({ every: durationToMs(every), offset: 0 })),
    'spec.timezone': s.timezone ?? '',
    'spec.other': {},
    'action.workflowType': d.action.workflowType,
    'action.taskQueue': d.action.taskQueue,
    'action.workflowId': d.action.workflowId,
    'action.args': d.action.args,
    'action.other': {},
    'policies.overlap': s.overlap,
    'policies.catchupWindow': s.catchupWindow === undefined ? SERVER_DEFAULT_CATCHUP_WINDOW_MS : durationToMs(s.catchupWindow),
    'policies.pauseOnFailure': s.pauseOnFailure,
    'state.paused': s.paused,
    'state.note': s.note ?? '',
  };
}

function viewOfDescription(d: ScheduleDescription): Record<string, unknown> {
  const { action, spec } = d;
  return {
    'spec.cron': (spec.calendars ?? []).map((c) => c.comment ?? ''),
    'spec.every': (spec.intervals ?? []).map((i) => ({ every: i.every, offset: i.offset ?? 0 })),
    'spec.timezone': spec.timezone ?? '',
    'spec.other': { skip: spec.skip?.length || undefined, startAt: spec.startAt, endAt: spec.endAt, jitter: spec.jitter || undefined },
    'action.workflowType': action.workflowType,
    'action.taskQueue': action.taskQueue,
    'action.workflowId': action.workflowId,
    'action.args': action.args ?? [],
    'action.other': { memo: Object.keys(action.memo ?? {}).length > 0 ? action.memo : undefined, retry: action.retry },
    'policies.overlap': d.policies.overlap,
    'policies.catchupWindow': d.policies.catchupWindow,
    'policies.pauseOnFailure': d.policies.pauseOnFailure,
    'state.paused': d.state.paused,
    'state.note': d.state.note ?? '',
  };
}

/** JSON with sorted keys and undefined dropped, so equal values compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function changedFields(want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  return Object.keys(want).filter((key) => canonicalJson(want[key]) !== canonicalJson(have[key]));
}

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
