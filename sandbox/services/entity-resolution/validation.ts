import { validation } from '../../protocols/errors';

/** ValidationException messages in the service's own style ("1 validation error detected: …"). */
export function invalid(detail: string): never {
  throw validation(`1 validation error detected: ${detail}`);
}

export function requireName(value: unknown, member: string, pattern = /^[a-zA-Z_0-9-]{1,255}$/): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    invalid(`Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source}`);
  }
  return value;
}

export function requireArray(value: unknown, member: string, min: number, max: number): Record<string, unknown>[] {
  if (!Array.isArray(value)) invalid(`Value at '${member}' failed to satisfy constraint: Member must not be null`);
  if (value.length < min || value.length > max) {
    invalid(`Value at '${member}' failed to satisfy constraint: Member must have length between ${min} and ${max} (got ${value.length})`);
  }
  return value as Record<string, unknown>[];
}

export const epochSeconds = () => Math.floor(Date.now() / 1000);
