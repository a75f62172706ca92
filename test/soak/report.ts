import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { Uid2MatchingResult } from '../../schemas/uid2-matching/uid2-matching';
import type { RunSpec } from './workload';

export interface RunOutcome {
  spec: RunSpec;
  /** `expected-failure`: failed with the reason the soak injected on purpose (a job the sandbox failed). */
  status: 'running' | 'completed' | 'expected-failure' | 'failed' | 'unfinished';
  reason?: string;
  result?: PrepSummary | Uid2MatchingResult;
  startedAt: number;
  endedAt?: number;
  rowsLost?: number;
  extraRows?: number;
  unlisted?: number;
  corrupt?: number;
}

export interface SoakFigures {
  outcomes: RunOutcome[];
  kills: Record<string, number>;
  duplicates: number;
  rowsLost: number;
  piiHits: { histories: number; logs: number; scanned: number };
  minutes: number;
  seed: number;
}

const pad = (value: string | number, width: number) => String(value).padEnd(width);

/** A table per kind of run, the failures with their reasons, then one JSON line (the last line printed). */
export function printReport(f: SoakFigures): { ok: boolean } {
  const kinds = [...new Set(f.outcomes.map((o) => o.spec.kind))];
  const lines = ['', `${pad('kind', 12)}${pad('runs', 6)}${pad('completed', 11)}${pad('injected', 10)}${pad('failed', 8)}${pad('unfinished', 12)}${pad('median s', 10)}rows lost`];
  for (const kind of kinds) {
    const runs = f.outcomes.filter((o) => o.spec.kind === kind);
    const count = (status: RunOutcome['status']) => runs.filter((o) => o.status === status).length;
    const seconds = runs.filter((o) => o.endedAt).map((o) => (o.endedAt! - o.startedAt) / 1000).sort((a, b) => a - b);
    const median = seconds.length > 0 ? seconds[Math.floor(seconds.length / 2)]!.toFixed(0) : '-';
    const lost = runs.reduce((total, o) => total + (o.rowsLost ?? 0), 0);
    lines.push(`${pad(kind, 12)}${pad(runs.length, 6)}${pad(count('completed'), 11)}${pad(count('expected-failure'), 10)}${pad(count('failed'), 8)}${pad(count('unfinished'), 12)}${pad(median, 10)}${lost}`);
  }
  lines.push('', `kills: ${Object.entries(f.kills).map(([k, n]) => `${k} ${n}`).join(', ')}; duplicates ${f.duplicates}; rows lost ${f.rowsLost}; PII hits ${f.piiHits.histories} in ${f.piiHits.scanned} histories, ${f.piiHits.logs} in logs`);
  for (const o of f.outcomes.filter((x) => x.status === 'failed' || x.status === 'unfinished' || x.corrupt || x.unlisted || x.extraRows || x.rowsLost)) {
    lines.push(`  ${o.spec.label} ${o.spec.workflowId} ${o.status}: ${o.reason ?? ''} lost ${o.rowsLost ?? 0}, extra ${o.extraRows ?? 0}, unlisted ${o.unlisted ?? 0}, corrupt ${o.corrupt ?? 0}`);
  }
  const completed = f.outcomes.filter((o) => o.status === 'completed' || o.status === 'expected-failure').length;
  const failed = f.outcomes.length - completed;
  const corrupt = f.outcomes.reduce((total, o) => total + (o.corrupt ?? 0), 0);
  const summary = {
    runs: f.outcomes.length,
    completed,
    failed,
    expected_failures: f.outcomes.filter((o) => o.status === 'expected-failure').length,
    duplicates: f.duplicates,
    rows_lost: f.rowsLost,
    corrupt_objects: corrupt,
    pii_hits: f.piiHits.histories + f.piiHits.logs,
    kills: Object.values(f.kills).reduce((a, b) => a + b, 0),
    kills_by_component: f.kills,
    histories_scanned: f.piiHits.scanned,
    minutes: f.minutes,
    seed: f.seed,
  };
  console.log(lines.join('\n'));
  console.log(JSON.stringify(summary));
  return { ok: failed === 0 && f.duplicates === 0 && f.rowsLost === 0 && corrupt === 0 && summary.pii_hits === 0 };
}
