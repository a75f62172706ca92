import type { FieldDrift } from '../../schemas/ensured-resource';

type Plain = string | number | boolean | null | undefined | Plain[] | { [key: string]: Plain };

/** `{a: {b: [1]}}` → `{'a.b[0]': '1'}`; undefined and null leaves are left out, so an absent optional field equals an unset one. */
function flatten(value: Plain, path: string, into: Map<string, string>): Map<string, string> {
  if (value === undefined || value === null) return into;
  if (Array.isArray(value)) value.forEach((item, i) => flatten(item, `${path}[${i}]`, into));
  else if (typeof value === 'object') for (const [key, item] of Object.entries(value)) flatten(item, path ? `${path}.${key}` : key, into);
  else into.set(path, String(value));
  return into;
}

/**
 * Field-by-field differences between a resource as AWS describes it and as the config wants it. Both
 * sides must be projected to the same canonical shape first (defaults filled in, lists sorted).
 */
export function diffResource(current: Plain, wanted: Plain): FieldDrift[] {
  const have = flatten(current, '', new Map());
  const want = flatten(wanted, '', new Map());
  const fields = [...new Set([...have.keys(), ...want.keys()])].sort();
  return fields
    .filter((field) => have.get(field) !== want.get(field))
    .map((field) => ({ field, current: have.get(field) ?? '(absent)', wanted: want.get(field) ?? '(absent)' }));
}

export function describeDrift(drift: FieldDrift[]): string {
  return drift.map((d) => `${d.field}: ${d.current} → ${d.wanted}`).join('; ');
}
