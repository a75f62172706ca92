export interface Measurement {
  iterations: number;
  elapsedNs: bigint;
  opsPerSec: number;
}

/** One operation; an async one is awaited before the next starts. */
export type Operation = () => unknown;

async function timeLoop(op: Operation, iterations: number): Promise<bigint> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  return process.hrtime.bigint() - start;
}

/** Warms `op` up for about `warmupSeconds` (doubling batches), then times as many iterations as fit in `seconds` at the last batch's rate. */
export async function measure(op: Operation, opts: { seconds: number; warmupSeconds: number }): Promise<Measurement> {
  const warmupNs = BigInt(Math.round(opts.warmupSeconds * 1e9));
  let warmedNs = 0n;
  let nsPerOp = 1;
  for (let batch = 1; warmedNs === 0n || warmedNs < warmupNs; batch *= 2) {
    const batchNs = await timeLoop(op, batch);
    warmedNs += batchNs;
    nsPerOp = Math.max(1, Number(batchNs)) / batch; // the last, warmest batch sizes the timed run
  }
  const iterations = Math.max(1, Math.ceil((opts.seconds * 1e9) / nsPerOp));
  const elapsedNs = await timeLoop(op, iterations);
  return { iterations, elapsedNs, opsPerSec: iterations / (Math.max(1, Number(elapsedNs)) / 1e9) };
}
