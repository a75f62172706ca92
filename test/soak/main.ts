import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import { freePort } from '../../sandbox/emulators/child-process';
import { seededRandom } from '../../sandbox/synthetic/seeded-random';
import type { Uid2MatchingResult } from '../../schemas/uid2-matching/uid2-matching';
import { PROJECT_ROOT } from '../../toolchain/paths';
import { createAwsClients, destroyAwsClients } from '../../worker/aws-clients';
import { AesGcmPayloadCodec } from '../../temporal-client/codec/aes-gcm-codec';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import { keyringFromEnv } from '../../temporal-client/codec/keyring';
import { printReport, type RunOutcome } from './report';
import { sandboxAnswers, soakStack, temporalAnswers, waitUntil, type Component, type SoakStack } from './stack';
import { compareRows, historyTexts, jobsPerWorkflow, matchingOutputRows, piiHits, prepOutputRows, type OutputRows } from './verify';
import { baselineRuns, INJECTED_FAILURE, SOAK_FAULTS, seedSoakData, soakRun, type Expectation, type RunSpec } from './workload';

/**
 * `npm run soak -- --runs N --minutes M`: N mixed pipelines on a stack of its own (dev server,
 * sandbox, worker) under injected faults, with the worker, the sandbox and the whole stack killed
 * (SIGKILL) and restarted at random moments; then every run is checked against an undisturbed run
 * of the same work. Prints a table and, last, one JSON line.
 */
interface Options {
  runs: number;
  minutes: number;
  seed: number;
  rows: number;
  killEvery: [number, number];
  drainMinutes: number;
  keep: boolean;
}

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number.`);
  return n;
};
const range = (value: string): [number, number] => {
  const [lo, hi] = value.split('-').map(Number);
  if (!(lo! > 0 && hi! >= lo!)) throw new InvalidArgumentError('expected MIN-MAX seconds, e.g. 45-120.');
  return [lo!, hi!];
};

const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function retrying<T>(what: string, call: () => Promise<T>, attempts = 120): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(1000);
    }
  }
}

async function main(opts: Options): Promise<number> {
  const random = seededRandom(opts.seed);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const dir = join(PROJECT_ROOT, '.data', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const codecEnv = { TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'), TEMPORAL_CODEC_KEY_ID: 'soak' };
  const keyring = keyringFromEnv(codecEnv, {});
  const taskQueue = 'identity-workflows-soak';
  const region = 'us-east-1';
  const ports = { temporal: await freePort(), sandbox: await freePort() };
  const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
  Object.assign(process.env, { AWS_ENDPOINT_URL: sandboxUrl, AWS_ACCESS_KEY_ID: 'soak', AWS_SECRET_ACCESS_KEY: 'soak', AWS_REGION: region });
  const awsEnv = { AWS_ACCESS_KEY_ID: 'soak', AWS_SECRET_ACCESS_KEY: 'soak', AWS_REGION: region };
  const stack = soakStack({
    dir,
    ports,
    taskQueue,
    workerEnv: { ...awsEnv, ...codecEnv, PREP_THREADS: '1', LOG_LEVEL: 'info' },
    sandboxEnv: { ...awsEnv },
  });
  const kills: Record<string, number> = { worker: 0, sandbox: 0, stack: 0 };
  const aws = createAwsClients({ AWS_REGION: region, PREP_THREADS: 0 });
  let connection: Connection | undefined;
  // Ctrl-C (or a kill of the soak) stops its stack first: each component runs in a process group of its own.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the stack`);
    void Promise.all([stack.worker, stack.sandbox, stack.temporal].map((c) => c.kill())).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log(`stack in ${dir}: Temporal ${stack.temporalAddress}, sandbox ${sandboxUrl}`);
    await startComponent(stack, stack.temporal);
    await startComponent(stack, stack.sandbox);
    stack.worker.start();
    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, dataConverter: createDataConverter(keyring) });

    log(`seeding: ${opts.rows} + ${Math.floor(opts.rows / 5)} generated customers, the demo table`);
    await admin(sandboxUrl, 'POST', '/data-exchange/entitle', {});
    const pii = await seedSoakData({ s3: aws.s3, dir, rows: opts.rows, seed: opts.seed, region });

    log('baseline: each kind of work once, without faults or kills');
    const baseline = new Map<Expectation, OutputRows>();
    for (const spec of baselineRuns()) {
      const outcome = await runToEnd(client, spec, 15 * 60_000);
      if (outcome.status !== 'completed') throw new Error(`baseline ${spec.label} did not complete: ${outcome.reason}`);
      baseline.set(spec.expect, await outputOf(aws.s3, spec, outcome.result));
    }

    log(`soak: ${opts.runs} runs over ${opts.minutes} min, faults on, kills every ${opts.killEvery.join('-')} s`);
    stack.sandbox.env.SANDBOX_FAULTS = JSON.stringify({ ...SOAK_FAULTS, seed: opts.seed });
    await restart(stack, [stack.sandbox]);
    const soakEnds = Date.now() + opts.minutes * 60_000;
    const launchTimes = Array.from({ length: opts.runs }, () => between(0, 0.6 * opts.minutes * 60_000)).sort((a, b) => a - b);
    const started = Date.now();
    const outcomes: RunOutcome[] = [];
    const open = new Map<RunOutcome, WorkflowHandle>();
    const reusable: string[] = [];
    let nextKill = Date.now() + between(...opts.killEvery) * 1000;

    while (Date.now() < soakEnds || (open.size > 0 && Date.now() < soakEnds + opts.drainMinutes * 60_000) || outcomes.length < opts.runs) {
      while (outcomes.length < opts.runs && Date.now() - started >= launchTimes[outcomes.length]!) {
        const spec = soakRun(outcomes.length, () => reusable.shift());
        const outcome: RunOutcome = { spec, status: 'running', startedAt: Date.now() };
        outcomes.push(outcome);
        open.set(outcome, await retrying(`start ${spec.label}`, () => startRun(client, spec)));
        log(`started ${spec.label} (${spec.kind}) ${spec.workflowId}`);
      }
      // A kill lands while work is in flight: one between runs would test nothing.
      if (Date.now() < soakEnds && Date.now() >= nextKill && open.size > 0) {
        const roll = random();
        const victims = roll < 0.6 ? [stack.worker] : roll < 0.8 ? [stack.sandbox] : [stack.temporal, stack.sandbox, stack.worker];
        const kind = victims.length === 3 ? 'stack' : victims[0]!.name;
        kills[kind]!++;
        log(`kill -9 ${kind}`);
        for (const victim of victims) await victim.kill();
        await sleep(between(1, 5) * 1000);
        await restart(stack, victims);
        nextKill = Date.now() + between(...opts.killEvery) * 1000;
      }
      for (const [outcome, handle] of open) {
        const closed = await settle(handle).catch(() => undefined);
        if (!closed) continue;
        Object.assign(outcome, closed, { endedAt: Date.now() });
        open.delete(outcome);
        // Checked at once: a later run may reuse a preparation's prefix.
        if (closed.status === 'completed') await retrying(`check ${outcome.spec.label}`, () => check(aws.s3, outcome, baseline));
        if (outcome.spec.kind !== 'matching' && closed.status === 'completed') reusable.push(outcome.spec.output);
        log(`${outcome.spec.label} ${closed.status}${closed.reason ? `: ${closed.reason}` : ''}`);
      }
      if (Date.now() >= soakEnds && outcomes.length < opts.runs) launchTimes.fill(0, outcomes.length);
      await sleep(2000);
    }
    for (const outcome of open.keys()) Object.assign(outcome, { status: 'unfinished', reason: `still running ${opts.drainMinutes} min after the soak ended` });

    log('checking jobs and histories');
    await admin(sandboxUrl, 'PUT', '/faults', { seed: 1, rules: [] });
    const rowsLost = outcomes.reduce((total, o) => total + (o.rowsLost ?? 0), 0);
    let duplicates = outcomes.reduce((total, o) => total + (o.extraRows ?? 0) + (o.unlisted ?? 0), 0);
    duplicates += await duplicateJobs(aws, outcomes);
    const hits = await scanForPii(client, keyring, dir, pii);
    const report = printReport({ outcomes, kills, duplicates, rowsLost, piiHits: hits, minutes: opts.minutes, seed: opts.seed });
    return report.ok ? 0 : 1;
  } finally {
    await connection?.close().catch(() => undefined);
    destroyAwsClients(aws);
    for (const component of [stack.worker, stack.sandbox, stack.temporal]) await component.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares a completed run's output with the undisturbed run's. */
async function check(s3: ReturnType<typeof createAwsClients>['s3'], outcome: RunOutcome, baseline: Map<Expectation, OutputRows>): Promise<void> {
  const rows = await outputOf(s3, outcome.spec, outcome.result);
  const { lost, extra } = compareRows(baseline.get(outcome.spec.expect)!.rows, rows.rows);
  Object.assign(outcome, { rowsLost: lost, extraRows: extra, unlisted: rows.unlisted, corrupt: rows.corrupt });
  if (rows.corrupt > 0) outcome.reason = `${rows.corrupt} objects differ from their manifest`;
}

async function startComponent(stack: SoakStack, component: Component): Promise<void> {
  component.start();
  if (component === stack.temporal) await waitUntil(component, 'the frontend answering', temporalAnswers(stack.temporalAddress));
  if (component === stack.sandbox) {
    await waitUntil(component, 'the admin API answering', sandboxAnswers(stack.sandboxUrl));
    await admin(stack.sandboxUrl, 'PUT', '/entity-resolution/job-durations', { queuedMs: 500, runningMs: 1500 });
  }
}

/** Restarts in dependency order: Temporal, the sandbox, then the worker. */
async function restart(stack: SoakStack, components: Component[]): Promise<void> {
  for (const component of [stack.temporal, stack.sandbox, stack.worker]) {
    if (!components.includes(component)) continue;
    if (component.running) await component.stop();
    await startComponent(stack, component);
  }
}

async function admin(url: string, method: string, path: string, body: unknown): Promise<void> {
  await retrying(`sandbox admin ${method} ${path}`, async () => {
    const res = await fetch(`${url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  }, 30);
}

async function startRun(client: Client, spec: RunSpec): Promise<WorkflowHandle> {
  try {
    return await client.workflow.start(spec.workflowType, { taskQueue: 'identity-workflows-soak', workflowId: spec.workflowId, args: spec.args });
  } catch (err) {
    // The start reached the server before a kill cut the answer off: the run is there.
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return client.workflow.getHandle(spec.workflowId);
    throw err;
  }
}

/** The run's end, or undefined while it runs. */
async function settle(handle: WorkflowHandle): Promise<Pick<RunOutcome, 'status' | 'reason' | 'result'> | undefined> {
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') return undefined;
  try {
    return { status: 'completed', result: (await handle.result()) as PrepSummary | Uid2MatchingResult };
  } catch (err) {
    let cause: unknown = err instanceof WorkflowFailedError ? err.cause : err;
    while (cause instanceof Error && cause.cause) cause = cause.cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { status: INJECTED_FAILURE.test(reason) ? 'expected-failure' : 'failed', reason: `${status.name}: ${reason}` };
  }
}

async function runToEnd(client: Client, spec: RunSpec, timeoutMs: number): Promise<Pick<RunOutcome, 'status' | 'reason' | 'result'>> {
  const handle = await startRun(client, spec);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const closed = await settle(handle);
    if (closed) return closed;
    if (Date.now() > deadline) return { status: 'unfinished', reason: 'timed out' };
    await sleep(1000);
  }
}

function outputOf(s3: ReturnType<typeof createAwsClients>['s3'], spec: RunSpec, result: unknown): Promise<OutputRows> {
  return spec.workflowType === 'prepareIdentityData' ? prepOutputRows(s3, result as PrepSummary) : matchingOutputRows(s3, result as Uid2MatchingResult);
}

/** Jobs beyond one per identifier of each run that reached its job; and any job two runs both claim. */
async function duplicateJobs(aws: ReturnType<typeof createAwsClients>, outcomes: RunOutcome[]): Promise<number> {
  const matching = outcomes.filter((o) => o.spec.kind === 'matching');
  const workflows = [...new Set(matching.flatMap((o) => o.spec.erWorkflows))];
  const jobs = await jobsPerWorkflow(aws.entityResolution, workflows);
  let duplicates = 0;
  for (const workflow of workflows) {
    const runs = matching.filter((o) => o.spec.erWorkflows.includes(workflow) && (o.status === 'completed' || o.status === 'expected-failure'));
    duplicates += Math.max(0, jobs.get(workflow)!.length - runs.length);
  }
  const claimed = matching.flatMap((o) => (o.result as Uid2MatchingResult | undefined)?.identifiers.map((i) => i.jobId) ?? []);
  return duplicates + claimed.length - new Set(claimed).size;
}

async function scanForPii(client: Client, keyring: ReturnType<typeof keyringFromEnv>, dir: string, pii: Parameters<typeof piiHits>[1]): Promise<{ histories: number; logs: number; scanned: number }> {
  const hits = { histories: 0, logs: 0, scanned: 0 };
  for await (const { workflowId, text, undecodable } of historyTexts(client, new AesGcmPayloadCodec(keyring))) {
    const found = piiHits(text, pii);
    hits.histories += found.emails + found.phones;
    hits.scanned++;
    // A payload the scan cannot read may hold anything: it counts as a hit.
    if (undecodable > 0) log(`${workflowId}: ${undecodable} payloads could not be decrypted for the scan`);
    hits.histories += undecodable;
  }
  for (const name of ['worker.log', 'sandbox.log', 'temporal.log']) {
    const found = piiHits(readFileSync(join(dir, name), 'latin1'), pii);
    if (found.emails + found.phones > 0) log(`${name}: ${found.emails} emails and ${found.phones} phones from the fixtures`);
    hits.logs += found.emails + found.phones;
  }
  return hits;
}

const program = new Command('soak')
  .description('Mixed pipelines under faults and kills on a stack of their own, checked against undisturbed runs')
  .option('--runs <n>', 'runs to start', positive('--runs'), 12)
  .option('--minutes <m>', 'how long faults and kills go on', positive('--minutes'), 10)
  .option('--seed <n>', 'seed of the schedule, the faults and the data', positive('--seed'), 1)
  .option('--rows <n>', 'rows of the large input file', positive('--rows'), 300_000)
  .option('--kill-every <min-max>', 'seconds between kills', range, [45, 120] as [number, number])
  .option('--drain-minutes <m>', 'how long runs may take to finish after the soak ends', positive('--drain-minutes'), 10)
  .option('--keep', 'keep the stack\'s data folder (logs, Temporal and sandbox state) under .data/', false)
  .action(async (opts: Options) => {
    process.exitCode = await main(opts);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`soak: ${(err as Error).message}`);
  process.exit(2);
});
