import type { ScheduleDescription, ScheduleUpdateOptions } from '@temporalio/client';
import { durationToMs } from '../../schemas/duration';
import type { ResolvedSchedule } from './schedules-file';

/** Temporal's catchup window when none is given, to tell "not set" from "changed". */
const SERVER_DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600 * 1000;

export type DesiredSchedule = ScheduleUpdateOptions & { state: { paused: boolean; note?: string } };

export function desiredSchedule({ config: s, start }: ResolvedSchedule, taskQueue: string): DesiredSchedule {
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
export function viewOfDesired({ config: s }: ResolvedSchedule, d: DesiredSchedule): Record<string, unknown> {
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

export function viewOfDescription(d: ScheduleDescription): Record<string, unknown> {
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

export function changedFields(want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  return Object.keys(want).filter((key) => canonicalJson(want[key]) !== canonicalJson(have[key]));
}
