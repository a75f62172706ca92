import { readFileSync } from 'node:fs';

/** Resident set size of a process on this machine, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

// USER_HZ: 100 on Linux for every architecture Node supports.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Samples a process's RSS every `everyMs` and keeps the highest seen since the last `takePeak`. */
export class PeakRss {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, everyMs = 250) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample(): void {
    try {
      this.peak = Math.max(this.peak, rssMb(this.pid));
    } catch {
      this.stop(); // the process has exited; the bench reports that
    }
  }

  /** The highest RSS since the last call, then starts over from the current one. */
  takePeak(): number {
    this.sample();
    const peak = this.peak;
    this.peak = 0;
    this.sample();
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
