import { describe, expect, it } from 'vitest';
import { decideCollapse, mergeShardStats, planAmcColumns, type AmcColumnSpec } from '../../schemas/amc-id-mapping/amc-columns';
import { AMC_COLUMN_LIMIT } from '../../schemas/failures';

const spec = (columns: AmcColumnSpec['columns'], split: Partial<AmcColumnSpec['split']> = {}): AmcColumnSpec => ({
  uniqueId: 'Customer_ID',
  columns,
  split: { allow: false, namespaces: 'one', ...split },
});
const maids = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, 'MAID' as const]));
const names = (result: ReturnType<typeof planAmcColumns>) => (result.ok ? result.plan.tables.map((t) => t.map((c) => c.name)) : result.message);

describe('planAmcColumns', () => {
  it('keeps one-wide columns under their lowercase names, the unique id apart', () => {
    const result = planAmcColumns(spec({ Email: 'EMAIL', Phone: 'PHONE' }));
    expect(result).toEqual({
      ok: true,
      plan: {
        uniqueId: 'customer_id',
        widths: { email: 1, phone: 1 },
        tables: [[{ name: 'email', source: 'email', type: 'EMAIL', position: 0 }, { name: 'phone', source: 'phone', type: 'PHONE', position: 0 }]],
      },
    });
  });

  it('numbers a wider column email1..emailW', () => {
    expect(names(planAmcColumns(spec({ Email: 'EMAIL', Phone: 'PHONE' }), { email: 3 }))).toEqual([['email1', 'email2', 'email3', 'phone']]);
  });

  it('splits past 24 into tables that keep a column\'s numbered siblings together', () => {
    const result = planAmcColumns(spec({ ...maids(22), email: 'EMAIL' }, { allow: true }), { email: 3 });
    expect(names(result)).toEqual([Array.from({ length: 22 }, (_, i) => `m${i}`), ['email1', 'email2', 'email3']]);
  });

  it('refuses the split when it is not allowed', () => {
    expect(planAmcColumns(spec(maids(25)))).toMatchObject({ ok: false, type: AMC_COLUMN_LIMIT });
  });
});

describe('decideCollapse', () => {
  const stats = (keysOver25: number, maxDistinct: Record<string, number>) => ({ rows: 100, keys: 10, keysOver25, maxDistinct });

  it('keeps every width at 1 when no key has more than 25 rows', () => {
    const result = decideCollapse(spec({ email: 'EMAIL' }), stats(0, { email: 9 }));
    expect(result).toMatchObject({ ok: true, plan: { widths: { email: 1 } }, widthsCut: { email: 0 } });
  });

  it('widens to the most distinct values of a key over 25 rows, capped per column', () => {
    const result = decideCollapse(spec({ email: 'EMAIL', phone: 'PHONE' }), stats(1, { email: 5, phone: 2 }), { email: 3 });
    expect(result).toMatchObject({ ok: true, plan: { widths: { email: 3, phone: 2 } }, widthsCut: { email: 2, phone: 0 } });
  });

  it('cuts the widest column first, one at a time, to fit 24 in one table', () => {
    const result = decideCollapse(spec({ email: 'EMAIL', phone: 'PHONE', address: 'ADDRESS' }), stats(2, { email: 20, phone: 10, address: 3 }));
    // 33 wanted: email goes 20 → 11 (then ties with phone at 10 would cut email first again).
    expect(result).toMatchObject({ ok: true, plan: { widths: { email: 11, phone: 10, address: 3 } }, widthsCut: { email: 9, phone: 0, address: 0 } });
  });

  it('uses more tables instead when the split is allowed', () => {
    const result = decideCollapse(spec({ email: 'EMAIL', phone: 'PHONE', address: 'ADDRESS' }, { allow: true }), stats(2, { email: 20, phone: 10, address: 3 }));
    expect(names(result)).toEqual([
      Array.from({ length: 20 }, (_, i) => `email${i + 1}`),
      [...Array.from({ length: 10 }, (_, i) => `phone${i + 1}`), 'address1', 'address2', 'address3'],
    ]);
  });

  it('merges shard stats: sums, and the max of each column', () => {
    expect(mergeShardStats([stats(1, { email: 4 }), stats(2, { email: 2, phone: 3 })])).toEqual({ rows: 200, keys: 20, keysOver25: 3, maxDistinct: { email: 4, phone: 3 } });
  });
});
