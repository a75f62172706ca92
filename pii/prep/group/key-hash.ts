import { createHash } from 'node:crypto';

/*
 * Keys are spread over shards by the top bits of a hash, so shard i of S holds one contiguous range of
 * hashes: the shards' keys, each shard sorted by hash and taken in shard order, are sorted by hash whatever S is.
 */

export const KEY_HASH_BYTES = 16;
export const MAX_SHARDS = 4096;

/** The first 16 bytes of the key's SHA-256. */
export function keyHash(key: string): Buffer {
  return createHash('sha256').update(key).digest().subarray(0, KEY_HASH_BYTES);
}

/** The shard of a key hash among `shards` (a power of two up to 4096): its top log2(shards) bits. */
export function shardOf(hash: Uint8Array, shards: number): number {
  if (shards === 1) return 0;
  const bits = Math.log2(shards);
  return ((hash[0]! << 8) | hash[1]!) >> (16 - bits);
}

/** The number of shards for `bytes` of input: the power of two that keeps each near `targetShardBytes`, at most 4096. */
export function shardCountFor(bytes: number, targetShardBytes: number): number {
  const needed = Math.ceil(bytes / targetShardBytes);
  let shards = 1;
  while (shards < needed && shards < MAX_SHARDS) shards *= 2;
  return shards;
}

export const compareHashes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);
