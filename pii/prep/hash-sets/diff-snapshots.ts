import type { S3Client } from '@aws-sdk/client-s3';
import type { SetOfType } from './build-snapshot';
import { linesOfAll } from './stored-objects';
import { SortedFileWriter, type HashFile } from './sorted-files';

export interface SetDiff {
  additions: HashFile[];
  removals: HashFile[];
  added: number;
  removed: number;
  kept: number;
}

/**
 * What changed from one snapshot to the next, per set: values only in the current one (`additions`) and only in the
 * previous one (`removals`), written as capped sorted files under `<prefix>additions/<set>/` and `<prefix>removals/<set>/`.
 * One streaming merge-join of the two sorted file sequences per set (as `diffFingerprints` compares generations), so the
 * files of either side may be cut anywhere.
 */
export async function diffSnapshots(opts: {
  previous: Record<string, SetOfType>;
  current: Record<string, SetOfType>;
  prefix: string;
  maxFileBytes: number;
  s3?: S3Client;
  onProgress?: () => void;
}): Promise<Record<string, SetDiff>> {
  const result: Record<string, SetDiff> = {};
  for (const set of [...new Set([...Object.keys(opts.previous), ...Object.keys(opts.current)])].sort()) {
    const folder = set.toLowerCase();
    const additions = new SortedFileWriter(`${opts.prefix}additions/${folder}/`, opts.maxFileBytes, opts.s3);
    const removals = new SortedFileWriter(`${opts.prefix}removals/${folder}/`, opts.maxFileBytes, opts.s3);
    const before = linesOfAll(opts.previous[set]?.files.map((f) => f.uri) ?? [], opts.s3);
    const after = linesOfAll(opts.current[set]?.files.map((f) => f.uri) ?? [], opts.s3);
    let kept = 0;
    let steps = 0;
    try {
      let a = await before.next();
      let b = await after.next();
      while (!a.done || !b.done) {
        const order = a.done ? 1 : b.done ? -1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
        if (order < 0) {
          await removals.add(a.value as string);
          a = await before.next();
        } else if (order > 0) {
          await additions.add(b.value as string);
          b = await after.next();
        } else {
          kept++;
          a = await before.next();
          b = await after.next();
        }
        if ((++steps & 0xffff) === 0) opts.onProgress?.();
      }
      const added = await additions.finish();
      const removed = await removals.finish();
      result[set] = { additions: added, removals: removed, added: additions.total, removed: removals.total, kept };
    } catch (error) {
      await Promise.all([additions.abort(), removals.abort()]);
      throw error;
    }
  }
  return result;
}
