import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { describeProcess, descendantsOf, isRunning, listProcesses, processById, stopProcesses, type ProcessRecord } from './processes';

const recordSchema = z.object({ pid: z.number().int().positive(), startedAt: z.string(), command: z.string() });
const stackFileSchema = z.object({ owner: recordSchema, children: z.array(recordSchema) });
export type StackFile = z.infer<typeof stackFileSchema>;

/**
 * `npm start` writes the processes it started (the Temporal dev server, moto_server …) to a file
 * under its data directory, so that after an abrupt end (SIGKILL, a closed terminal) the next start
 * — or the reaper watching this process — stops exactly those and nothing else.
 */
export class StackProcessFile {
  constructor(
    readonly path: string,
    private readonly exclude: number[] = [],
  ) {}

  /** Records this process and every process below it (but the excluded ones) as they are now. */
  record(): void {
    const rows = listProcesses();
    const owner = processById(process.pid, rows);
    if (!owner) return;
    const children = descendantsOf(process.pid, rows).filter((p) => !this.exclude.includes(p.pid));
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ owner, children } satisfies StackFile, null, 1)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

export function readStackFile(path: string): StackFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = stackFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class StackStillRunningError extends Error {}

/**
 * Stops what an earlier `npm start` with this data directory left running. Refuses when that
 * `npm start` itself still runs: it is not a leftover, and the message says how to stop it.
 */
export async function stopLeftovers(path: string): Promise<ProcessRecord[]> {
  const earlier = readStackFile(path);
  if (!earlier) {
    rmSync(path, { force: true });
    return [];
  }
  const rows = listProcesses();
  if (earlier.owner.pid !== process.pid && isRunning(earlier.owner, rows)) {
    throw new StackStillRunningError(
      `Another npm start is running with this data directory: ${describeProcess(earlier.owner)}. ` +
        `Stop it (Ctrl-C in its terminal, or kill ${earlier.owner.pid}), or give this one its own IDENTITY_WORKFLOWS_DATA_DIR and ports.`,
    );
  }
  const leftovers = earlier.children.filter((child) => isRunning(child, rows));
  await stopProcesses(leftovers);
  const survivors = leftovers.filter((child) => isRunning(child));
  if (survivors.length > 0) {
    throw new Error(
      `An earlier npm start left ${survivors.map(describeProcess).join(', ')} running and they could not be stopped: ` +
        `stop them with kill -9 ${survivors.map((p) => p.pid).join(' ')}`,
    );
  }
  rmSync(path, { force: true });
  return leftovers;
}
