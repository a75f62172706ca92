import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import {
  AUDIENCE_COLUMNS_INVALID,
  AUDIENCE_REPLACE_TOO_LARGE,
  AUDIENCE_TOO_SMALL,
  INVALID_INPUT,
  PROTECTED_QUERY_CANCELLED,
  PROTECTED_QUERY_FAILED,
  TIKTOK_AUDIENCE_AMBIGUOUS,
} from '../../schemas/failures';
import { jobQueueLabels, workflowIds } from '../../schemas/temporal-names';
import { audienceUpload } from '../../workflows/audience-upload/audience-upload';
import type { AudienceUploadInput } from '../../schemas/audience-upload/audience-upload';
import { bundleQuietly, connectTimeSkipping } from '../helpers/environments';
import { workflowFailureOf } from '../helpers/failures';
import { FakeTiktok } from './fake-tiktok';

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let seq = 0;

beforeAll(async () => {
  env = await connectTimeSkipping();
  bundle = await bundleQuietly(join(__dirname, 'audience-upload-workflows.ts'));
});
afterAll(async () => {
  await env?.teardown();
});

const emails = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `person${from + i}@example.com`);
const phones = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `+1202555${String(from + i).padStart(4, '0')}`);
const day1 = () => ({ EMAIL_SHA256: emails(0, 2000), PHONE_SHA256: phones(0, 1500) });

function configFor(n: number, over: Partial<AudienceUploadInput> = {}, audience: Partial<AudienceUploadInput['audience']> = {}): AudienceUploadInput {
  return {
    name: `customers-${n}`,
    source: { kind: 's3', uri: 's3://raw-bucket/audience/customers.jsonl' },
    columns: [
      { name: 'age', kind: 'NON_PII' },
      { name: 'e-mail', kind: 'PII', type: 'EMAIL_SHA256' },
      { name: 'phone_number', kind: 'PII', type: 'PHONE_SHA256' },
      { name: 'mobile_advertiser_id', kind: 'NON_PII' },
    ],
    output: { workPrefix: `s3://audience-work/t${n}/` },
    audience: { name: `Customers ${n}`, ...audience },
    tiktok: { baseUrl: 'https://business-api.tiktok.com', credentialsSecretId: 'tiktok/credentials' },
    ...over,
  };
}

interface Ctx {
  tiktok: FakeTiktok;
  config: AudienceUploadInput;
  run: (config?: AudienceUploadInput, id?: string) => ReturnType<typeof env.client.workflow.start<typeof audienceUpload>>;
}

async function withWorker<T>(fn: (ctx: Ctx) => Promise<T>, setup?: (t: FakeTiktok) => void, over?: Partial<AudienceUploadInput>, audience?: Partial<AudienceUploadInput['audience']>): Promise<T> {
  const n = ++seq;
  const tiktok = new FakeTiktok(() => env.currentTimeMs());
  tiktok.setInput(day1());
  setup?.(tiktok);
  const taskQueue = `audience-upload-${n}`;
  const coordination = createWorkflowCoordinationActivities({ temporal: env.client });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: { ...tiktok.activities(), ...coordination } });
  const config = configFor(n, over, audience);
  let runs = 0;
  const run: Ctx['run'] = (c = config, id = `day-${++runs}`) => env.client.workflow.start(audienceUpload, { taskQueue, workflowId: workflowIds.audienceUpload(c.name, id), args: [c] });
  return worker.runUntil(async () => {
    const outcome = await fn({ tiktok, config, run });
    // The audience's turn queue completes once idle; left open it would hold the shared server's clock.
    await env.client.workflow
      .getHandle(workflowIds.erJobQueue(jobQueueLabels.audience(config.audience.name)))
      .result()
      .catch(() => undefined);
    return outcome;
  });
}

const filesOf = (t: FakeTiktok, id: string) => Object.values(t.appliedFiles[id] ?? {});

describe('audienceUpload', () => {
  it('creates one audience, uploads every file once through rate limiting, and waits until TikTok has processed it', async () => {
    await withWorker(
      async ({ tiktok, run }) => {
        const h = await run();
        const result = await h.result();
        expect(result).toMatchObject({ outcome: 'applied', created: true, identifiers: { EMAIL_SHA256: 2000, PHONE_SHA256: 1500 }, files: { uploaded: 4, applied: 4 } });
        expect(tiktok.audiences.size).toBe(1);
        const id = result.audienceIds.EMAIL_SHA256!;
        expect(result.audienceIds.PHONE_SHA256).toBe(id);
        expect(tiktok.calls.create).toBe(1);
        // Four files (2 email, 2 phone), each refused twice with 40100 first, each applied exactly once.
        expect(tiktok.calls.upload).toBe(4 * 3);
        expect(filesOf(tiktok, id)).toEqual([1, 1, 1, 1]);
        expect(tiktok.membersOf(id)).toEqual(tiktok.expectedMembers(day1()));
        expect(result.audience).toMatchObject({ isValid: true, size: 3500 });
        // Processing takes 2 hours; the poll waited it out, so the run ended after it.
        expect(tiktok.calls.check).toBeGreaterThan(1);
      },
      (t) => {
        t.throttlesPerFile = 2;
      },
    );
  });

  it('a re-run of the same input is a no-op that says so: it only checks that the audience is still on TikTok', async () => {
    await withWorker(async ({ tiktok, run }) => {
      const first = await (await run()).result();
      const calls = { ...tiktok.calls };
      const again = await (await run()).result();
      expect(again).toMatchObject({ outcome: 'unchanged', created: false, files: { uploaded: 0, applied: 0 }, audienceIds: first.audienceIds });
      expect(tiktok.calls).toEqual({ ...calls, find: calls.find + 1 });
    });
  });

  it('a re-run after the audience was deleted on TikTok makes it again with every file, once', async () => {
    await withWorker(async ({ tiktok, run }) => {
      const first = await (await run()).result();
      tiktok.audiences.delete(first.audienceIds.EMAIL_SHA256!);
      const again = await (await run()).result();
      expect(again).toMatchObject({ outcome: 'applied', created: true, files: { applied: 4 }, added: { EMAIL_SHA256: 2000, PHONE_SHA256: 1500 }, removed: { EMAIL_SHA256: 0, PHONE_SHA256: 0 } });
      const id = again.audienceIds.EMAIL_SHA256!;
      expect(id).not.toBe(first.audienceIds.EMAIL_SHA256);
      expect(tiktok.audiences.size).toBe(1);
      expect(filesOf(tiktok, id)).toEqual([1, 1, 1, 1]);
      expect(tiktok.membersOf(id)).toEqual(tiktok.expectedMembers(day1()));
      // And the run after that is unchanged again, against the new audience.
      expect(await (await run()).result()).toMatchObject({ outcome: 'unchanged', audienceIds: { EMAIL_SHA256: id } });
    });
  });

  it('a lost create response makes exactly one audience: the retry adopts it by name', async () => {
    await withWorker(
      async ({ tiktok, run }) => {
        const result = await (await run()).result();
        expect(tiktok.audiences.size).toBe(1);
        expect(tiktok.calls.create).toBe(1);
        expect(filesOf(tiktok, result.audienceIds.EMAIL_SHA256!)).toEqual([1, 1, 1, 1]);
      },
      (t) => {
        t.loseNextCreateResponse = true;
      },
    );
  });

  it('a run that died after some steps is completed by the next run: each file applied once, one audience', async () => {
    await withWorker(
      async ({ tiktok, run, config }) => {
        const oneFilePerCall = { ...config, tiktok: { ...config.tiktok, filesPerRequest: 1 } };
        await expect((await run(oneFilePerCall)).result()).rejects.toThrow();
        expect(tiktok.calls).toMatchObject({ create: 1, update: 2 });
        tiktok.failUpdateNumber = 0;
        const second = await (await run(oneFilePerCall)).result();
        expect(second).toMatchObject({ outcome: 'applied', created: false, files: { applied: 2 } });
        expect(tiktok.audiences.size).toBe(1);
        const id = second.audienceIds.EMAIL_SHA256!;
        expect(filesOf(tiktok, id)).toEqual([1, 1, 1, 1]);
        expect(tiktok.membersOf(id)).toEqual(tiktok.expectedMembers(day1()));
        // Recorded now: the next day diffs against this snapshot.
        expect((await (await run(oneFilePerCall)).result()).outcome).toBe('unchanged');
      },
      (t) => {
        t.failUpdateNumber = 2;
      },
    );
  });

  it('day 2 in delta mode APPENDs the new and REMOVEs the gone; the audience equals day 2’s input', async () => {
    await withWorker(async ({ tiktok, run }) => {
      const first = await (await run()).result();
      const id = first.audienceIds.EMAIL_SHA256!;
      const day2 = { EMAIL_SHA256: emails(100, 2100), PHONE_SHA256: phones(0, 1500) };
      tiktok.setInput(day2);
      const second = await (await run()).result();
      expect(second).toMatchObject({ outcome: 'applied', created: false, added: { EMAIL_SHA256: 100, PHONE_SHA256: 0 }, removed: { EMAIL_SHA256: 100, PHONE_SHA256: 0 } });
      expect(tiktok.audiences.size).toBe(1);
      expect(tiktok.membersOf(id)).toEqual(tiktok.expectedMembers(day2));
      expect(second.files).toEqual({ uploaded: 2, applied: 2 });
    });
  });

  it('refuses a delta that would leave the audience under minimumSize before any TikTok call', async () => {
    await withWorker(async ({ tiktok, run }) => {
      await (await run()).result();
      tiktok.setInput({ EMAIL_SHA256: emails(0, 400), PHONE_SHA256: phones(0, 400) });
      const calls = { ...tiktok.calls };
      const failure = await workflowFailureOf((await run()).result());
      expect(failure.type).toBe(AUDIENCE_TOO_SMALL);
      expect(failure.message).toContain('holds 3500 identifiers; adding 0 and removing 2700 would leave 800');
      expect(tiktok.calls).toEqual(calls);
    });
  });

  it('refuses a first create under minimumSize unless allowSmallCreate', async () => {
    const small = (t: FakeTiktok) => t.setInput({ EMAIL_SHA256: emails(0, 300) });
    await withWorker(async ({ tiktok, run }) => {
      const failure = await workflowFailureOf((await run()).result());
      expect(failure.type).toBe(AUDIENCE_TOO_SMALL);
      expect(tiktok.calls.find + tiktok.calls.upload + tiktok.calls.create).toBe(0);
    }, small);
    await withWorker(
      async ({ tiktok, run }) => {
        expect((await (await run()).result()).created).toBe(true);
        expect(tiktok.audiences.size).toBe(1);
      },
      small,
      undefined,
      { allowSmallCreate: true },
    );
  });

  const emailOnly: AudienceUploadInput['columns'] = [
    { name: 'age', kind: 'NON_PII' },
    { name: 'e-mail', kind: 'PII', type: 'EMAIL_SHA256' },
    { name: 'phone_number', kind: 'NON_PII' },
    { name: 'mobile_advertiser_id', kind: 'NON_PII' },
  ];

  it('replace: two identifier types in one audience are refused as input; more files than one request carries, before any TikTok call', async () => {
    await withWorker(
      async ({ tiktok, run }) => {
        const failure = await workflowFailureOf((await run()).result());
        expect(failure.type).toBe(INVALID_INPUT);
        expect(failure.message).toContain('replace with layout one takes one PII type');
        expect(tiktok.calls.find).toBe(0);
      },
      undefined,
      undefined,
      { mode: 'replace' },
    );
    await withWorker(
      async ({ tiktok, run, config }) => {
        await (await run()).result();
        tiktok.setInput({ EMAIL_SHA256: emails(0, 5000) });
        const calls = { ...tiktok.calls };
        const failure = await workflowFailureOf((await run({ ...config, tiktok: { ...config.tiktok, filesPerRequest: 2 } })).result());
        expect(failure.type).toBe(AUDIENCE_REPLACE_TOO_LARGE);
        expect(failure.message).toContain('needs 5 files, more than tiktok.filesPerRequest (2)');
        expect(tiktok.calls).toEqual(calls);
      },
      (t) => t.setInput({ EMAIL_SHA256: emails(0, 2000) }),
      { columns: emailOnly },
      { mode: 'replace' },
    );
  });

  it('replace: one REPLACE carries the new snapshot, and the audience equals it', async () => {
    await withWorker(
      async ({ tiktok, run }) => {
        const first = await (await run()).result();
        const id = first.audienceIds.EMAIL_SHA256!;
        tiktok.setInput({ EMAIL_SHA256: emails(500, 2500) });
        const updates = tiktok.calls.update;
        await (await run()).result();
        expect(tiktok.calls.update - updates).toBe(1);
        expect(tiktok.membersOf(id)).toEqual(tiktok.expectedMembers({ EMAIL_SHA256: emails(500, 2500) }));
      },
      (t) => t.setInput({ EMAIL_SHA256: emails(0, 2000) }),
      { columns: emailOnly },
      { mode: 'replace' },
    );
  });

  it('two TikTok audiences of the configured name: refused, naming both ids', async () => {
    await withWorker(async ({ tiktok, run, config }) => {
      const a = tiktok.addAudience(config.audience.name);
      const b = tiktok.addAudience(config.audience.name);
      const failure = await workflowFailureOf((await run()).result());
      expect(failure.type).toBe(TIKTOK_AUDIENCE_AMBIGUOUS);
      expect(failure.message).toContain(`${a}, ${b}`);
      expect(tiktok.calls.upload).toBe(0);
    });
  });

  it('a column in the file but not in the definition: refused before preparing, naming the column', async () => {
    await withWorker(
      async ({ run }) => {
        const failure = await workflowFailureOf((await run()).result());
        expect(failure.type).toBe(AUDIENCE_COLUMNS_INVALID);
        expect(failure.message).toContain('the source has columns the definition lacks (add each to columns as PII with its type, or NON_PII): zip');
      },
      (t) => {
        t.header = [...t.header, 'zip'];
      },
    );
  });

  describe('Clean Rooms query source', () => {
    const querySource = { kind: 'cleanRoomsQuery' as const, membershipId: '3f0c8a9e-1b2d-4c5e-8f70-9a1b2c3d4e5f', sql: 'SELECT email FROM customers', resultBucket: 'query-results' };
    type History = { events?: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null }[] | null };
    const scheduled = (history: History, activity: string) => (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity).length;

    it('a query that runs 2 hours is one check activity in history, as one of 10 minutes is', async () => {
      const sizes: { checks: number; events: number }[] = [];
      for (const durationMs of [10 * 60_000, 2 * HOUR]) {
        await withWorker(
          async ({ tiktok, run }) => {
            const h = await run();
            const result = await h.result();
            expect(result.query).toEqual({ id: 'q-1', durationMs });
            expect(tiktok.queries).toHaveLength(1);
            const history = (await h.fetchHistory());
            sizes.push({ checks: scheduled(history, 'checkProtectedQuery'), events: history.events?.length ?? 0 });
          },
          (t) => {
            t.query = { durationMs, outcome: 'SUCCESS' };
          },
          { source: querySource },
        );
      }
      expect(sizes.map((s) => s.checks)).toEqual([1, 1]);
      // The rest differs only by how activity completions batch into workflow tasks, never with the wait.
      expect(Math.abs(sizes[1]!.events - sizes[0]!.events)).toBeLessThan(10);
    });

    for (const [outcome, type] of [
      ['FAILED', PROTECTED_QUERY_FAILED],
      ['CANCELLED', PROTECTED_QUERY_CANCELLED],
    ] as const) {
      it(`a ${outcome} query fails the run, naming the query`, async () => {
        await withWorker(
          async ({ tiktok, run }) => {
            const failure = await workflowFailureOf((await run()).result());
            expect(failure.type).toBe(type);
            expect(failure.message).toContain('q-1');
            expect(tiktok.calls.find).toBe(0);
          },
          (t) => {
            t.query = { durationMs: HOUR, outcome };
          },
          { source: querySource },
        );
      });
    }
  });
});
