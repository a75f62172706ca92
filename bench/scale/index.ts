import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command, InvalidArgumentError } from 'commander';
import type { Client } from '@temporalio/client';
import { workflowIds } from '../../schemas/temporal-names';
import { uid2MatchingInputSchema } from '../../schemas/uid2-matching/uid2-matching';
import { sandboxAdmin, seedDemoData } from '../../scripts/demo-data-seed';
import { loadConfigFile } from '../../starters/lib/load-config';
import { starterContext } from '../../starters/lib/temporal';
import { PROJECT_ROOT } from '../../toolchain/paths';
import { uid2Matching, uid2MatchingStatusQuery } from '../../workflows/uid2-matching/uid2-matching';
import { checkNowSignal } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval-messages';
import { uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { PeakRss, cpuSeconds, median, rssMb } from './process-stats';
import { startScaleStack, type ScaleStack } from './scale-stack';

/**
 * `npm run bench:scale -- --runs N`: one worker holding N open uid2SubscriptionApproval waits (the
 * default poll schedule, as a user's pipelines wait) and M uid2Matching runs waiting on one of them,
 * on a local dev server and the sandbox. Measures the worker's RSS idle and with every run open,
 * starts per second, a starter's start-to-exit while they are open, and the drain: the sandbox
 * approves, every wait is told to check now, and the clock runs until no run is open, with the CPU
 * the worker and the Temporal server each used meanwhile. Prints a table, then one JSON line.
 */
const run = promisify(execFile);
const BATCH = 50;
const FIRST_ACCOUNT = 100_000_000_000;
const STARTER_ACCOUNT = 900_000_000_000;
// Queues and preparation children come and go with the matching runs; these are the runs the bench starts.
const BENCH_RUNS = `WorkflowType IN ("uid2SubscriptionApproval", "uid2Matching")`;

interface Options {
  runs: number;
  matching: number;
  starters: number;
  cache?: number;
  workerFlags?: string;
}

function count(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer of at least ${min}`);
    return n;
  };
}

async function main(): Promise<void> {
  const opts = new Command()
    .name('bench:scale')
    .description('Worker memory, start rate, starter latency and drain time with many open runs on one worker.')
    .option('--runs <n>', 'approval waits to hold open', count(1), 1000)
    .option('--matching <n>', 'uid2Matching runs waiting on the approval, then matching the demo customers', count(0), 5)
    .option('--starters <n>', 'starts through the compiled starter to time', count(1), 10)
    .option('--cache <n>', "the worker's WORKER_MAX_CACHED_WORKFLOWS (default: its own default)", count(2))
    .option('--worker-flags <flags>', "Node flags for the worker beside its npm script's, e.g. '--max-old-space-size=256'")
    .parse()
    .opts<Options>();

  await run(process.execPath, [join(PROJECT_ROOT, 'scripts/build.mjs')]);
  const stack = await startScaleStack({ maxCachedWorkflows: opts.cache, workerNodeFlags: opts.workerFlags?.split(/\s+/).filter(Boolean) });
  Object.assign(process.env, stack.env);
  const ctx = await starterContext(process.env);
  const rss = new PeakRss(stack.worker.pid!);
  try {
    const figures = await Promise.race([measure(opts, stack, ctx.client, rss), stack.workerExited]);
    console.table(Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, { value }])));
    console.log(JSON.stringify(figures));
  } finally {
    rss.stop();
    await ctx.close();
    await stack.stop();
  }
}

async function measure(opts: Options, stack: ScaleStack, client: Client, rss: PeakRss) {
  const progress = (line: string) => console.error(`bench:scale: ${line}`);
  const idleMb = rss.takePeak();
  const accounts = Array.from({ length: opts.runs }, (_, i) => String(FIRST_ACCOUNT + i));

  const startedAt = performance.now();
  await inBatches(accounts, (account) =>
    client.workflow.start(uid2SubscriptionApproval, { workflowId: workflowIds.uid2SubscriptionApproval(account), taskQueue: stack.env.TEMPORAL_TASK_QUEUE!, args: [{ input: { account } }] }),
  );
  const startsPerS = opts.runs / ((performance.now() - startedAt) / 1000);
  progress(`${opts.runs} approval waits started (${startsPerS.toFixed(0)}/s)`);

  await untilEveryWaitChecked(stack, opts.runs, progress);
  const matchingIds = await startMatchingRuns(opts.matching, accounts[0]!, client, stack.env.TEMPORAL_TASK_QUEUE!);
  await untilDone('matching runs waiting for the approval', matchingIds.length, progress, async () => {
    const stages = await Promise.all(matchingIds.map(async (id) => (await client.workflow.getHandle(id).query(uid2MatchingStatusQuery)).stage));
    return stages.filter((stage) => stage === 'waiting-for-approval').length;
  });
  const openMb = rss.takePeak();
  progress(`all ${opts.runs} waits have made their first check; worker RSS peak ${openMb.toFixed(0)} MB`);

  const starterMs = await timeStarters(opts.starters);
  progress(`starter start-to-exit, median of ${opts.starters}: ${median(starterMs).toFixed(0)} ms`);

  const cpuBefore = { worker: cpuSeconds(stack.worker.pid!), server: cpuSeconds(stack.server.pid!) };
  const drainFrom = performance.now();
  await sandboxAdmin(stack.sandbox.url, 'POST', '/data-exchange/entitle', {});
  const waits = [...accounts, ...starterAccounts(opts.starters)].map((account) => workflowIds.uid2SubscriptionApproval(account));
  await inBatches(waits, (workflowId) => client.workflow.getHandle(workflowId).signal(checkNowSignal));
  await untilNoneOpen(client, waits.length + matchingIds.length, progress);
  const drainS = (performance.now() - drainFrom) / 1000;
  const cpu = { worker: cpuSeconds(stack.worker.pid!) - cpuBefore.worker, server: cpuSeconds(stack.server.pid!) - cpuBefore.server };
  const drainMb = rss.takePeak();

  const completed = await client.workflow.count(`${BENCH_RUNS} AND ExecutionStatus = "Completed"`);
  const expected = waits.length + matchingIds.length;
  if (completed.count !== expected) throw new Error(`${completed.count} runs completed, expected ${expected}: see the Temporal server`);
  const historyEvents = await Promise.all(waits.filter((_, i) => i % Math.ceil(waits.length / 20) === 0).map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));

  return {
    open_runs: opts.runs,
    matching_runs: matchingIds.length,
    worker_cache: opts.cache ?? 'default',
    worker_idle_rss_mb: Math.round(idleMb),
    worker_rss_mb: Math.round(openMb),
    rss_vs_idle: Number((openMb / idleMb).toFixed(2)),
    rss_per_run_kb: Math.round(((openMb - idleMb) * 1024) / opts.runs),
    worker_rss_drain_mb: Math.round(drainMb),
    worker_rss_after_mb: Math.round(rssMb(stack.worker.pid!)),
    starts_per_s: Math.round(startsPerS),
    starter_ms: Math.round(median(starterMs)),
    starter_max_ms: Math.round(Math.max(...starterMs)),
    drain_s: Number(drainS.toFixed(1)),
    drain_worker_cpu_s: Number(cpu.worker.toFixed(1)),
    drain_server_cpu_s: Number(cpu.server.toFixed(1)),
    max_history_events: Math.max(...historyEvents),
  };
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Open means waiting: each run has found the provider service and made its first entitlement check. */
async function untilEveryWaitChecked(stack: ScaleStack, runs: number, progress: (line: string) => void): Promise<void> {
  await untilDone('waits made their first check', runs, progress, async () => {
    const counters = (await (await fetch(`${stack.sandbox.url}/_sandbox/counters`)).json()) as Record<string, number>;
    return counters['dataexchange:GetDataSet'] ?? 0;
  });
}

async function untilNoneOpen(client: Client, total: number, progress: (line: string) => void): Promise<void> {
  await untilDone('runs completed', total, progress, async () => total - (await client.workflow.count(`${BENCH_RUNS} AND ExecutionStatus = "Running"`)).count);
}

const STALLED_AFTER_MS = 120_000;

/** Polls `done` each second until it reaches `total`, reporting every tenth; fails if it stops moving for two minutes. */
async function untilDone(what: string, total: number, progress: (line: string) => void, done: () => Promise<number>): Promise<void> {
  let reported = 0;
  let moved = { count: 0, at: Date.now() };
  for (;;) {
    const count = await done();
    if (count >= total) return;
    if (count !== moved.count) moved = { count, at: Date.now() };
    else if (Date.now() - moved.at > STALLED_AFTER_MS) throw new Error(`stalled: ${count} of ${total} ${what}, none more in ${STALLED_AFTER_MS / 1000} s`);
    if (count - reported >= total / 10) {
      progress(`${count} of ${total} ${what}`);
      reported = count;
    }
    await sleep(1000);
  }
}

/** Matching runs of the demo customers, each under its own name and output, all waiting on the approval of `account`. */
async function startMatchingRuns(n: number, account: string, client: Client, taskQueue: string): Promise<string[]> {
  if (n === 0) return [];
  await seedDemoData(process.env.AWS_REGION!);
  const example = loadConfigFile(join(PROJECT_ROOT, 'examples/uid2-matching.sandbox.json'), uid2MatchingInputSchema);
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const name = `Bench_Scale_Matching_${i}`;
      const workflowId = workflowIds.uid2Matching(name);
      const input = { ...example, name, output: { s3Path: `s3://identity-demo/bench-scale/${i}/` }, subscription: { ...example.subscription, account } };
      await client.workflow.start(uid2Matching, { workflowId, taskQueue, args: [input] });
      return workflowId;
    }),
  );
}

const starterAccounts = (n: number) => Array.from({ length: n }, (_, i) => String(STARTER_ACCOUNT + i));

/** `npm run uid2-subscription -- start` as users script it (the compiled starter, with this process's environment: the stack's), one after another; start-to-exit of each. */
async function timeStarters(n: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-starters-'));
  try {
    const times: number[] = [];
    for (const account of starterAccounts(n)) {
      const config = join(dir, `${account}.json`);
      writeFileSync(config, JSON.stringify({ account }));
      const from = performance.now();
      await run(process.execPath, [join(PROJECT_ROOT, 'dist/bin/uid2-subscription.js'), 'start', '--config', config]);
      times.push(performance.now() - from);
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:scale failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
