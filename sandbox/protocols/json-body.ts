import { validation } from './errors';

/**
 * A REST-JSON request body as the services read it: empty means no members, anything but a JSON object
 * is refused, a null member is absent (as AWS's deserializers treat it) and a null inside a list is refused.
 */
export function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw validation('Request body is not valid JSON');
  }
  if (!isObject(parsed)) throw validation('Request body must be a JSON object');
  return withoutNulls(parsed, '') as Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function withoutNulls(value: unknown, path: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const at = `${path}.${i + 1}.member`;
      if (item === null) throw validation(`Value null at '${at.slice(1)}' failed to satisfy constraint: Member must not be null`);
      return withoutNulls(item, at);
    });
  }
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== null)
      .map(([key, member]) => [key, withoutNulls(member, `${path}.${key}`)]),
  );
}
