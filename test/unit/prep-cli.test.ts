import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../pii/hash';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { npmScriptNodeFlags, PROJECT_ROOT } from '../../toolchain/paths';

/** `npm run prep` as a user runs it: the script, with its Node flags, in a child process, on files, no Temporal. */
const run = promisify(execFile);
let dir: string;

async function prep(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [...npmScriptNodeFlags('prep'), join(PROJECT_ROOT, 'starters/prep.ts'), ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prep-cli-'));
  await writeFile(join(dir, 'people.csv'), 'id,EMAIL,city,PHONE\n1, Jane.Doe@Example.com ,Paris,(415) 555-0123\n2,not-an-email,Lyon,\n3,,Nice,+1 212 555 0199\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run prep', () => {
  it('prepares a file for AMC, keeps the column order, writes rejects beside the output and prints the manifest', async () => {
    const { code, stdout, stderr } = await prep(['--in', 'people.csv', '--out', 'hashed.csv', '--profile', 'amc', '--map', 'EMAIL=EMAIL,PHONE=PHONE', '--threads', '1']);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(stdout) as PrepManifest;
    expect(manifest.counts).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(manifest.counts.columns.EMAIL).toMatchObject({ normalized: 1, rejected: 1, empty: 1, reasons: { 'not an email address': 1 } });
    expect(stderr).toContain('3 rows read, 2 written to hashed.csv, 1 rejected');

    const out = Papa.parse<string[]>((await readFile(join(dir, 'hashed.csv'), 'utf8')).trimEnd()).data;
    expect(out).toEqual([
      ['id', 'EMAIL', 'city', 'PHONE'],
      ['1', sha256Hex('jane.doe@example.com'), 'Paris', sha256Hex('14155550123')],
      ['3', '', 'Nice', sha256Hex('12125550199')],
    ]);
    expect(manifest.outputs[0]!.sha256).toBe(sha256Hex(await readFile(join(dir, 'hashed.csv'), 'utf8')));
    const rejects = Papa.parse<string[]>((await readFile(join(dir, 'hashed.rejects.csv'), 'utf8')).trimEnd()).data;
    expect(rejects).toEqual([
      ['row_number', 'rejected_columns', 'reasons', 'id', 'EMAIL', 'city', 'PHONE'],
      ['2', 'EMAIL;PHONE', 'not an email address; empty', '2', 'not-an-email', 'Lyon', ''],
    ]);
  }, 60_000);

  it('exits 2 naming the problem for an unknown type or a column the file does not have', async () => {
    const badType = await prep(['--in', 'people.csv', '--out', 'x.csv', '--profile', 'uid2', '--map', 'EMAIL=MAIL']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('"EMAIL=MAIL" is not column=TYPE with TYPE one of EMAIL, PHONE');

    const badColumn = await prep(['--in', 'people.csv', '--out', 'x.csv', '--profile', 'uid2', '--map', 'email=EMAIL']);
    expect(badColumn.code).toBe(2);
    expect(badColumn.stderr).toContain(`mapped column "email" not in the input's header (4 columns; is its first line a header?)`);

    const badProfileType = await prep(['--in', 'people.csv', '--out', 'x.csv', '--profile', 'uid2', '--map', 'city=CITY']);
    expect(badProfileType.code).toBe(2);
    expect(badProfileType.stderr).toContain('profile uid2 takes EMAIL, PHONE: not CITY (column "city")');
  }, 60_000);

  it('prints no value of the data when the mapped columns are missing: a headerless file gets a column count, a binary one is named binary', async () => {
    const firstRow = ['jane.doe@example.com', '+14155550123', 'Jane Doe'];
    await writeFile(join(dir, 'headerless.csv'), `${firstRow.join(',')}
john@example.com,+14155550199,John Roe
`);
    const headerless = await prep(['--in', 'headerless.csv', '--out', 'x.csv', '--profile', 'uid2', '--map', 'email=EMAIL']);
    expect(headerless.code).toBe(2);
    expect(headerless.stderr).toContain(`mapped column "email" not in the input's header (3 columns; is its first line a header?)`);
    for (const value of [...firstRow, 'jane', '4155550123']) expect(headerless.stderr + headerless.stdout).not.toContain(value);

    await writeFile(join(dir, 'image.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x0a]));
    const binary = await prep(['--in', 'image.csv', '--out', 'y.csv', '--profile', 'uid2', '--map', 'email=EMAIL']);
    expect(binary.code).toBe(2);
    expect(binary.stderr).toContain('image.csv looks binary, not CSV: its first line holds control bytes or bytes that are not UTF-8');
    expect(binary.stderr).not.toMatch(/[\u0000-\u0008\u000e-\u001f]|PNG|IHDR/);
  }, 60_000);

  it('--drop-unmapped --no-header: only the mapped columns, no header line', async () => {
    const { code, stderr } = await prep(['--in', 'people.csv', '--out', 'mapped.csv', '--profile', 'tiktok', '--map', 'EMAIL=EMAIL,PHONE=PHONE', '--drop-unmapped', '--no-header', '--threads', '0']);
    expect(code, stderr).toBe(0);
    expect(Papa.parse<string[]>((await readFile(join(dir, 'mapped.csv'), 'utf8')).trimEnd()).data).toEqual([
      [sha256Hex('jane.doe@example.com'), sha256Hex('14155550123')],
      ['', sha256Hex('12125550199')],
    ]);
  }, 60_000);

  it("--per-type --max-file-bytes: one headerless file per type in --out (TikTok's customer files), rolled over at the cap", async () => {
    const lines = ['id,EMAIL,city,PHONE', ...Array.from({ length: 40 }, (_, i) => `${i},user${i}@example.com,Paris,(415) 555-${String(1000 + i)}`)];
    await writeFile(join(dir, 'many.csv'), `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await prep(['--in', 'many.csv', '--out', 'per-type', '--profile', 'tiktok', '--map', 'EMAIL=EMAIL,PHONE=PHONE', '--per-type', '--max-file-bytes', '1300', '--threads', '0']);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(stdout) as PrepManifest;
    expect(manifest.outputs.map((o) => [o.uri, o.type])).toEqual([
      ['per-type/email.csv', 'EMAIL'],
      ['per-type/email-00001.csv', 'EMAIL'],
      ['per-type/phone.csv', 'PHONE'],
      ['per-type/phone-00001.csv', 'PHONE'],
    ]);
    const emails = (await readFile(join(dir, 'per-type/email.csv'), 'utf8')) + (await readFile(join(dir, 'per-type/email-00001.csv'), 'utf8'));
    expect(emails).toBe(Array.from({ length: 40 }, (_, i) => `${sha256Hex(`user${i}@example.com`)}\n`).join(''));
    for (const object of manifest.outputs) expect(object.bytes).toBeLessThanOrEqual(1300);
    expect(manifest.rejects[0]!.uri).toBe('per-type/rejects.csv');
  }, 60_000);
});
