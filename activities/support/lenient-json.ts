/*
 * Readers for answers of HTTP APIs that publish their calls but not every member name: each takes the
 * first of several spellings and ignores the rest of the object.
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first of these members that is a non-empty string (or a number, as a string). */
export function str(o: Json, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** The first of these members that is a finite number (or a string of digits). */
export function num(o: Json, ...names: string[]): number | undefined {
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/** A flag written as a boolean, 0/1 or "true"/"false". */
export function bool(o: Json, name: string): boolean | undefined {
  const v = o[name];
  return typeof v === 'boolean' ? v : v === 1 || v === 'true' ? true : v === 0 || v === 'false' ? false : undefined;
}

/** A time as ISO 8601, from an ISO string or epoch seconds / milliseconds. */
export function time(o: Json, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = o[n];
    const ms = typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return undefined;
}

/** The objects of an array (anything else: none). */
export const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** The first member that is an array, as its objects. */
export function list(o: unknown, ...names: string[]): Json[] {
  if (!isObject(o)) return [];
  for (const n of names) {
    const v = o[n];
    if (Array.isArray(v)) return objects(v);
  }
  return [];
}
