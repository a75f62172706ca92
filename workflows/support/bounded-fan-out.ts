import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs the tasks with at most `limit` at once, results in task order. On the first failure the running ones are
 * cancelled and waited for, no more start, and the failure is thrown.
 */
export async function allLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const scope = new CancellationScope();
  return scope.run(async () => {
    const results = new Array<T>(tasks.length);
    let next = 0;
    let failed = false;
    const lane = async () => {
      while (!failed && next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    };
    const lanes = Array.from({ length: Math.min(limit, tasks.length) }, lane);
    try {
      await Promise.all(lanes);
      return results;
    } catch (error) {
      failed = true;
      scope.cancel();
      await Promise.allSettled(lanes);
      throw error;
    }
  });
}
