import { randomInt } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schedulesConfigSchema } from '../../schemas/schedules';
import { validateConfig } from '../../starters/lib/load-config';
import {
  applySchedules,
  deleteSchedule,
  listSchedules,
  MANAGED_BY,
  pauseSchedule,
  triggerSchedule,
  unpauseSchedule,
  type SchedulesSource,
} from '../../starters/lib/schedules';

// Schedules need a real dev server: the time-skipping test server does not implement them.
// No worker polls this task queue: the triggered workflow only has to exist, not to run.
const runTag = `${Date.now().toString(36)}-${randomInt(1e6)}`;
const scheduleId = `e2e-uid2-${runTag}`;
const taskQueue = `schedules-e2e-${runTag}`;
const account = String(randomInt(1e11, 1e12 - 1)).padStart(12, '0');
const workflowIdPrefix = `uid2-subscription-approval/${account}`;
const twiceADay = { every: ['12 hours'], note: 'e2e, twice a day too' };

function source(overrides: Record<string, unknown> = {}, extra: Record<string, unknown>[] = []): SchedulesSource {
  const schedule = {
    id: scheduleId,
    workflow: 'uid2SubscriptionApproval',
    input: { account, deadline: '1 day' },
    cron: ['0 6 1 1 *'],
    timezone: 'Europe/Paris',
    catchupWindow: '1 hour',
    note: 'e2e',
    ...overrides,
  };
  return { file: 'e2e', config: validateConfig('e2e', { schedules: [schedule, ...extra] }, schedulesConfigSchema) };
}

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let connection: Connection;
let client: Client;
const started: string[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  client = new Client({ connection, namespace: 'default' });
});

afterAll(async () => {
  if (!client) return;
  for (const id of started) await client.workflow.getHandle(id).terminate('schedules e2e cleanup').catch(() => undefined);
  for (const id of [scheduleId, `${scheduleId}-bad`]) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await connection.close();
});

describe('schedules against a dev server', () => {
  const describeSchedule = () => client.schedule.getHandle(scheduleId).describe();

  it('apply creates the schedule with the registry workflow id and input', async () => {
    expect(await applySchedules(client, source(), { taskQueue })).toEqual([
      { id: scheduleId, workflowType: 'uid2SubscriptionApproval', outcome: 'created' },
    ]);
    const d = await describeSchedule();
    expect(d.memo).toEqual({ managedBy: MANAGED_BY });
    expect(d.action).toMatchObject({ workflowType: 'uid2SubscriptionApproval', workflowId: workflowIdPrefix, taskQueue });
    expect(d.action.args).toEqual([{ input: expect.objectContaining({ account, deadline: '1 day', providerName: 'UID2' }) as unknown }]);
    expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false });
    expect(d.spec.timezone).toBe('Europe/Paris');
    expect(d.state).toMatchObject({ paused: false, note: 'e2e' });
  });

  it('re-applying is idempotent; a change is reported and applied, a dry run writes nothing', async () => {
    expect((await applySchedules(client, source(), { taskQueue }))[0]?.outcome).toBe('unchanged');

    const changed = source(twiceADay);
    const dry = await applySchedules(client, changed, { taskQueue, dryRun: true });
    expect(dry[0]).toMatchObject({ outcome: 'updated', changes: ['spec.every', 'state.note'] });
    expect((await describeSchedule()).spec.intervals).toEqual([]);

    expect((await applySchedules(client, changed, { taskQueue }))[0]).toMatchObject({ outcome: 'updated', changes: ['spec.every', 'state.note'] });
    const d = await describeSchedule();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([12 * 3_600_000]);
    expect(d.state.note).toBe('e2e, twice a day too');
    expect((await applySchedules(client, changed, { taskQueue }))[0]?.outcome).toBe('unchanged');
  });

  it('reports a schedule the server refuses as failed and still applies the others', async () => {
    const bad = { ...source().config.schedules[0], id: `${scheduleId}-bad`, cron: ['61 25 * * *'] };
    const results = await applySchedules(client, source(twiceADay, [bad]), { taskQueue });
    expect(results.map((r) => r.outcome)).toEqual(['unchanged', 'failed']);
    expect(results[1]?.error).toMatch(/Minute is not in range/);
  });

  it('list shows the schedule with its workflow type', async () => {
    const listed = await eventually(async () => (await listSchedules(client)).find((s) => s.id === scheduleId && s.workflowType), 'the schedule in list');
    expect(listed).toMatchObject({ workflowType: 'uid2SubscriptionApproval', paused: false, managed: true });
    expect(listed.nextActionTimes.length).toBeGreaterThan(0);
  });

  it('pause and unpause change its state', async () => {
    await pauseSchedule(client, scheduleId, 'e2e: paused');
    expect((await describeSchedule()).state).toMatchObject({ paused: true, note: 'e2e: paused' });
    await unpauseSchedule(client, scheduleId, 'e2e: resumed');
    expect((await describeSchedule()).state).toMatchObject({ paused: false, note: 'e2e: resumed' });
  });

  it('trigger starts the workflow under the registry id (plus the run time Temporal appends)', async () => {
    await triggerSchedule(client, scheduleId);
    const execution = await eventually(async () => {
      for await (const wf of client.workflow.list({ query: "WorkflowType = 'uid2SubscriptionApproval'" })) {
        if (wf.workflowId.startsWith(`${workflowIdPrefix}-`)) return wf;
      }
      return undefined;
    }, 'the triggered workflow in visibility');
    started.push(execution.workflowId);
    expect(execution.taskQueue).toBe(taskQueue);
    expect((await describeSchedule()).info.recentActions.map((a) => a.action.workflow.workflowId)).toContain(execution.workflowId);
  });

  it('delete removes it', async () => {
    await deleteSchedule(client, scheduleId);
    await expect(describeSchedule()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expect(deleteSchedule(client, scheduleId)).rejects.toThrow(`schedule "${scheduleId}" not found in namespace "default"`);
  });
});
