import { join } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import { AMC_REFRESH_REFUSED, AMC_TABLE_LAYOUT_CHANGED, AMC_TABLE_LIMIT, INVALID_OPERATOR_ACTION } from '../../schemas/failures';
import { workflowIds } from '../../schemas/temporal-names';
import { amcIdMapping, amcIdMappingStatusQuery, dataChangedSignal, dataChangedUpdate, deleteTableUpdate } from '../../workflows/amc-id-mapping/amc-id-mapping';
import { amcIdMappingInputArrived, amcIdMappingInputArrivedStatusQuery } from '../../workflows/amc-id-mapping/amc-id-mapping-notify';
import type { AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import type { AmcIdMappingStatus } from '../../workflows/amc-id-mapping/amc-id-mapping-status';
import { bundleQuietly, connectTimeSkipping } from '../helpers/environments';
import { workflowFailureOf } from '../helpers/failures';
import { historyText } from '../helpers/history-text';
import { FakeAmc } from './fake-amc';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW = 14 * DAY + HOUR; // minInterval + safetyMargin
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let seq = 0;

beforeAll(async () => {
  env = await connectTimeSkipping();
  bundle = await bundleQuietly(join(__dirname, 'amc-id-mapping-workflows.ts'));
});
afterAll(async () => {
  await env?.teardown();
});

const EMAILS = ['alice.walker@example.com', 'bob.stone@example.org', 'carol.diaz@example.net'];
const baseRows = () => Object.fromEntries(EMAILS.map((email, i) => [`c${i}`, [email]]));

function configFor(n: number, over: Partial<AmcIdMappingInput> = {}): AmcIdMappingInput {
  return {
    name: 'customers_amc',
    region: 'us-east-1',
    account: '111122223333',
    input: { uri: 's3://raw-bucket/customers/' },
    uniqueId: 'customer_id',
    columns: { email: 'EMAIL', phone: 'PHONE' },
    output: { dataPrefix: 's3://amc-data/tables/', workPrefix: `s3://amc-work/t${n}/` },
    queryResultsBucket: 'amc-query-results',
    glue: { database: 'amc_ids' },
    entityResolution: { passRoleArn: 'arn:aws:iam::111122223333:role/amc-er-pass' },
    amc: { instanceId: `amcinst${n}`, advertiserId: 'ENTITY1', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: 'amc/credentials' },
    ...over,
  };
}

interface Ctx {
  amc: FakeAmc;
  config: AmcIdMappingInput;
  taskQueue: string;
  workflowId: string;
}

async function withWorker<T>(fn: (ctx: Ctx) => Promise<T>, setup?: (amc: FakeAmc) => void, over?: Partial<AmcIdMappingInput>): Promise<T> {
  const n = ++seq;
  const amc = new FakeAmc(() => env.currentTimeMs());
  amc.setInput(baseRows());
  setup?.(amc);
  const taskQueue = `amc-id-mapping-${n}`;
  const coordination = createWorkflowCoordinationActivities({ temporal: env.client });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: { ...amc.activities(), ...coordination } });
  const config = configFor(n, over);
  return worker.runUntil(fn({ amc, config, taskQueue, workflowId: workflowIds.amcIdMapping(config.amc.instanceId, config.name) }));
}

const start = (ctx: Ctx) => env.client.workflow.start(amcIdMapping, { taskQueue: ctx.taskQueue, workflowId: ctx.workflowId, args: [{ input: ctx.config }] });
const status = (h: WorkflowHandle<typeof amcIdMapping>): Promise<AmcIdMappingStatus> => h.query(amcIdMappingStatusQuery, new Date().toISOString());
const notice = async (requestId: string) => ({ reason: 'operator' as const, requestId, at: new Date(await env.currentTimeMs()).toISOString() });

/** Lets server time pass in steps until the status satisfies `done` (at most `maxMs` of server time). */
async function until(h: WorkflowHandle<typeof amcIdMapping>, done: (s: AmcIdMappingStatus) => boolean, maxMs = 30 * DAY, stepMs = HOUR): Promise<AmcIdMappingStatus> {
  for (let waited = 0; waited <= maxMs; waited += stepMs) {
    const s = await status(h).catch(() => undefined);
    if (s && done(s)) return s;
    await env.sleep(stepMs);
  }
  throw new Error(`status never reached the expected state; last: ${JSON.stringify(await status(h))}`);
}
const guarding = (s: AmcIdMappingStatus) => s.stage === 'guarding' || s.stage === 'waiting-for-refresh-window';

async function deleteAndEnd(h: WorkflowHandle<typeof amcIdMapping>) {
  await h.executeUpdate(deleteTableUpdate, { args: [{ by: 'ops-1', reason: 'test over' }] });
  return h.result();
}

describe('amcIdMapping', () => {
  it('creates the table exactly once, waits for its job, then guards with no timer while idle', async () => {
    await withWorker(async (ctx) => {
      const since = await env.currentTimeMs();
      const h = await start(ctx);
      const s = await until(h, guarding);
      expect(s.stage).toBe('guarding');
      expect(ctx.amc.posts).toBe(1);
      expect(s.tables).toHaveLength(1);
      expect(s.lastJob).toMatchObject({ kind: 'create', status: 'SUCCEEDED' });
      expect(Date.parse(s.nextEligibleAt!) - Date.parse(s.tables[0]!.createdAt)).toBe(WINDOW);
      expect(s.pending).toBeNull();
      expect(s.nextAction).toMatch(/Idle until the next input/);

      await env.sleep(40 * DAY);
      expect(ctx.amc.refreshes).toEqual([]);
      const result = await deleteAndEnd(h);
      expect(result.tables.map((t) => t.id)).toEqual(s.tables.map((t) => t.id));
      expect(ctx.amc.deleted).toEqual([s.tables[0]!.id]);
      expect(result.refreshes).toBe(0);
      expect(since).toBeLessThan(Date.parse(result.created) + 1);
    });
  });

  it('a change on day 3 is refreshed at the end of the 14-day window, not before; a second change inside it makes no second refresh', async () => {
    await withWorker(async (ctx) => {
      const h = await start(ctx);
      const created = await until(h, guarding);
      const createdAt = Date.parse(created.tables[0]!.createdAt);

      await env.sleep(3 * DAY);
      ctx.amc.setInput({ ...baseRows(), c0: ['alice.new@example.com'] });
      const answer = await h.executeUpdate(dataChangedUpdate, { args: [await notice('change-1')] });
      expect(answer.accepted).toBe(true);
      const waiting = await until(h, (s) => s.stage === 'waiting-for-refresh-window', DAY);
      expect(waiting.pending).toMatchObject({ changedKeys: 1, removedKeys: 0, generations: 1 });
      expect(waiting.nextAction).toMatch(/^Refresh on /);

      await env.sleep(4 * DAY);
      ctx.amc.setInput({ ...baseRows(), c0: ['alice.new@example.com'], c1: [] });
      await h.signal(dataChangedSignal, await notice('change-2'));
      await until(h, (s) => s.pending?.generations === 2, DAY);
      expect(ctx.amc.refreshes).toEqual([]);

      const refreshed = await until(h, (s) => s.refreshes === 1 && s.stage === 'guarding', 20 * DAY);
      expect(ctx.amc.refreshes).toHaveLength(1);
      expect(ctx.amc.refreshes[0]! - createdAt).toBeGreaterThanOrEqual(WINDOW);
      expect(ctx.amc.refreshes[0]! - createdAt).toBeLessThan(WINDOW + HOUR);
      expect(ctx.amc.refusedRefreshes).toBe(0);
      expect(refreshed.pending).toBeNull();
      expect(refreshed.lastRefreshAt).toBe(new Date(ctx.amc.refreshes[0]!).toISOString());

      await env.sleep(30 * DAY);
      expect(ctx.amc.refreshes).toHaveLength(1);
      await deleteAndEnd(h);
    });
  });

  it('an unchanged input costs one listing; appends alone publish a generation but never refresh', async () => {
    await withWorker(async (ctx) => {
      const h = await start(ctx);
      await until(h, guarding);
      const built = ctx.amc.generationsBuilt;
      await h.signal(dataChangedSignal, await notice('same-1'));
      await h.signal(dataChangedSignal, await notice('same-2'));
      const unchanged = await until(h, (s) => s.inputsUnchanged >= 1 && s.stage === 'guarding', DAY);
      expect(ctx.amc.generationsBuilt).toBe(built);
      expect(unchanged.lastInput?.unchanged).toBe(true);

      for (let week = 1; week <= 8; week++) {
        ctx.amc.setInput({ ...baseRows(), ...Object.fromEntries(Array.from({ length: week }, (_, i) => [`new${i}`, [`new${i}@example.com`]])) });
        await h.signal(dataChangedSignal, await notice(`append-${week}`));
        await env.sleep(7 * DAY);
      }
      const after = await status(h);
      expect(after.inputsProcessed).toBe(9);
      expect(after.lastInput?.diff).toMatchObject({ appended: 1, changed: 0, removed: 0 });
      expect(after.pending).toBeNull();
      expect(ctx.amc.refreshes).toEqual([]);
      // output.keepGenerations (3 here): the newest three of the nine generations are kept.
      const runPrefix = h.firstExecutionRunId.slice(0, 8);
      expect(ctx.amc.kept.at(-1)).toEqual([7, 8, 9].map((g) => `${runPrefix}-${g}`));
      await deleteAndEnd(h);
    }, undefined, { output: { dataPrefix: 's3://amc-data/tables/', workPrefix: `s3://amc-work/keep-${seq + 1}/`, keepGenerations: 3 } });
  });

  it('a restarted run adopts the table, reads AMC’s last job time and keeps the pending change: no early refresh', async () => {
    await withWorker(async (ctx) => {
      const first = await start(ctx);
      const created = await until(first, guarding);
      const createdAt = Date.parse(created.tables[0]!.createdAt);
      await env.sleep(2 * DAY);
      ctx.amc.setInput({ ...baseRows(), c2: ['carol.other@example.net'] });
      await first.signal(dataChangedSignal, await notice('change-1'));
      await until(first, (s) => s.stage === 'waiting-for-refresh-window', DAY);
      await first.terminate('operator restarted the guard');

      const second = await start(ctx);
      const resumed = await until(second, (s) => s.stage === 'waiting-for-refresh-window', DAY);
      expect(ctx.amc.posts).toBe(1);
      expect(resumed.tables[0]!.id).toBe(created.tables[0]!.id);
      expect(resumed.pending).toMatchObject({ changedKeys: 1 });
      expect(resumed.nextEligibleAt).toBe(created.nextEligibleAt);

      await until(second, (s) => s.refreshes === 1, 20 * DAY);
      expect(ctx.amc.refreshes[0]! - createdAt).toBeGreaterThanOrEqual(WINDOW);
      expect(ctx.amc.refusedRefreshes).toBe(0);
      await deleteAndEnd(second);
    });
  });

  it('after a refresh, a restarted run takes the window from AMC’s last refresh job, not from the table’s creation', async () => {
    await withWorker(async (ctx) => {
      const first = await start(ctx);
      await until(first, guarding);
      ctx.amc.setInput({ ...baseRows(), c0: ['alice.v2@example.com'] });
      await first.signal(dataChangedSignal, await notice('change-1'));
      await until(first, (s) => s.refreshes === 1 && s.stage === 'guarding', 20 * DAY);
      await env.sleep(2 * DAY);
      ctx.amc.setInput({ ...baseRows(), c0: ['alice.v3@example.com'] });
      await first.signal(dataChangedSignal, await notice('change-2'));
      await until(first, (s) => s.stage === 'waiting-for-refresh-window', DAY);
      await first.terminate('operator restarted the guard');

      const second = await start(ctx);
      const resumed = await until(second, (s) => s.stage === 'waiting-for-refresh-window', DAY);
      expect(resumed.lastRefreshAt).toBe(new Date(ctx.amc.refreshes[0]!).toISOString());
      await until(second, (s) => s.refreshes === 1, 20 * DAY);
      expect(ctx.amc.refreshes).toHaveLength(2);
      expect(ctx.amc.refreshes[1]! - ctx.amc.refreshes[0]!).toBeGreaterThanOrEqual(WINDOW);
      expect(ctx.amc.refusedRefreshes).toBe(0);
      await deleteAndEnd(second);
    });
  });

  it('a refresh started outside the workflow moves the window: AMC’s refusal re-arms the timer from AMC’s last job', async () => {
    await withWorker(async (ctx) => {
      const h = await start(ctx);
      const created = await until(h, guarding);
      const tableId = created.tables[0]!.id;
      ctx.amc.setInput({ ...baseRows(), c1: ['bob.v2@example.org'] });
      await h.signal(dataChangedSignal, await notice('change-1'));
      await until(h, (s) => s.stage === 'waiting-for-refresh-window');
      // Made while the change waits, with no notice after it: only AMC's refusal can tell the guard.
      const outOfBandAt = (await env.currentTimeMs()) + 5 * DAY;
      await env.sleep(5 * DAY);
      ctx.amc.refreshOutOfBand(tableId, outOfBandAt);
      const refreshed = await until(h, (s) => s.refreshes === 1 && s.stage === 'guarding', 30 * DAY);
      expect(ctx.amc.refusedRefreshes).toBe(1);
      expect(ctx.amc.refreshes).toHaveLength(1);
      expect(ctx.amc.refreshes[0]! - outOfBandAt).toBeGreaterThanOrEqual(WINDOW);
      expect(ctx.amc.refreshes[0]! - outOfBandAt).toBeLessThan(WINDOW + HOUR);
      expect(refreshed.pending).toBeNull();
      await deleteAndEnd(h);
    });
  });

  it('a notice while a change waits reads AMC’s last job again: a refresh made elsewhere moves the window with no refused call', async () => {
    await withWorker(async (ctx) => {
      const h = await start(ctx);
      const created = await until(h, guarding);
      const tableId = created.tables[0]!.id;
      const outOfBandAt = (await env.currentTimeMs()) + 5 * DAY;
      await env.sleep(5 * DAY);
      ctx.amc.refreshOutOfBand(tableId, outOfBandAt);
      ctx.amc.setInput({ ...baseRows(), c1: ['bob.v2@example.org'] });
      await h.signal(dataChangedSignal, await notice('change-1'));
      const waiting = await until(h, (s) => s.stage === 'waiting-for-refresh-window');
      expect(Date.parse(waiting.nextEligibleAt!) - outOfBandAt).toBe(WINDOW);
      const refreshed = await until(h, (s) => s.refreshes === 1 && s.stage === 'guarding', 30 * DAY);
      expect(ctx.amc.refusedRefreshes).toBe(0);
      expect(ctx.amc.refreshes[0]! - outOfBandAt).toBeGreaterThanOrEqual(WINDOW);
      expect(ctx.amc.refreshes[0]! - outOfBandAt).toBeLessThan(WINDOW + HOUR);
      expect(refreshed.pending).toBeNull();
      await deleteAndEnd(h);
    });
  });

  it('fails AmcRefreshRefused, naming both times, when AMC refuses although its last job is older than the window', async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        await until(h, guarding);
        ctx.amc.setInput({ ...baseRows(), c2: ['carol.v2@example.net'] });
        await h.signal(dataChangedSignal, await notice('change-1'));
        const failure = await workflowFailureOf(h.result());
        expect(failure.type).toBe(AMC_REFRESH_REFUSED);
        expect(failure.message).toMatch(/although its last job started at \S+Z, more than 14 days before/);
        expect(ctx.amc.refusedRefreshes).toBe(1);
        expect((await status(h)).stage).toBe('failed');
      },
      (amc) => {
        amc.refreshIntervalMs = 16 * DAY;
      },
    );
  });

  it('six months of weekly inputs: history stays bounded by continue-as-new, the window and pending change survive it, one refresh per 14 days at most', async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        await until(h, guarding);
        for (let week = 1; week <= 26; week++) {
          ctx.amc.setInput({ ...baseRows(), c0: [`alice.v${week}@example.com`] });
          await h.signal(dataChangedSignal, await notice(`week-${week}`));
          await env.sleep(7 * DAY);
        }
        const s = await status(h);
        expect(s.runs).toBeGreaterThan(1);
        expect(s.inputsProcessed).toBe(27);
        expect(ctx.amc.refusedRefreshes).toBe(0);
        expect(ctx.amc.refreshes.length).toBeGreaterThanOrEqual(10);
        for (let i = 1; i < ctx.amc.refreshes.length; i++) expect(ctx.amc.refreshes[i]! - ctx.amc.refreshes[i - 1]!).toBeGreaterThanOrEqual(WINDOW);
        expect(s.refreshes).toBe(ctx.amc.refreshes.length);

        const result = await deleteAndEnd(h);
        expect(result.generations).toBe(27);
        const lengths = await runHistoryLengths(ctx.workflowId, h.firstExecutionRunId);
        expect(lengths.length).toBe(s.runs);
        for (const length of lengths) expect(length).toBeLessThan(300 + 100);
      },
      undefined,
      { refresh: { maxHistoryEvents: 300 } },
    );
  });

  it('deleteTable during a refresh job waits for it to end, deletes the table, forgets the guard state and ends the run; later messages are refused', async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        await until(h, guarding);
        ctx.amc.setInput({ ...baseRows(), c1: ['bob.moved@example.org'] });
        await h.signal(dataChangedSignal, await notice('change-1'));
        await until(h, (s) => s.stage === 'refreshing' && s.lastJob?.kind === 'refresh', 20 * DAY);
        const answer = await h.executeUpdate(deleteTableUpdate, { args: [{ by: 'ops-2', reason: 'campaign over' }] });
        expect(answer.tables).toEqual(['customers_amc']);
        expect(answer.kept).toMatch(/Glue/);
        const refusal = await h.executeUpdate(dataChangedUpdate, { args: [await notice('late')] }).catch((e: unknown) => e);
        expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
        const result = await h.result();
        const job = ctx.amc.jobs.find((j) => j.kind === 'refresh')!;
        expect(Date.parse(result.tables[0]!.deletedAt)).toBeGreaterThanOrEqual(job.endMs);
        expect(result.refreshes).toBe(1);
        expect(ctx.amc.tables).toEqual([]);
        expect(ctx.amc.guardFiles.has(ctx.config.output.workPrefix)).toBe(false);
        const after = await status(h);
        expect(after).toMatchObject({ stage: 'completed', tables: [], pending: null, deletedTables: [{ name: 'customers_amc' }] });
      },
      (amc) => {
        amc.jobDurationMs = 6 * HOUR;
      },
    );
  });

  it("split.namespaces 'per-table': one namespace, association and AMC table per Glue table, refreshed together and deleted together", async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        const s = await until(h, guarding);
        expect(s.tables.map((t) => t.name)).toEqual(['customers_amc_1', 'customers_amc_2']);
        expect(ctx.amc.posts).toBe(2);
        ctx.amc.setInput({ ...baseRows(), c0: ['alice.v2@example.com'] });
        await h.signal(dataChangedSignal, await notice('change-1'));
        await until(h, (st) => st.refreshes === 1 && st.stage === 'guarding', 20 * DAY);
        expect(ctx.amc.refreshes).toHaveLength(2);
        const result = await deleteAndEnd(h);
        expect(result.tables.map((t) => t.name)).toEqual(['customers_amc_1', 'customers_amc_2']);
        expect(ctx.amc.tables).toEqual([]);
      },
      (amc) => {
        amc.tablesPerGeneration = 2;
      },
      { split: { allow: true, namespaces: 'per-table' } },
    );
  });

  it('a new input needing a second table fails the guard, naming the fix, with nothing published and no refresh', async () => {
    await withWorker(async (ctx) => {
      const h = await start(ctx);
      const created = await until(h, guarding);
      expect(created.tables).toHaveLength(1);
      const prunes = ctx.amc.kept.length;

      await env.sleep(20 * DAY);
      ctx.amc.tablesPerGeneration = 2;
      ctx.amc.setInput({ ...baseRows(), c0: ['alice.v2@example.com'] });
      await h.signal(dataChangedSignal, await notice('wider'));
      const failure = await workflowFailureOf(h.result());
      expect(failure.type).toBe(AMC_TABLE_LAYOUT_CHANGED);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/needs 2 tables \(customers_amc_1, customers_amc_2\) where the published generation \S+ has 1 table \(customers_amc\)/);
      expect(failure.message).toContain("lower collapse.maxValuesPerColumn or map fewer columns");
      expect(failure.message).toContain("'delete-table', then start again");
      expect(ctx.amc.kept).toHaveLength(prunes);
      expect(ctx.amc.refreshes).toEqual([]);
      expect(ctx.amc.posts).toBe(1);
    });
  });

  it("refuses split tables that would not fit the instance's 5, before any create call", async () => {
    await withWorker(
      async (ctx) => {
        const failure = await workflowFailureOf((await start(ctx)).result());
        expect(failure.type).toBe(AMC_TABLE_LIMIT);
        expect(failure.message).toMatch(/holds 4 other ID mapping tables .* needs 2/);
        expect(ctx.amc.posts).toBe(0);
      },
      (amc) => {
        amc.tablesPerGeneration = 2;
        amc.addOtherTables(4, 0);
      },
      { split: { allow: true, namespaces: 'per-table' } },
    );
  });

  it('refuses a 6th table before any create call', async () => {
    await withWorker(
      async (ctx) => {
        const failure = await workflowFailureOf((await start(ctx)).result());
        expect(failure.type).toBe(AMC_TABLE_LIMIT);
        expect(failure.message).toContain('other_table_0');
        expect(ctx.amc.posts).toBe(0);
      },
      (amc) => amc.addOtherTables(5, 0),
    );
  });

  it('waits for the customer to accept the collaboration, showing the link, then proceeds', async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        const waiting = await until(h, (s) => s.stage === 'waiting-for-collaboration', DAY);
        expect(waiting.nextAction).toContain(ctx.amc.link);
        expect(waiting.collaboration?.customerAcceptanceLink).toBe(ctx.amc.link);
        const early = await h.executeUpdate(deleteTableUpdate, { args: [{ by: 'ops-1', reason: 'too soon' }] }).catch((e: unknown) => e);
        expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((early as WorkflowUpdateFailedError).cause).toMatchObject({ type: INVALID_OPERATOR_ACTION, message: expect.stringMatching(/no AMC mapping table yet/) as unknown });
        const bad = await h.executeUpdate(dataChangedUpdate, { args: [{ ...(await notice('x')), requestId: 'alice.walker@example.com' }] }).catch((e: unknown) => e);
        expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((bad as WorkflowUpdateFailedError).cause?.message).toMatch(/requestId/);
        expect((bad as WorkflowUpdateFailedError).cause?.message).not.toContain('alice');
        const activeAt = (await env.currentTimeMs()) + 5 * DAY;
        ctx.amc.collaborationActiveAt = activeAt;
        await env.sleep(4 * DAY);
        expect((await status(h)).stage).toBe('waiting-for-collaboration');
        expect(ctx.amc.posts).toBe(0);
        const s = await until(h, guarding, 10 * DAY);
        expect(Date.parse(s.tables[0]!.createdAt)).toBeGreaterThanOrEqual(activeAt);
        expect(Date.parse(s.tables[0]!.createdAt)).toBeLessThan(activeAt + 2 * HOUR);
        await deleteAndEnd(h);
      },
      (amc) => {
        amc.collaborationActiveAt = Number.MAX_SAFE_INTEGER;
      },
    );
  });

  it('a lost create response makes one table, not two', async () => {
    await withWorker(
      async (ctx) => {
        const h = await start(ctx);
        const s = await until(h, guarding);
        expect(ctx.amc.posts).toBe(1);
        expect(ctx.amc.tables).toHaveLength(1);
        expect(s.tables[0]!.id).toBe(ctx.amc.tables[0]!.id);
        await deleteAndEnd(h);
      },
      (amc) => {
        amc.loseNextCreateResponse = true;
      },
    );
  });

  it('the schedule’s notifier starts the guard on its first tick and signals it on the next', async () => {
    await withWorker(async (ctx) => {
      const tick = (n: number) =>
        env.client.workflow.execute(amcIdMappingInputArrived, { taskQueue: ctx.taskQueue, workflowId: `${workflowIds.amcIdMappingInput(ctx.config.amc.instanceId, ctx.config.name)}-tick${n}`, args: [ctx.config] });
      expect(await tick(1)).toEqual({ guardWorkflowId: ctx.workflowId });
      const tick1 = `${workflowIds.amcIdMappingInput(ctx.config.amc.instanceId, ctx.config.name)}-tick1`;
      expect(await env.client.workflow.getHandle(tick1).query(amcIdMappingInputArrivedStatusQuery)).toEqual({
        stage: 'notified',
        guardWorkflowId: ctx.workflowId,
        requestId: expect.stringMatching(new RegExp(`^${tick1}/`)) as unknown,
        nextAction: `Nothing: ${ctx.workflowId} looks at the input next; its own status shows what it finds.`,
      });
      const h = env.client.workflow.getHandle<typeof amcIdMapping>(ctx.workflowId);
      await until(h, guarding);
      ctx.amc.setInput({ ...baseRows(), extra: ['dan@example.com'] });
      await tick(2);
      const s = await until(h, (st) => st.inputsProcessed === 2 && st.stage === 'guarding', DAY);
      expect(s.lastInput?.diff).toMatchObject({ appended: 1 });
      expect(ctx.amc.posts).toBe(1);

      const text = historyText(await h.fetchHistory());
      expect(text).toContain(s.tables[0]!.id);
      for (const email of [...EMAILS, 'dan@example.com']) expect(text).not.toContain(email);
      await deleteAndEnd(h);
    });
  });
});

describe('amcIdMappingInputArrived status', () => {
  it('a tick with an invalid config fails naming the field, and its status says failed, with no guard id', async () => {
    await withWorker(async (ctx) => {
      const workflowId = `${workflowIds.amcIdMappingInput(ctx.config.amc.instanceId, ctx.config.name)}-bad`;
      const bad = { ...ctx.config, region: 'eu-west-1' } as unknown as AmcIdMappingInput;
      const failure = await env.client.workflow.execute(amcIdMappingInputArrived, { taskQueue: ctx.taskQueue, workflowId, args: [bad] }).catch((err: Error) => err);
      expect((failure as Error & { cause?: { cause?: Error } }).cause?.cause?.message).toContain('region');
      const status = await env.client.workflow.getHandle(workflowId).query(amcIdMappingInputArrivedStatusQuery);
      expect([status.stage, status.guardWorkflowId]).toEqual(['failed', undefined]);
    });
  });
});

/** History lengths of every run of a continue-as-new chain, first to last. */
async function runHistoryLengths(workflowId: string, firstRunId: string): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return lengths;
}
