import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What dist/ was built from: the runtime folders' sources, how many, and the latest change among them. */
export interface SourceStamp {
  dirs: string[];
  files: number;
  newestMtimeMs: number;
  newest: string;
}

const SOURCE = /\.(ts|json)$/;

export function sourceStamp(root: string, dirs: string[]): SourceStamp {
  const stamp: SourceStamp = { dirs, files: 0, newestMtimeMs: 0, newest: '' };
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (SOURCE.test(entry.name)) {
        const mtimeMs = statSync(path).mtimeMs;
        stamp.files++;
        if (mtimeMs > stamp.newestMtimeMs) Object.assign(stamp, { newestMtimeMs: mtimeMs, newest: relative(root, path) });
      }
    }
  };
  for (const dir of dirs) visit(join(root, dir));
  return stamp;
}
