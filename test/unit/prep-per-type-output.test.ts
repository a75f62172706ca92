import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../pii/hash';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { countsReconcile } from '../../pii/prep/run/prep-counts';
import { prepareParts, type PrepCheckpoint, type PreparePartsOptions } from '../../pii/prep/run/prepare-parts';
import { chunkExecutor } from '../../pii/prep/threads/chunk-executor';
import { prepareIdentityDataInputSchema } from '../../schemas/preparation/prep';
import { parseCsv, readRejects, rules, useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();

/** The Audience Uploader from AWS Clean Rooms' test record, as its test file spells it. */
const SEED_RECORD = { age: 35, 'e-mail': ' fake_email@doesnotexist.com ', phone_number: '(123)-123-1234', mobile_advertiser_id: ' 918F1D4F-D195-4A8B-AF47-44683FE11DB9 ' };

function syntheticRecord(i: number) {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').toUpperCase();
  return {
    age: 20 + (i % 50),
    'e-mail': i % 10 === 3 ? '' : ` Person${i}@Example.com `,
    phone_number: i % 500 === 7 ? '555' : `(415) 555-${String(i % 10_000).padStart(4, '0')}`,
    mobile_advertiser_id: ` ${hex(i, 8)}-D195-4A8B-AF47-${hex(i * 7919, 12)} `,
  };
}

const tiktokRules = (extra: object = {}) =>
  rules({ profile: 'tiktok', columns: { 'e-mail': 'EMAIL', phone_number: 'PHONE', mobile_advertiser_id: 'IDFA' }, keepUnmapped: false, outputHeader: 'none', ...extra });

async function seedInput(records = 2000): Promise<string> {
  const input = tmp.path('customers.jsonl');
  const lines = [SEED_RECORD, ...Array.from({ length: records }, (_, i) => syntheticRecord(i))].map((r) => JSON.stringify(r));
  await writeFile(input, `${lines.join('\n')}\n`);
  return input;
}

type Options = Pick<PreparePartsOptions, 'task' | 'outputPrefix' | 'outputFormat' | 'rules' | 'partRows' | 'outputLayout' | 'maxOutputBytes'>;

async function run(opts: Options, hooks: Pick<PreparePartsOptions, 'onCommit' | 'resume'> = { onCommit: () => undefined }, threads = 0): Promise<PrepManifest> {
  const executor = chunkExecutor(threads);
  try {
    return await prepareParts({ ...opts, ...hooks, executor });
  } finally {
    await executor.close();
  }
}

const options = (input: string, out: string, extra: Partial<Options> = {}): Options => ({
  task: { index: 0, input, format: 'jsonl', rowOffset: 0 },
  outputPrefix: tmp.path(out),
  outputFormat: 'csv',
  rules: tiktokRules(),
  partRows: 1_000_000,
  outputLayout: 'per-type',
  ...extra,
});

async function filesUnder(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.csv')).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')] as const)));
}

const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

describe("outputLayout 'per-type' (TikTok's customer files: one identifier type a file, one value a line, no header)", () => {
  it("writes the uploader's test record and 2,000 more as one headerless file per type, drops the non-PII column, skips empty values, rejects with reasons", async () => {
    const input = await seedInput();
    const manifest = await run(options(input, 'out'));
    expect(countsReconcile(manifest.counts)).toEqual([]);
    expect(manifest.counts.rowsIn).toBe(2001);

    expect(manifest.outputs.map((o) => o.type)).toEqual(['EMAIL', 'IDFA', 'PHONE']);
    for (const object of manifest.outputs) expect(relative(tmp.path('out'), object.uri)).toMatch(new RegExp(`^data/${object.type!.toLowerCase()}/part-00000-00000\\.csv$`));

    const files = await filesUnder(tmp.path('out/data'));
    const emails = linesOf(files['email/part-00000-00000.csv']!);
    const phones = linesOf(files['phone/part-00000-00000.csv']!);
    const idfas = linesOf(files['idfa/part-00000-00000.csv']!);
    for (const line of [...emails, ...phones, ...idfas]) expect(line).toMatch(/^[0-9a-f]{64}$/);
    // Audience Uploader from AWS Clean Rooms' test record: email trimmed and lowercased, the IDFA lowercased, the phone E.164 without its '+'
    // ((123)-123-1234 has a possible NANP length; the engine checks E.164's lengths, not the numbering plan).
    expect(emails[0]).toBe(sha256Hex('fake_email@doesnotexist.com'));
    expect(idfas[0]).toBe(sha256Hex('918f1d4f-d195-4a8b-af47-44683fe11db9'));
    expect(phones[0]).toBe(sha256Hex('11231231234'));
    // Empty emails (every tenth synthetic record) are skipped, not written as empty lines.
    expect(emails).toHaveLength(1 + 2000 - 200);
    expect(phones).toHaveLength(2001 - 4);
    expect(idfas).toHaveLength(2001);
    expect(manifest.counts.columns['e-mail']!.empty).toBe(200);
    // No column but the mapped ones: the age values appear nowhere (no commas, one value a line).
    for (const text of Object.values(files)) expect(text).not.toContain(',');

    const { rejects } = await readRejects(manifest.rejects[0]!.uri);
    // The four impossible phones: each row is kept for its other identifiers and listed with its reason.
    expect(rejects.map((r) => [r.row, r.columns, r.reasons])).toEqual([9, 509, 1009, 1509].map((row) => [row, 'phone_number', 'not a phone number in E.164 or a US national format']));
    expect(manifest.counts.columns.phone_number!.rejected).toBe(4);
    // The rejects keep the row as read, every column included, for the data's owner.
    expect(rejects[0]!.values).toEqual(['27', ' Person7@Example.com ', '555', ' 00000007-D195-4A8B-AF47-00000000D889 ']);
  });

  it('rolls each type over at maxOutputBytes: several objects, none over the cap, the same lines in the same order', async () => {
    const input = await seedInput();
    const whole = await run(options(input, 'whole'));
    const cap = 4096;
    const capped = await run(options(input, 'capped', { maxOutputBytes: cap }));
    expect(capped.outputs.length).toBeGreaterThan(whole.outputs.length * 10);
    for (const object of capped.outputs) {
      expect(object.bytes).toBeLessThanOrEqual(cap);
      expect((await stat(object.uri)).size).toBe(object.bytes);
    }
    for (const type of ['EMAIL', 'PHONE', 'IDFA'] as const) {
      const joined = async (m: PrepManifest) => (await Promise.all(m.outputs.filter((o) => o.type === type).map((o) => readFile(o.uri, 'utf8')))).join('');
      expect(await joined(capped)).toBe(await joined(whole));
    }
    expect(capped.outputs.map((o) => relative(tmp.path('capped'), o.uri))).toContain('data/email/part-00000-00000-00001.csv');
  });

  it('writes the same objects from worker threads as inline', async () => {
    const input = await seedInput();
    const inline = await run(options(input, 'inline', { maxOutputBytes: 8192 }));
    const threaded = await run(options(input, 'threaded', { maxOutputBytes: 8192 }), undefined, 2);
    expect(threaded.outputs.map((o) => [o.type, o.md5])).toEqual(inline.outputs.map((o) => [o.type, o.md5]));
  });

  it('gives each object the MD5 of its bytes (TikTok\'s file_signature)', async () => {
    const manifest = await run(options(await seedInput(), 'out', { maxOutputBytes: 8192 }));
    for (const object of manifest.outputs) expect(object.md5).toBe(createHash('md5').update(await readFile(object.uri)).digest('hex'));
  });

  it('resumes after a part was killed and ends with the same bytes', async () => {
    const input = await seedInput();
    const opts = (out: string) => options(input, out, { partRows: 1000, maxOutputBytes: 16_384, task: { index: 0, input, format: 'jsonl', rowOffset: 0, range: undefined } });
    const whole = await run(opts('whole'));
    let last: PrepCheckpoint | undefined;
    const crash = new Error('the worker died');
    await expect(
      run(opts('resumed'), {
        onCommit: (checkpoint) => {
          last = checkpoint;
          if (checkpoint.nextPart === 1) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(last?.nextPart).toBe(1);
    const resumed = await run(opts('resumed'), { onCommit: () => undefined, resume: last });
    expect(resumed.outputs.map((o) => [relative(tmp.path('resumed'), o.uri), o.md5])).toEqual(whole.outputs.map((o) => [relative(tmp.path('whole'), o.uri), o.md5]));
    expect(await filesUnder(tmp.path('resumed/data'))).toEqual(await filesUnder(tmp.path('whole/data')));
  });
});

describe('keepUnmapped false and outputHeader none in the rows layout', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    it(`writes only the mapped columns, without a header line (${format} input)`, async () => {
      const input = tmp.path(`in.${format}`);
      await writeFile(
        input,
        format === 'csv'
          ? 'age,email,note\n35,A@B.com,"x,y"\n36,,z\n'
          : `${JSON.stringify({ age: 35, email: 'A@B.com', note: 'x,y' })}\n${JSON.stringify({ age: 36, email: '', note: 'z' })}\n`,
      );
      const manifest = await run({
        task: { index: 0, input, format, rowOffset: 0 },
        outputPrefix: tmp.path('out'),
        outputFormat: 'csv',
        rules: rules({ profile: 'tiktok', columns: { email: 'EMAIL' }, keepUnmapped: false, outputHeader: 'none' }),
        partRows: 1_000_000,
      });
      const text = await readFile(manifest.outputs[0]!.uri, 'utf8');
      expect(parseCsv(text)).toEqual([[sha256Hex('a@b.com')]]);
      expect(manifest.outputs[0]!.type).toBeUndefined();
    });
  }

  it('keeps every column and the header unless asked (the existing behaviour)', async () => {
    const input = tmp.path('in.csv');
    await writeFile(input, 'age,email\n35,A@B.com\n');
    const manifest = await run({ task: { index: 0, input, format: 'csv', rowOffset: 0 }, outputPrefix: tmp.path('out'), outputFormat: 'csv', rules: rules({ profile: 'tiktok', columns: { email: 'EMAIL' } }), partRows: 1_000_000 });
    expect(parseCsv(await readFile(manifest.outputs[0]!.uri, 'utf8'))).toEqual([['age', 'email'], ['35', sha256Hex('a@b.com')]]);
  });

  it('refuses the CSV-only options with a Parquet output, naming the fields', () => {
    const parsed = prepareIdentityDataInputSchema.safeParse({
      input: 's3://in-bucket/x.csv',
      output: 's3://out/p/',
      outputFormat: 'parquet',
      outputLayout: 'per-type',
      maxOutputBytes: 4096,
      rules: { profile: 'tiktok', columns: { email: 'EMAIL' }, outputHeader: 'none' },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['maxOutputBytes', 'outputLayout', 'rules.outputHeader']);
  });
});
