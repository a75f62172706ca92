import { spawnSync } from 'node:child_process';

/** A process as `ps` shows it: pid, start time and command line together tell it from a later process given the same pid. */
export interface ProcessRecord {
  pid: number;
  startedAt: string;
  command: string;
}

interface ProcessRow extends ProcessRecord {
  ppid: number;
}

// pid, ppid, the five words of lstart ("Sun Dec  6 16:31:17 2026"), then the command line.
const ROW = /^\s*(\d+)\s+(\d+)\s+(\S+\s+\S+\s+\d+\s+\S+\s+\d+)\s+(.*)$/;

/** Every process of this machine but `ps` itself, or none where `ps` is not available. */
export function listProcesses(): ProcessRow[] {
  const ps = spawnSync('ps', ['-A', '-ww', '-o', 'pid=,ppid=,lstart=,args='], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (ps.status !== 0) return [];
  return ps.stdout.split('\n').flatMap((line) => {
    const m = ROW.exec(line);
    // ps lists itself, as a child of this process.
    return m && Number(m[1]) !== ps.pid ? [{ pid: Number(m[1]), ppid: Number(m[2]), startedAt: m[3]!.replace(/\s+/g, ' '), command: m[4]!.trim() }] : [];
  });
}

export function processById(pid: number, rows = listProcesses()): ProcessRecord | undefined {
  const row = rows.find((r) => r.pid === pid);
  return row && { pid: row.pid, startedAt: row.startedAt, command: row.command };
}

/** Children, grandchildren … of `pid`. */
export function descendantsOf(pid: number, rows = listProcesses()): ProcessRecord[] {
  const found: ProcessRecord[] = [];
  const parents = [pid];
  while (parents.length > 0) {
    const parent = parents.pop()!;
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, startedAt: row.startedAt, command: row.command });
      parents.push(row.pid);
    }
  }
  return found;
}

/** Whether the recorded process still runs: same pid, same start time, same command. */
export function isRunning(record: ProcessRecord, rows = listProcesses()): boolean {
  const now = processById(record.pid, rows);
  return now !== undefined && now.startedAt === record.startedAt && now.command === record.command;
}

/** SIGTERM, then SIGKILL for those still running after `graceMs`; touches only processes that are still the recorded ones. */
export async function stopProcesses(records: ProcessRecord[], graceMs = 10_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    const rows = listProcesses();
    const alive = records.filter((r) => isRunning(r, rows));
    for (const r of alive) {
      try {
        process.kill(r.pid, name);
      } catch {
        // exited in between
      }
    }
    return alive.length;
  };
  if (signal('SIGTERM') === 0) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!records.some((r) => isRunning(r))) return;
  }
  signal('SIGKILL');
}

export function describeProcess(record: ProcessRecord): string {
  const command = record.command.length > 120 ? `${record.command.slice(0, 117)}...` : record.command;
  return `pid ${record.pid} (${command})`;
}
