/** How a service names "no such resource" and "already exists" (Entity Resolution's names by default). */
export interface ResourceErrors {
  missing(err: unknown): boolean;
  exists(err: unknown): boolean;
}

const byName = (name: string) => (err: unknown) => (err as Error).name === name;
export const entityResolutionErrors: ResourceErrors = { missing: byName('ResourceNotFoundException'), exists: byName('ConflictException') };
export const glueErrors: ResourceErrors = { missing: byName('EntityNotFoundException'), exists: byName('AlreadyExistsException') };

/** The resource, or undefined when the service says it does not exist. */
export async function unlessMissing<T>(call: Promise<T>, errors: ResourceErrors): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (errors.missing(err)) return undefined;
    throw err;
  }
}

/**
 * The existing resource, or the one created now. A creation that finds the resource already there
 * (a concurrent run, or an earlier attempt whose response was lost) reads it back, to be compared like
 * any existing one: retries never create twice.
 */
export async function existingOrCreated<T, C>(get: () => Promise<T>, create: () => Promise<C>, errors: ResourceErrors): Promise<{ existing: T } | { created: C }> {
  const found = await unlessMissing(get(), errors);
  if (found !== undefined) return { existing: found };
  try {
    return { created: await create() };
  } catch (err) {
    if (!errors.exists(err)) throw err;
    return { existing: await get() };
  }
}
