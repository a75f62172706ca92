/**
 * ArrayBuffers kept for reuse. Buffers moved between threads (the chunks sent to the workers, the output
 * they send back) are each a new backing store to V8: allocated per chunk, they drove a full GC every few
 * chunks on the main thread. Reused, the same few buffers go back and forth for a whole run.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** `kept`: buffers held at most; one given back past that is left to the GC. */
  constructor(private readonly kept: number) {}

  /** A buffer of at least `bytes` (the smallest such held, else a new one with room to spare), or undefined when `bytes` is 0 and none is held. */
  take(bytes: number): ArrayBuffer | undefined {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength;
      if (size >= bytes && (best < 0 || size < this.free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0];
    return bytes > 0 ? new ArrayBuffer(Math.ceil(bytes * 1.25)) : undefined;
  }

  give(buffer: ArrayBuffer | undefined): void {
    // A buffer moved to another thread is detached here (byteLength 0): nothing to keep.
    if (!buffer || buffer.byteLength === 0) return;
    if (this.free.length >= this.kept) this.free.sort((a, b) => a.byteLength - b.byteLength).shift();
    this.free.push(buffer);
  }
}
