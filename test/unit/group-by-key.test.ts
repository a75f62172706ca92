import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decideCollapse, mergeShardStats, type AmcColumnPlan, type AmcColumnSpec } from '../../schemas/amc-id-mapping/amc-columns';
import { GROUP_BY_KEY_FAILED } from '../../schemas/failures';
import { decodeEntries, diffFingerprints, encodeEntries } from '../../pii/prep/group/fingerprints';
import { groupShardKeys, readShard, statShardKeys } from '../../pii/prep/group/group-shard';
import { keyHash, shardCountFor, shardOf } from '../../pii/prep/group/key-hash';
import { addReduceCounts, emptyReduceCounts, sourcesOf, type ReduceCounts } from '../../pii/prep/group/reducers';
import { csvRecords, shardRows } from '../../pii/prep/group/shard-by-key';
import { csvLine, ShardWriter } from '../../pii/prep/group/shard-writer';
import type { RowSink } from '../../pii/prep/write/output-sinks';

const spec: AmcColumnSpec = { uniqueId: 'customer_id', columns: { email: 'EMAIL', phone: 'PHONE' }, split: { allow: false, namespaces: 'one' } };
const header = ['customer_id', 'note', 'email', 'phone'];

interface Grouped {
  tables: string[][][];
  fingerprints: Buffer;
  counts: ReduceCounts;
  plan: AmcColumnPlan;
  peak: number;
  objects: number;
}

/** Shards `rows` (prepared rows under `header`) in memory, decides the collapse from pass 1, and groups every shard in order. */
async function group(rows: string[][], opts: { shards: number; budget: number; maxValues?: Record<string, number>; columnSpec?: AmcColumnSpec }): Promise<Grouped> {
  const columnSpec = opts.columnSpec ?? spec;
  const sources = Object.keys(columnSpec.columns);
  const store = new Map<string, Uint8Array>();
  const writer = new ShardWriter(opts.shards, ['customer_id', ...sources], opts.budget, { uri: (s, seq) => `shard-${s}/part-${seq}`, put: async (uri, body) => void store.set(uri, body) });
  const text = [header, ...rows].map(csvLine).join('');
  await shardRows(csvRecords(Readable.from([text])), { keyColumn: 'customer_id', sources, shards: opts.shards, writer });
  const bodies = (s: number) => Array.from({ length: writer.objectsPerShard[s]! }, (_, seq) => store.get(`shard-${s}/part-${seq}`)!);
  const shardKeys = Array.from({ length: opts.shards }, (_, s) => readShard(s, bodies(s), ['customer_id', ...sources], 1 << 30, writer.rowsPerShard[s]));
  const decision = decideCollapse(columnSpec, mergeShardStats(shardKeys.map((k) => statShardKeys(k, sources))), opts.maxValues);
  if (!decision.ok) throw new Error(decision.message);
  const { plan } = decision;
  const tables: string[][][] = plan.tables.map(() => []);
  const sinks: RowSink[] = plan.tables.map((_, t) => ({ write: async () => undefined, writeRows: async (r) => void tables[t]!.push(...r), finish: async () => ({ uri: '', bytes: 0, sha256: '', md5: '' }) }));
  const counts = emptyReduceCounts(plan);
  const fingerprints: Buffer[] = [];
  for (const keys of shardKeys) {
    const result = await groupShardKeys(keys, { kind: 'amc-collapse', plan, maxRows: 25 }, sinks);
    addReduceCounts(counts, result.counts);
    fingerprints.push(result.fingerprints);
  }
  return { tables, fingerprints: Buffer.concat(fingerprints), counts, plan, peak: writer.peakBufferedBytes, objects: store.size };
}

const row = (id: string, email: string, phone = '') => [id, 'n', email, phone];

describe('group by key, AMC collapse', () => {
  it('collapses 30 distinct rows of one key into one row, its values in numbered columns, keeping shorter keys as they are', async () => {
    const rows = [...Array.from({ length: 30 }, (_, i) => row('k1', `e${i}`, i < 2 ? `p${i}` : '')), row('k2', 'x'), row('k2', 'y', 'p')];
    const out = await group(rows, { shards: 4, budget: 1 << 20, maxValues: { email: 25 } });
    expect(out.plan.widths).toEqual({ email: 22, phone: 2 });
    expect(out.plan.tables[0]!.map((c) => c.name)).toEqual([...Array.from({ length: 22 }, (_, i) => `email${i + 1}`), 'phone1', 'phone2']);
    const byKey = (key: string) => out.tables[0]!.filter((r) => r[0] === key);
    expect(byKey('k1')).toEqual([['k1', ...Array.from({ length: 22 }, (_, i) => `e${i}`), 'p0', 'p1']]);
    expect(byKey('k2')).toEqual([
      ['k2', 'x', ...new Array<string>(21).fill(''), '', ''],
      ['k2', 'y', ...new Array<string>(21).fill(''), 'p', ''],
    ]);
    expect(out.counts).toMatchObject({ keys: 2, rowsIn: 32, rowsOut: 3, collapsedKeys: 1, droppedValues: { email: 8, phone: 0 } });
  });

  it('keeps a key of 25 rows, and drops identical rows (counted) before deciding', async () => {
    const rows = [...Array.from({ length: 25 }, (_, i) => row('k1', `e${i}`)), ...Array.from({ length: 10 }, () => row('k1', 'e0'))];
    const out = await group(rows, { shards: 2, budget: 1 << 20 });
    expect(out.plan.widths).toEqual({ email: 1, phone: 1 });
    expect(out.tables[0]).toHaveLength(25);
    expect(out.counts).toMatchObject({ collapsedKeys: 0, duplicateRowsDropped: 10, rowsOut: 25 });
  });

  it('splits into tables when allowed, leaving out a table row whose columns are all empty', async () => {
    const wide: AmcColumnSpec = { ...spec, columns: { email: 'EMAIL', phone: 'PHONE' }, split: { allow: true, namespaces: 'one' } };
    const rows = [...Array.from({ length: 30 }, (_, i) => row('k1', `e${i}`, `p${i}`)), row('k2', 'x')];
    const out = await group(rows, { shards: 1, budget: 1 << 20, columnSpec: wide });
    expect(out.plan.tables.map((t) => t.length)).toEqual([24, 24]);
    expect(out.tables[0]!.map((r) => r[0])).toEqual(expect.arrayContaining(['k1', 'k2']));
    expect(out.tables[1]!.map((r) => r[0])).toEqual(['k1']);
    expect(out.counts.emptyRowsDropped).toEqual([0, 1]);
  });

  it('larger than its memory: a 16 KiB budget over 50k rows and 16 shards gives the output and fingerprints of one shard, buffering at most the budget', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => row(`c${i % 20_000}`, `mail${i % 7}-${i % 20_000}`, i % 3 === 0 ? `+1555${i % 20_000}` : ''));
    const small = await group(rows, { shards: 16, budget: 16 * 1024 });
    const whole = await group(rows, { shards: 1, budget: 1 << 30 });
    expect(small.peak).toBeLessThanOrEqual(16 * 1024);
    expect(small.objects).toBeGreaterThan(16);
    expect(small.fingerprints.equals(whole.fingerprints)).toBe(true);
    expect(small.tables).toEqual(whole.tables);
    expect(small.counts).toEqual(whole.counts);
  }, 30_000);

  it('refuses a shard past its memory bound, naming the shard and the setting', () => {
    const bodies = [gzipSync(`k\n${'a\n'.repeat(100)}`)];
    expect(readShard(3, bodies, ['k'], 1000).rowCount).toBe(100);
    expect(() => readShard(3, bodies, ['k'], 100)).toThrow(/^shard 3 holds more than the 100 bytes .*lower targetShardBytes/);
    try {
      readShard(3, bodies, ['k'], 100);
    } catch (error) {
      expect((error as Error).name).toBe(GROUP_BY_KEY_FAILED);
    }
    expect(() => readShard(3, bodies, ['k'], 1000, 99)).toThrow('shard 3 holds 100 rows where the sharding wrote 99');
  });
});

describe('key hashes and shards', () => {
  it('shard ranges are contiguous: shards in order are sorted by hash', () => {
    const sorted = Array.from({ length: 5000 }, (_, i) => keyHash(`key-${i}`)).sort((a, b) => Buffer.compare(a, b));
    for (const shards of [1, 2, 16, 256, 4096]) {
      const shardsInOrder = sorted.map((h) => shardOf(h, shards));
      expect(shardsInOrder).toEqual([...shardsInOrder].sort((a, b) => a - b));
      expect(Math.max(...shardsInOrder)).toBeLessThan(shards);
    }
  });

  it('picks a power of two near the target, at most 4096', () => {
    expect(shardCountFor(10, 100)).toBe(1);
    expect(shardCountFor(1000, 100)).toBe(16);
    expect(shardCountFor(1e15, 1)).toBe(4096);
  });
});

describe('diffFingerprints', () => {
  const entry = (key: string, fp: number, rows = 1) => ({ hash: keyHash(key), fingerprint: Buffer.alloc(16, fp), rows });
  const objects = (...entries: ReturnType<typeof entry>[][]) => (async function* () {
    for (const list of entries) yield encodeEntries([...list].sort((a, b) => Buffer.compare(a.hash, b.hash)));
  })();

  it('counts appended, removed, changed and duplicated keys', async () => {
    const before = [entry('a', 1), entry('b', 2), entry('c', 3), entry('d', 4, 1)];
    const after = [entry('a', 1), entry('b', 9), entry('d', 5, 2), entry('e', 6), entry('f', 7)];
    expect(await diffFingerprints(objects(before), objects(after))).toEqual({ appended: 2, removed: 1, changed: 1, duplicated: 1, unchanged: 1 });
  });

  it('appends only: nothing changed', async () => {
    expect(await diffFingerprints(objects([entry('a', 1)]), objects([entry('a', 1), entry('b', 2)]))).toEqual({ appended: 1, removed: 0, changed: 0, duplicated: 0, unchanged: 1 });
  });

  it('compares generations of different shard counts (one object against several)', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => entry(`k${i}`, i % 5));
    const byShard = Array.from({ length: 4 }, (_, s) => keys.filter((k) => shardOf(k.hash, 4) === s));
    expect(await diffFingerprints(objects(keys), objects(...byShard))).toEqual({ appended: 0, removed: 0, changed: 0, duplicated: 0, unchanged: 200 });
  });

  it('round-trips entries', () => {
    const e = entry('x', 3, 7);
    expect([...decodeEntries(encodeEntries([e]))]).toEqual([{ hash: e.hash, fingerprint: e.fingerprint, rows: 7 }]);
  });

  it('gives the same fingerprint whatever order a key\'s rows came in', async () => {
    const rows = [row('k', 'a'), row('k', 'b'), row('k', 'c')];
    const one = await group(rows, { shards: 1, budget: 1 << 20 });
    const other = await group([...rows].reverse(), { shards: 1, budget: 1 << 20 });
    expect(one.fingerprints.equals(other.fingerprints)).toBe(true);
    expect(sourcesOf(one.plan)).toEqual(['email', 'phone']);
  });
});
