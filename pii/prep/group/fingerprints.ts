import { KEY_HASH_BYTES, compareHashes } from './key-hash';
import { FINGERPRINT_BYTES } from './reducers';

/*
 * Per-key fingerprints of a generation: (key hash 16 B, fingerprint 16 B, rows u16 big-endian) entries, sorted by key
 * hash, one object per shard. The shards in order are sorted as a whole, so two generations are compared by one
 * streaming merge-join even when their shard counts differ.
 */

export const ENTRY_BYTES = KEY_HASH_BYTES + FINGERPRINT_BYTES + 2;

export interface FingerprintEntry {
  hash: Uint8Array;
  fingerprint: Uint8Array;
  rows: number;
}

export function encodeEntries(entries: FingerprintEntry[]): Buffer {
  const out = Buffer.alloc(entries.length * ENTRY_BYTES);
  entries.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    out.set(e.hash, at);
    out.set(e.fingerprint, at + KEY_HASH_BYTES);
    out.writeUInt16BE(Math.min(e.rows, 0xffff), at + KEY_HASH_BYTES + FINGERPRINT_BYTES);
  });
  return out;
}

export function* decodeEntries(bytes: Uint8Array): Generator<FingerprintEntry> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + ENTRY_BYTES <= buffer.length; at += ENTRY_BYTES) {
    yield { hash: buffer.subarray(at, at + KEY_HASH_BYTES), fingerprint: buffer.subarray(at + KEY_HASH_BYTES, at + KEY_HASH_BYTES + FINGERPRINT_BYTES), rows: buffer.readUInt16BE(at + KEY_HASH_BYTES + FINGERPRINT_BYTES) };
  }
}

/** What changed between two generations, in keys. `duplicated`: a key that now has more rows than before. */
export interface FingerprintDiff {
  appended: number;
  removed: number;
  changed: number;
  duplicated: number;
  unchanged: number;
}

async function* entriesOf(objects: AsyncIterable<Uint8Array>): AsyncGenerator<FingerprintEntry> {
  for await (const bytes of objects) yield* decodeEntries(bytes);
}

/** Merge-joins two generations' fingerprint objects (each in shard order); holds one object of each at a time. */
export async function diffFingerprints(previous: AsyncIterable<Uint8Array>, current: AsyncIterable<Uint8Array>): Promise<FingerprintDiff> {
  const diff: FingerprintDiff = { appended: 0, removed: 0, changed: 0, duplicated: 0, unchanged: 0 };
  const before = entriesOf(previous);
  const after = entriesOf(current);
  let a = await before.next();
  let b = await after.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : compareHashes(a.value.hash, b.value.hash);
    if (order < 0) {
      diff.removed++;
      a = await before.next();
    } else if (order > 0) {
      diff.appended++;
      b = await after.next();
    } else {
      const old = a.value as FingerprintEntry;
      const now = b.value as FingerprintEntry;
      if (Buffer.compare(old.fingerprint, now.fingerprint) === 0) diff.unchanged++;
      else if (now.rows > old.rows) diff.duplicated++;
      else diff.changed++;
      a = await before.next();
      b = await after.next();
    }
  }
  return diff;
}
