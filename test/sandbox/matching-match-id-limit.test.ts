import { describe, expect, it } from 'vitest';
import { assignMatchIds, type MappedField, type MatchingRule } from '../../sandbox/matching/rule-matching';

describe('assignMatchIds: records per MatchID', () => {
  const fields: MappedField[] = [
    { fieldName: 'id', type: 'UNIQUE_ID' },
    { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
  ];
  const rules: MatchingRule[] = [{ ruleName: 'SameEmail', matchingKeys: ['Email'] }];
  // Seven records share one email; the two others share another.
  const records = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ id: String(i), email: i === 2 || i === 5 ? 'other@example.com' : 'shared@example.com' }));

  it('cuts a group larger than the limit, in record order, into MatchIDs of at most that many records', () => {
    const out = assignMatchIds(records, fields, rules, true, 3);
    const members = new Map<string, number[]>();
    out.forEach((r, i) => members.set(r.matchId, [...(members.get(r.matchId) ?? []), i]));
    expect([...members.values()]).toEqual([
      [0, 1, 3],
      [2, 5],
      [4, 6, 7],
      [8],
    ]);
    expect(out.every((r) => r.matchRule === 'SameEmail')).toBe(true);
  });

  it('keeps the MatchID of every group within the limit as it is without one', () => {
    const unlimited = assignMatchIds(records, fields, rules, true);
    const limited = assignMatchIds(records, fields, rules, true, 3);
    expect(limited[2]!.matchId).toBe(unlimited[2]!.matchId);
    expect(limited[5]!.matchId).toBe(unlimited[5]!.matchId);
    expect(new Set(unlimited.map((r) => r.matchId)).size).toBe(2);
    expect(assignMatchIds(records, fields, rules, true, 7)).toEqual(unlimited);
  });
});
