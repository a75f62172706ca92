import type { Payload } from '@temporalio/common';

/**
 * Walks a fetched history's own fields. `JSON.stringify` would not do: the protobuf messages' `toJSON`
 * turns every payload's bytes into base64 first, so a scan of that text can never find a value in one.
 */
function walk(value: unknown, visit: (node: unknown) => void): void {
  visit(value);
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return;
  for (const child of Array.isArray(value) ? value : Object.values(value)) walk(child, visit);
}

/** Every string and every byte field (as UTF-8) of a history, one per line: what a PII scan must read. */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  walk(history, (node) => {
    if (typeof node === 'string') parts.push(node);
    else if (node instanceof Uint8Array) parts.push(Buffer.from(node).toString('utf8'));
  });
  return parts.join('\n');
}

/** Every payload of a history, as the codec would be given it. */
export function historyPayloads(history: unknown): Payload[] {
  const payloads: Payload[] = [];
  walk(history, (node) => {
    if (typeof node === 'object' && node !== null && 'metadata' in node && (node as { data?: unknown }).data instanceof Uint8Array) payloads.push(node as Payload);
  });
  return payloads;
}
