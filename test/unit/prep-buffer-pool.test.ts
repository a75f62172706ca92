import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../pii/prep/threads/buffer-pool';

describe('BufferPool', () => {
  it('gives back the smallest buffer held that is big enough, and makes one with room to spare otherwise', () => {
    const pool = new BufferPool(4);
    const small = new ArrayBuffer(100);
    const big = new ArrayBuffer(1000);
    pool.give(big);
    pool.give(small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(50)).toBe(big);
    const made = pool.take(400)!;
    expect(made).not.toBe(small);
    expect(made.byteLength).toBe(500);
  });

  it('hands out nothing for 0 bytes when it holds nothing, and never the same buffer twice', () => {
    const pool = new BufferPool(4);
    expect(pool.take(0)).toBeUndefined();
    const buffer = new ArrayBuffer(10);
    pool.give(buffer);
    expect(pool.take(0)).toBe(buffer);
    expect(pool.take(0)).toBeUndefined();
  });

  it('keeps at most its limit, dropping the smallest, and ignores detached or missing buffers', () => {
    const pool = new BufferPool(2);
    const [a, b, c] = [new ArrayBuffer(10), new ArrayBuffer(30), new ArrayBuffer(20)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    const moved = new ArrayBuffer(8);
    structuredClone(moved, { transfer: [moved] });
    expect(moved.byteLength).toBe(0);
    pool.give(moved);
    pool.give(undefined);
    expect([pool.take(0), pool.take(0), pool.take(0)]).toEqual([c, b, undefined]);
  });
});
