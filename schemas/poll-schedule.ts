import { z } from 'zod';
import { durationSchema } from './duration';

/** The fields of a poll config (a retry schedule: first wait, longest wait, growth factor), with a workflow's defaults. */
export function pollIntervalsShape(defaults: { initialInterval: string; maximumInterval: string; backoffCoefficient: number }) {
  return {
    initialInterval: durationSchema.default(defaults.initialInterval),
    maximumInterval: durationSchema.default(defaults.maximumInterval),
    backoffCoefficient: z.number().min(1).max(10).default(defaults.backoffCoefficient),
  };
}

/** A poll config as validated: first wait, longest wait, growth factor. */
export type PollIntervals = { [K in keyof ReturnType<typeof pollIntervalsShape>]: z.output<ReturnType<typeof pollIntervalsShape>[K]> };

/**
 * The retry schedule of an infrequently polled activity (one attempt per check, the retry policy
 * waits in between). The workflow cannot see attempts while they happen without adding history,
 * so progress is derived from this schedule: check n starts at
 * since + sum(min(initial * coefficient^(k-1), maximum)) for k < n (execution time neglected).
 */
export const pollScheduleSchema = z.object({
  since: z.string().datetime(),
  initialIntervalMs: z.number().positive(),
  backoffCoefficient: z.number().min(1),
  maximumIntervalMs: z.number().positive(),
});
export type PollSchedule = z.infer<typeof pollScheduleSchema>;

export interface PollProgress {
  /** Checks that have started by `at`. */
  checks: number;
  lastCheckAt: string;
  nextCheckAt: string;
}

const MAX_GEOMETRIC_STEPS = 1000;

export function pollProgressAt(schedule: PollSchedule, atMs: number): PollProgress {
  const start = Date.parse(schedule.since);
  let checks = 1;
  let lastAt = start;
  let interval = Math.min(schedule.initialIntervalMs, schedule.maximumIntervalMs);
  // Growing phase: a handful of steps until the interval reaches its maximum.
  for (let step = 0; step < MAX_GEOMETRIC_STEPS && interval < schedule.maximumIntervalMs; step++) {
    if (lastAt + interval > atMs) return progress(checks, lastAt, lastAt + interval);
    lastAt += interval;
    checks += 1;
    interval = Math.min(interval * schedule.backoffCoefficient, schedule.maximumIntervalMs);
  }
  // Flat phase, in closed form so a long wait with a short interval costs nothing.
  const more = Math.max(0, Math.floor((atMs - lastAt) / interval));
  lastAt += more * interval;
  checks += more;
  return progress(checks, lastAt, lastAt + interval);
}

function progress(checks: number, lastAtMs: number, nextAtMs: number): PollProgress {
  return { checks, lastCheckAt: new Date(lastAtMs).toISOString(), nextCheckAt: new Date(nextAtMs).toISOString() };
}

/** When check `n` (1-based) is due by the schedule. */
export function scheduledCheckAt(schedule: PollSchedule, n: number): number {
  let at = Date.parse(schedule.since);
  let interval = Math.min(schedule.initialIntervalMs, schedule.maximumIntervalMs);
  let check = 1;
  for (; check < n && interval < schedule.maximumIntervalMs; check++) {
    at += interval;
    interval = Math.min(interval * schedule.backoffCoefficient, schedule.maximumIntervalMs);
  }
  return at + (n - check) * interval;
}

/** How far behind the schedule a check may start before the round is re-anchored (execution times add up): 10 s, less for short intervals. */
export function latenessToleranceMs(schedule: PollSchedule): number {
  return Math.min(10_000, schedule.initialIntervalMs / 4);
}

/**
 * Whether check `n`, starting at `startedMs`, is later than the schedule says by more than the
 * tolerance: a lost attempt (worker killed, start-to-close timeout) or a worker that was down
 * delays it and every later check, so counting by the schedule would count checks not yet made.
 */
export function behindSchedule(schedule: PollSchedule, n: number, startedMs: number): boolean {
  return startedMs - scheduledCheckAt(schedule, n) > latenessToleranceMs(schedule);
}
