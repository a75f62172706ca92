import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../pii/hash';
import type { PrepManifest } from '../../pii/prep/manifest';
import { npmScriptNodeFlags, PROJECT_ROOT } from '../../scripts/toolchain';

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
    expect(badColumn.stderr).toContain('mapped column "email" not in the input; its columns are: id, EMAIL, city, PHONE');

    const badProfileType = await prep(['--in', 'people.csv', '--out', 'x.csv', '--profile', 'uid2', '--map', 'city=CITY']);
    expect(badProfileType.code).toBe(2);
    expect(badProfileType.stderr).toContain('profile uid2 takes EMAIL, PHONE: not CITY (column "city")');
  }, 60_000);
});
