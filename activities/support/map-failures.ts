export type AsyncFn = (...args: never[]) => Promise<unknown>;

/** Every activity of a factory with what it throws replaced by `toFailure(err, activityName, args)`: one classifier per API. */
export function mapActivityFailures<T extends Record<string, AsyncFn>>(activities: T, toFailure: (err: unknown, name: string, args: never[]) => unknown): T {
  const wrapped: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toFailure(err, name, args);
      }
    };
  }
  return wrapped as T;
}
