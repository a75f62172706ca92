import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { prepareFile } from '../../pii/prep/run/prepare-file';
import type { Sandbox } from '../../sandbox/server';
import { prepRulesSchema } from '../../schemas/preparation/prep';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { prepareIdentityData } from '../../workflows/preparation/prepare-identity-data';
import { createWorker } from '../../worker/create-worker';
import { connectDevServer, workflowBundle } from '../helpers/environments';
import { sandboxWithClients } from '../helpers/sandbox';
import { objectText } from '../helpers/s3-objects';
import { historyText } from '../helpers/history-text';

/**
 * prepareIdentityData on the dev server with the production worker and the sandbox's S3: two input
 * objects, one split into aligned byte ranges, prepared as parallel activities; the combined manifest
 * reconciles, the parts hold exactly what the CLI engine produces from the same data, and the history
 * holds none of the input's emails or phones.
 */
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let aws: ActivityDeps;
let dir: string;

beforeAll(async () => {
  env = await connectDevServer();
  ({ sandbox, clients: aws } = await sandboxWithClients());
  dir = await mkdtemp(join(tmpdir(), 'prep-e2e-'));
}, 60_000);
afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

function customers(from: number, count: number): { text: string; emails: string[]; phones: string[] } {
  const rows: string[][] = [['customer_id', 'note', 'email', 'phone']];
  const emails: string[] = [];
  const phones: string[] = [];
  for (let i = from; i < from + count; i++) {
    const email = ` Person.${i}.${randomBytes(3).toString('hex')}@Example.COM `;
    const phone = `(${200 + (i % 700)}) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`;
    emails.push(email.trim());
    phones.push(phone);
    // Every 97th row has a bad email, every 13th a quoted note with a line break: records span lines.
    rows.push([`C${i}`, i % 13 === 0 ? `line one\nline "two"` : 'ok', i % 97 === 0 ? 'not-an-email' : email, phone]);
  }
  return { text: Papa.unparse(rows, { newline: '\n' }) + '\n', emails, phones };
}

describe('prepareIdentityData end to end (dev server, sandbox S3, production worker)', () => {
  it('fans a large object out over byte ranges and matches the single-process engine', async () => {
    const big = customers(0, 45_000);
    const small = customers(45_000, 500);
    expect(big.text.length).toBeGreaterThan(2.5 * 1024 * 1024);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'prep-e2e' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'prep-e2e', Key: 'in/a.csv', Body: big.text }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'prep-e2e', Key: 'in/b.csv', Body: small.text }));
    const rules = { profile: 'uid2' as const, columns: { email: 'EMAIL' as const, phone: 'PHONE' as const } };

    const taskQueue = `${TASK_QUEUE}-prep-e2e-${Date.now()}`;
    const worker = await createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
      clients: { ...aws, prepThreads: 1 },
      // No payload codec here, so the check below reads the history as plain JSON.
      dataConverter: {},
      workflowBundle: workflowBundle(),
    });
    const workflowId = `prep-e2e-${Date.now()}`;
    const summary: PrepSummary = await worker.runUntil(
      env.client.workflow.execute(prepareIdentityData, {
        taskQueue,
        workflowId,
        args: [{ input: 's3://prep-e2e/in/', output: 's3://prep-e2e/out/', rules, splitBytes: 1024 * 1024, partRows: 5_000 }],
      }),
    );

    const manifest = JSON.parse(await objectText(aws.s3, summary.manifestUri)) as PrepManifest;
    expect(manifest.inputs.filter((i) => i.uri === 's3://prep-e2e/in/a.csv').length).toBeGreaterThanOrEqual(3);
    expect(summary.counts.rowsIn).toBe(45_500);
    expect(summary.counts.rowsOut + summary.counts.rowsRejected).toBe(45_500);
    const badEmails = Array.from({ length: 45_500 }, (_, i) => i).filter((i) => i % 97 === 0).length;
    expect(summary.counts.columns.email!.rejected).toBe(badEmails);

    // The parts, in task and part order, hold the rows the single-process engine writes for the same objects.
    const parts = await Promise.all(manifest.outputs.map((o) => objectText(aws.s3, o.uri)));
    const fromParts = parts.flatMap((text) => Papa.parse<string[]>(text.trimEnd(), { newline: '\n' }).data.slice(1));
    const expected: string[][] = [];
    for (const [name, data] of [['a', big], ['b', small]] as const) {
      await writeFile(join(dir, `${name}.csv`), data.text);
      await prepareFile({ input: join(dir, `${name}.csv`), output: join(dir, `${name}.out.csv`), rules: prepRulesSchema.parse(rules), threads: 0 });
      expected.push(...Papa.parse<string[]>((await readFile(join(dir, `${name}.out.csv`), 'utf8')).trimEnd(), { newline: '\n' }).data.slice(1));
    }
    expect(fromParts).toEqual(expected);

    // Rejects keep the object's own row numbers across ranges: row 97 is the second bad email of a.csv (C97).
    const rejects = (await Promise.all(manifest.rejects.map((o) => objectText(aws.s3, o.uri)))).join('');
    expect(rejects).toMatch(/^98,email,not an email address,C97,/m);

    const history = historyText(await new Client({ connection: env.connection }).workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain('"splitBytes":1048576'); // the scan reads the payloads' plain text
    for (const value of [...big.emails.slice(0, 200), ...big.phones.slice(0, 200), ...small.emails]) expect(history).not.toContain(value);
  }, 180_000);

  it("writes TikTok's per-type layout through the workflow: typed, headerless parts under the cap, the same lines as the CLI engine", async () => {
    const data = customers(0, 6_000);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'prep-e2e-per-type' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'prep-e2e-per-type', Key: 'in/a.csv', Body: data.text }));
    const rules = { profile: 'tiktok' as const, columns: { email: 'EMAIL' as const, phone: 'PHONE' as const }, keepUnmapped: false, outputHeader: 'none' as const };
    const taskQueue = `${TASK_QUEUE}-prep-e2e-per-type-${Date.now()}`;
    const worker = await createWorker({
      connection: env.nativeConnection,
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKER_MAX_CONCURRENT_ACTIVITIES: 4 },
      clients: { ...aws, prepThreads: 1 },
      dataConverter: {},
      workflowBundle: workflowBundle(),
    });
    const summary: PrepSummary = await worker.runUntil(
      env.client.workflow.execute(prepareIdentityData, {
        taskQueue,
        workflowId: `prep-e2e-per-type-${Date.now()}`,
        args: [{ input: 's3://prep-e2e-per-type/in/a.csv', output: 's3://prep-e2e-per-type/out/', rules, partRows: 2_000, outputLayout: 'per-type', maxOutputBytes: 64 * 1024 }],
      }),
    );
    const manifest = JSON.parse(await objectText(aws.s3, summary.manifestUri)) as PrepManifest;
    expect(new Set(manifest.outputs.map((o) => o.type))).toEqual(new Set(['EMAIL', 'PHONE']));
    for (const object of manifest.outputs) {
      expect(object.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(object.uri).toContain(`/data/${object.type!.toLowerCase()}/part-`);
    }
    await writeFile(join(dir, 'per-type.csv'), data.text);
    await prepareFile({ input: join(dir, 'per-type.csv'), output: join(dir, 'per-type-out'), outputLayout: 'per-type', rules: prepRulesSchema.parse(rules), threads: 0 });
    for (const type of ['EMAIL', 'PHONE'] as const) {
      const fromParts = (await Promise.all(manifest.outputs.filter((o) => o.type === type).map((o) => objectText(aws.s3, o.uri)))).join('');
      expect(fromParts).toBe(await readFile(join(dir, 'per-type-out', `${type.toLowerCase()}.csv`), 'utf8'));
    }
  }, 180_000);
});
