import type { EnsuredResource, FieldDrift } from '../../schemas/ensured-resource';
import { diffResource } from './resource-drift';

/** How a service names "no such resource" and "already exists" (Entity Resolution's names by default). */
export interface ResourceErrors {
  missing(err: unknown): boolean;
  exists(err: unknown): boolean;
}

const byName = (name: string) => (err: unknown) => (err as Error).name === name;
export const entityResolutionErrors: ResourceErrors = { missing: byName('ResourceNotFoundException'), exists: byName('ConflictException') };
export const glueErrors: ResourceErrors = { missing: byName('EntityNotFoundException'), exists: byName('AlreadyExistsException') };
export const cleanRoomsErrors: ResourceErrors = { missing: byName('ResourceNotFoundException'), exists: byName('ConflictException') };

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

type Compared = Parameters<typeof diffResource>[0];

/**
 * Ensures a resource: created when missing; when present, compared field by field (`current` and
 * `wanted` in one canonical shape) and updated when it differs, unless `refuseUpdate` throws first
 * (a resource the service cannot change, or a config that asks to fail on drift).
 */
export async function ensureResource<T, C>(spec: {
  name: string;
  errors: ResourceErrors;
  get: () => Promise<T>;
  create: () => Promise<C>;
  update: () => Promise<unknown>;
  arn: (found: { existing: T } | { created: C }) => string;
  current: (existing: T) => Compared;
  wanted: Compared;
  refuseUpdate?: (existing: T, drift: FieldDrift[]) => void;
}): Promise<EnsuredResource> {
  const found = await existingOrCreated(spec.get, spec.create, spec.errors);
  const arn = spec.arn(found);
  if ('created' in found) return { name: spec.name, arn, action: 'created', drift: [] };
  const drift = diffResource(spec.current(found.existing), spec.wanted);
  if (drift.length === 0) return { name: spec.name, arn, action: 'unchanged', drift };
  spec.refuseUpdate?.(found.existing, drift);
  await spec.update();
  return { name: spec.name, arn, action: 'updated', drift };
}
