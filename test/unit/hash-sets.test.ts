import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, shardOfHex, type SetOfType } from '../../pii/prep/hash-sets/build-snapshot';
import { diffSnapshots } from '../../pii/prep/hash-sets/diff-snapshots';
import { useTempDir } from '../fixtures/prep/harness';

const tmp = useTempDir();
const hash = (n: number) => createHash('sha256').update(`value-${n}`).digest('hex');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => hash(from + i));

/** Writes the values over `parts` files, in the order given, and returns them as a set's input. */
async function inputOf(dir: string, values: string[], parts: number): Promise<{ uris: string[]; bytes: number }> {
  await mkdir(tmp.path(dir), { recursive: true });
  const uris: string[] = [];
  for (let p = 0; p < parts; p++) {
    const uri = tmp.path(`${dir}/in-${p}.csv`);
    await writeFile(uri, values.filter((_, i) => i % parts === p).map((v) => `${v}\n`).join(''));
    uris.push(uri);
  }
  return { uris, bytes: values.length * 65 };
}

const linesOf = async (set: SetOfType) => (await Promise.all(set.files.map((f) => readFile(f.uri, 'utf8')))).join('').split('\n').filter((l) => l !== '');

describe('buildSnapshot', () => {
  const values = range(0, 3000);
  // Every value three times, shuffled deterministically.
  const repeated = [...values, ...values.slice().reverse(), ...values.filter((_, i) => i % 2 === 0), ...values.filter((_, i) => i % 2 === 1)];

  it('writes each set sorted and distinct, in files under the cap, with counts and MD5s', async () => {
    const snapshot = await buildSnapshot({ inputs: { EMAIL_SHA256: await inputOf('a', repeated, 3) }, prefix: tmp.path('snap/'), maxFileBytes: 16 * 1024 });
    const set = snapshot.EMAIL_SHA256!;
    expect(set.count).toBe(3000);
    expect(await linesOf(set)).toEqual(values.slice().sort());
    expect(set.files.length).toBe(Math.ceil(3000 / Math.floor((16 * 1024) / 65)));
    for (const file of set.files) {
      const bytes = await readFile(file.uri);
      expect(bytes.length).toBe(file.bytes);
      expect(file.bytes).toBeLessThanOrEqual(16 * 1024);
      expect(file.md5).toBe(createHash('md5').update(bytes).digest('hex'));
      const lines = bytes.toString().trim().split('\n');
      expect([file.first, file.last, file.count]).toEqual([lines[0], lines.at(-1), lines.length]);
    }
    expect(set.files.map((f) => f.uri.slice(tmp.path('snap/').length))).toEqual(set.files.map((_, i) => `email_sha256/part-${String(i).padStart(5, '0')}.csv`));
  });

  it('gives the same files for the same set however it was split, ordered or sharded', async () => {
    const cap = 16 * 1024;
    const a = await buildSnapshot({ inputs: { EMAIL_SHA256: await inputOf('a', repeated, 1) }, prefix: tmp.path('a-snap/'), maxFileBytes: cap });
    const b = await buildSnapshot({ inputs: { EMAIL_SHA256: await inputOf('b', repeated.slice().reverse(), 7) }, prefix: tmp.path('b-snap/'), maxFileBytes: cap });
    // Spilled over 8 hash-range shards, sorted one at a time, with a small memory budget.
    const c = await buildSnapshot({ inputs: { EMAIL_SHA256: await inputOf('c', repeated, 4) }, prefix: tmp.path('c-snap/'), maxFileBytes: cap, shardBytes: 64 * 1024, spillBudgetBytes: 8 * 1024 });
    const md5s = (s: Record<string, SetOfType>) => s.EMAIL_SHA256!.files.map((f) => f.md5);
    expect(md5s(b)).toEqual(md5s(a));
    expect(md5s(c)).toEqual(md5s(a));
    // The spill is removed once the set is written.
    expect((await readdir(tmp.path('c-snap/'))).sort()).toEqual(['email_sha256']);
  });

  it('shards hex values by contiguous ranges', () => {
    const sorted = range(0, 500).sort();
    const shards = sorted.map((v) => shardOfHex(v, 16));
    expect(shards).toEqual(shards.slice().sort((x, y) => x - y));
    expect(shardOfHex('f'.repeat(64), 4096)).toBe(4095);
  });

  it('refuses a line that is not a SHA-256 hex digest, naming its number and not its value', async () => {
    const uri = tmp.path('bad.csv');
    await writeFile(uri, `${hash(1)}\njane@example.com\n`);
    const run = buildSnapshot({ inputs: { EMAIL_SHA256: { uris: [uri], bytes: 100 } }, prefix: tmp.path('snap/'), maxFileBytes: 4096 });
    await expect(run).rejects.toThrow('set EMAIL_SHA256, value 2: not a SHA-256 hex digest');
    await expect(run).rejects.not.toThrow(/jane/);
  });
});

describe('diffSnapshots', () => {
  it('finds exactly what was added and removed, whatever the files and shards on either side', async () => {
    const before = range(0, 2500);
    const after = [...range(500, 2500), ...range(4000, 4700)];
    const previous = await buildSnapshot({ inputs: { EMAIL_SHA256: await inputOf('p', before, 2), PHONE_SHA256: await inputOf('pp', range(9000, 9100), 1) }, prefix: tmp.path('prev/'), maxFileBytes: 8 * 1024 });
    const current = await buildSnapshot({
      inputs: { EMAIL_SHA256: await inputOf('c', after, 5), IDFA_SHA256: await inputOf('ci', range(7000, 7050), 1) },
      prefix: tmp.path('curr/'),
      maxFileBytes: 20 * 1024,
      shardBytes: 32 * 1024,
    });
    const diff = await diffSnapshots({ previous, current, prefix: tmp.path('delta/'), maxFileBytes: 4096 });

    expect(diff.EMAIL_SHA256).toMatchObject({ added: 700, removed: 500, kept: 2000 });
    expect(await linesOf({ count: 0, files: diff.EMAIL_SHA256!.additions })).toEqual(range(4000, 4700).sort());
    expect(await linesOf({ count: 0, files: diff.EMAIL_SHA256!.removals })).toEqual(range(0, 500).sort());
    // A type only on one side is all added, or all removed.
    expect(diff.IDFA_SHA256).toMatchObject({ added: 50, removed: 0, kept: 0 });
    expect(diff.PHONE_SHA256).toMatchObject({ added: 0, removed: 100, kept: 0 });
    for (const file of Object.values(diff).flatMap((d) => [...d.additions, ...d.removals])) expect(file.bytes).toBeLessThanOrEqual(4096);
    expect(diff.EMAIL_SHA256!.additions[0]!.uri).toBe(tmp.path('delta/additions/email_sha256/part-00000.csv'));
  });

  it('finds nothing between a snapshot and itself', async () => {
    const snapshot = await buildSnapshot({ inputs: { GAID_SHA256: await inputOf('g', range(0, 300), 2) }, prefix: tmp.path('s/'), maxFileBytes: 4096 });
    const diff = await diffSnapshots({ previous: snapshot, current: snapshot, prefix: tmp.path('d/'), maxFileBytes: 4096 });
    expect(diff.GAID_SHA256).toEqual({ additions: [], removals: [], added: 0, removed: 0, kept: 300 });
  });
});
