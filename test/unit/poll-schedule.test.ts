import { describe, expect, it } from 'vitest';
import { behindSchedule, latenessToleranceMs, pollProgressAt, scheduledCheckAt, type PollSchedule } from '../../schemas/poll-schedule';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const since = '2025-03-01T08:00:00.000Z';
const t0 = Date.parse(since);
const iso = (ms: number) => new Date(ms).toISOString();

function schedule(initialIntervalMs: number, backoffCoefficient: number, maximumIntervalMs: number): PollSchedule {
  return { since, initialIntervalMs, backoffCoefficient, maximumIntervalMs };
}

/** The definition, step by step: check n+1 starts one (capped, growing) interval after check n. */
function bruteForce(s: PollSchedule, atMs: number) {
  let checks = 1;
  let last = Date.parse(s.since);
  let interval = Math.min(s.initialIntervalMs, s.maximumIntervalMs);
  while (last + interval <= atMs) {
    last += interval;
    checks += 1;
    interval = Math.min(interval * s.backoffCoefficient, s.maximumIntervalMs);
  }
  return { checks, lastCheckAt: iso(last), nextCheckAt: iso(last + interval) };
}

describe('pollProgressAt', () => {
  it('counts the first check at `since`, with the next one initialInterval later', () => {
    expect(pollProgressAt(schedule(10 * MINUTE, 2, HOUR), t0)).toEqual({ checks: 1, lastCheckAt: since, nextCheckAt: iso(t0 + 10 * MINUTE) });
  });

  // initial 10 min, coefficient 2, max 1 h: intervals 10, 20, 40, 60, 60… so checks at 0, 10, 30, 70, 130, 190… min.
  it.each([
    [9.999, 1, 0, 10],
    [10, 2, 10, 30],
    [29, 2, 10, 30],
    [30, 3, 30, 70],
    [69.5, 3, 30, 70],
    [70, 4, 70, 130],
    [130, 5, 130, 190],
    [189, 5, 130, 190],
    [190, 6, 190, 250],
    [251, 7, 250, 310],
  ])('exponential phase: at +%s min → %s checks, last +%s, next +%s', (atMin, checks, lastMin, nextMin) => {
    expect(pollProgressAt(schedule(10 * MINUTE, 2, HOUR), t0 + atMin * MINUTE)).toEqual({
      checks,
      lastCheckAt: iso(t0 + lastMin * MINUTE),
      nextCheckAt: iso(t0 + nextMin * MINUTE),
    });
  });

  it('flat phase: 45 days of hourly checks in closed form match step-by-step iteration', () => {
    const s = schedule(10 * MINUTE, 2, HOUR);
    const at = t0 + 45 * DAY;
    const expected = bruteForce(s, at);
    // 4 checks in the growing phase (0, 10, 30, 70 min), then one an hour from 70 min: floor((45 d - 70 min) / 1 h) more.
    expect(expected.checks).toBe(4 + Math.floor((45 * DAY - 70 * MINUTE) / HOUR));
    expect(pollProgressAt(s, at)).toEqual(expected);
  });

  it.each([
    ['10 min ×1.5 up to 1 h (the default poll)', schedule(10 * MINUTE, 1.5, HOUR)],
    ['1 min ×2 up to 1 h', schedule(MINUTE, 2, HOUR)],
    ['7 min ×1.3 up to 2 h', schedule(7 * MINUTE, 1.3, 2 * HOUR)],
  ])('agrees with step-by-step iteration at many instants: %s', (_label, s) => {
    for (const at of [0, 1, 59 * MINUTE, 3 * HOUR + 17 * MINUTE, 2 * DAY + 5, 13 * DAY + 11 * HOUR, 45 * DAY]) {
      expect(pollProgressAt(s, t0 + at), `at +${at} ms`).toEqual(bruteForce(s, t0 + at));
    }
  });

  it('lands exactly on check instants in the flat phase', () => {
    const s = schedule(10 * MINUTE, 2, HOUR);
    const tenthHourly = t0 + 70 * MINUTE + 10 * HOUR;
    expect(pollProgressAt(s, tenthHourly)).toEqual({ checks: 14, lastCheckAt: iso(tenthHourly), nextCheckAt: iso(tenthHourly + HOUR) });
    expect(pollProgressAt(s, tenthHourly - 1).checks).toBe(13);
  });

  it('coefficient 1: a fixed interval for the whole wait', () => {
    const s = schedule(10 * MINUTE, 1, HOUR);
    expect(pollProgressAt(s, t0 + 25 * MINUTE)).toEqual({ checks: 3, lastCheckAt: iso(t0 + 20 * MINUTE), nextCheckAt: iso(t0 + 30 * MINUTE) });
    const at = t0 + 45 * DAY;
    expect(pollProgressAt(s, at)).toEqual({ checks: 1 + (45 * DAY) / (10 * MINUTE), lastCheckAt: iso(at), nextCheckAt: iso(at + 10 * MINUTE) });
    expect(pollProgressAt(s, at)).toEqual(bruteForce(s, at));
  });

  it('coefficient 1 with the initial interval at the maximum', () => {
    const s = schedule(HOUR, 1, HOUR);
    expect(pollProgressAt(s, t0 + 45 * DAY + 30 * MINUTE)).toEqual(bruteForce(s, t0 + 45 * DAY + 30 * MINUTE));
    expect(pollProgressAt(s, t0 + 45 * DAY + 30 * MINUTE).checks).toBe(1 + 45 * 24);
  });

  it('caps an initial interval above the maximum', () => {
    const s = schedule(2 * HOUR, 2, HOUR);
    expect(pollProgressAt(s, t0 + 150 * MINUTE)).toEqual({ checks: 3, lastCheckAt: iso(t0 + 2 * HOUR), nextCheckAt: iso(t0 + 3 * HOUR) });
  });
});

describe('scheduledCheckAt and behindSchedule', () => {
  it('puts check n where pollProgressAt counts it, through the growing and the flat phase', () => {
    const s = schedule(10 * MINUTE, 1.5, HOUR);
    for (let n = 1; n <= 40; n++) {
      const at = scheduledCheckAt(s, n);
      expect(pollProgressAt(s, at).checks).toBe(n);
      expect(pollProgressAt(s, at - 1).checks).toBe(n - 1 || 1);
    }
  });

  it('calls a check behind only past the tolerance: 10 s, a quarter of the initial interval when that is shorter', () => {
    const s = schedule(HOUR, 1, HOUR);
    expect(latenessToleranceMs(s)).toBe(10_000);
    expect(latenessToleranceMs(schedule(3000, 1, 3000))).toBe(750);
    expect(behindSchedule(s, 3, t0 + 2 * HOUR + 10_000)).toBe(false);
    expect(behindSchedule(s, 3, t0 + 2 * HOUR + 2 * MINUTE)).toBe(true);
    expect(behindSchedule(s, 3, t0 + HOUR)).toBe(false);
  });
});
