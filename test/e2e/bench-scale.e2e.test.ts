import { describe, expect, it } from 'vitest';
import { runTsxScript } from '../helpers/run-script';

/**
 * `npm run bench:scale`, small: its own stack, open waits and a matching run on one compiled worker,
 * then the drain. Keeps the benchmark from rotting; docs/benchmarks.md has its figures at 1,000 and 10,000.
 */
describe('npm run bench:scale (small)', () => {
  it('holds the waits open on one worker, times the starter, and drains every run to completion', { timeout: 6 * 60_000 }, async () => {
    const { code, output, lastLine: last } = await runTsxScript('bench/scale/index.ts', ['--runs', '12', '--matching', '1', '--starters', '2', '--cache', '4']);
    expect(last.startsWith('{'), output).toBe(true);
    const figures = JSON.parse(last) as Record<string, number>;
    expect(figures, output).toMatchObject({ open_runs: 12, matching_runs: 1, worker_cache: 4 });
    expect(figures.worker_rss_mb).toBeGreaterThanOrEqual(figures.worker_idle_rss_mb!);
    expect(figures.starter_ms).toBeGreaterThan(0);
    expect(figures.drain_s).toBeGreaterThan(0);
    // A wait evicted from a cache of 4 replays a short history: it never grew with the checks made.
    expect(figures.max_history_events).toBeLessThan(60);
    expect(code).toBe(0);
  });
});
