import { describe, expect, it } from 'vitest';
import { assignMatchIds, type MappedField, type MatchingRule } from '../../sandbox/matching/rule-matching';
import { uid2ForIdentifier } from '../../sandbox/matching/uid2-provider';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';

describe('assignMatchIds', () => {
  const fields: MappedField[] = [
    { fieldName: 'id', type: 'UNIQUE_ID' },
    { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
    { fieldName: 'phone', type: 'PHONE_NUMBER', matchKey: 'Phone' },
    { fieldName: 'first', type: 'NAME_FIRST', matchKey: 'Name' },
    { fieldName: 'last', type: 'NAME_LAST', matchKey: 'Name' },
  ];
  const rules: MatchingRule[] = [
    { ruleName: 'Rule 1', matchingKeys: ['Email'] },
    { ruleName: 'Rule 2', matchingKeys: ['Phone'] },
  ];

  it('gives records sharing a normalised email the same MatchID', () => {
    const records = [
      { id: '1', email: ' Jane.Doe@Example.com ', phone: '' },
      { id: '2', email: 'jane.doe@example.com', phone: '' },
    ];
    const out = assignMatchIds(records, fields, rules, true);
    expect(out[0]!.matchId).toBe(out[1]!.matchId);
    expect(out[0]!.matchId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.map((r) => r.matchRule)).toEqual(['Rule 1', 'Rule 1']);
  });

  it('groups transitively and names the first rule that joined each record', () => {
    const records = [
      { id: 'A', email: 'a@example.com', phone: '+1 415 555 0000' },
      { id: 'B', email: 'A@example.com', phone: '(415) 555-0123' },
      { id: 'C', email: 'c@example.com', phone: '415-555-0123' },
      { id: 'D', email: 'd@example.com', phone: '+44 20 7946 0000' },
    ];
    const out = assignMatchIds(records, fields, rules, true);
    expect(new Set(out.slice(0, 3).map((r) => r.matchId)).size).toBe(1);
    expect(out[3]!.matchId).not.toBe(out[0]!.matchId);
    expect(out.map((r) => r.matchRule)).toEqual(['Rule 1', 'Rule 1', 'Rule 2', undefined]);
  });

  it('respects rule order when several rules match the same pair', () => {
    const records = [
      { id: '1', email: 'x@example.com', phone: '4155550123' },
      { id: '2', email: 'x@example.com', phone: '4155550123' },
    ];
    const reversed = [...rules].reverse();
    expect(assignMatchIds(records, fields, rules, true).map((r) => r.matchRule)).toEqual(['Rule 1', 'Rule 1']);
    expect(assignMatchIds(records, fields, reversed, true).map((r) => r.matchRule)).toEqual(['Rule 2', 'Rule 2']);
  });

  it('requires every key of a rule to match', () => {
    const multiKey: MatchingRule[] = [{ ruleName: 'Email+Name', matchingKeys: ['Email', 'Name'] }];
    const records = [
      { id: '1', email: 'x@example.com', first: 'Jane', last: 'Doe' },
      { id: '2', email: 'x@example.com', first: 'JANE', last: 'doe.' },
      { id: '3', email: 'x@example.com', first: 'John', last: 'Doe' },
      { id: '4', email: 'x@example.com', first: '', last: '' },
    ];
    const out = assignMatchIds(records, fields, multiKey, true);
    expect(out[0]!.matchId).toBe(out[1]!.matchId);
    expect(out[2]!.matchId).not.toBe(out[0]!.matchId);
    expect(out[3]!.matchId).not.toBe(out[0]!.matchId);
    expect(out.map((r) => r.matchRule)).toEqual(['Email+Name', 'Email+Name', undefined, undefined]);
  });

  it('never matches on empty values', () => {
    const records = [
      { id: '1', email: '', phone: '' },
      { id: '2', email: '   ', phone: '' },
      { id: '3' } as Record<string, string>,
    ];
    const out = assignMatchIds(records, fields, rules, true);
    expect(new Set(out.map((r) => r.matchId)).size).toBe(3);
    expect(out.every((r) => r.matchRule === undefined)).toBe(true);
    // Without normalisation too.
    const raw = assignMatchIds(records, fields, rules, false);
    expect(new Set(raw.map((r) => r.matchId)).size).toBe(3);
  });

  it('matches exactly (case-sensitive) when applyNormalization is false', () => {
    const records = [
      { id: '1', email: 'Jane.Doe@Example.com' },
      { id: '2', email: 'jane.doe@example.com' },
      { id: '3', email: 'jane.doe@example.com' },
    ];
    const out = assignMatchIds(records, fields, rules, false);
    expect(out[0]!.matchId).not.toBe(out[1]!.matchId);
    expect(out[1]!.matchId).toBe(out[2]!.matchId);
    expect(out[0]!.matchRule).toBeUndefined();
  });

  it('uses fieldName as the match key when there is no matchKey', () => {
    const byField: MappedField[] = [{ fieldName: 'email', type: 'EMAIL_ADDRESS' }];
    const out = assignMatchIds([{ email: 'A@x.com' }, { email: 'a@x.com' }], byField, [{ ruleName: 'R', matchingKeys: ['email'] }], true);
    expect(out[0]!.matchId).toBe(out[1]!.matchId);
  });

  it('gives a singleton its own id and no rule', () => {
    const records = [
      { id: '1', email: 'a@example.com' },
      { id: '2', email: 'b@example.com' },
    ];
    const out = assignMatchIds(records, fields, rules, true);
    expect(out[0]!.matchId).not.toBe(out[1]!.matchId);
    expect(out).toEqual([{ matchId: out[0]!.matchId }, { matchId: out[1]!.matchId }]);
  });

  it('returns one result per input record, deterministically', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ id: String(i), email: `u${i % 7}@example.com`, phone: `+1415555${String(i % 11).padStart(4, '0')}` }));
    const first = assignMatchIds(records, fields, rules, true);
    const second = assignMatchIds(records.map((r) => ({ ...r })), fields, rules, true);
    expect(first).toHaveLength(records.length);
    expect(second).toEqual(first);
    expect(assignMatchIds([], fields, rules, true)).toEqual([]);
  });

  it('handles 100k records', () => {
    // Groups of 5: records 0-2 share email A, 3-4 share email B, 2 and 3 share a phone -> one group of 5.
    const groups = 20_000;
    const records: Record<string, string>[] = [];
    for (let g = 0; g < groups; g++) {
      for (let k = 0; k < 5; k++) {
        records.push({
          id: `${g}-${k}`,
          email: k < 3 ? `a${g}@example.com` : `B${g}@Example.com`,
          phone: k === 2 || k === 3 ? `+1 555 ${String(g).padStart(7, '0')}` : '',
        });
      }
    }
    const out = assignMatchIds(records, fields, rules, true);
    expect(out).toHaveLength(100_000);
    expect(new Set(out.map((r) => r.matchId)).size).toBe(groups);
    expect(out.slice(0, 5).map((r) => r.matchRule)).toEqual(['Rule 1', 'Rule 1', 'Rule 1', 'Rule 1', 'Rule 1']);
    expect(new Set(out.slice(0, 5).map((r) => r.matchId)).size).toBe(1);
  }, 60_000);
});

describe('uid2ForIdentifier', () => {
  it('normalises gmail addresses like UID2', () => {
    expect(uid2ForIdentifier('EMAIL_ADDRESS', 'Jane.Doe+promo@gmail.com', 's')?.UID2_identifier).toBe('janedoe@gmail.com');
    expect(uid2ForIdentifier('EMAIL_ADDRESS', ' Jane.Doe+promo@Example.com ', 's')?.UID2_identifier).toBe('jane.doe+promo@example.com');
  });

  it('is deterministic for a salt and differs across salts', () => {
    const a = uid2ForIdentifier('EMAIL_ADDRESS', 'jane@example.com', 'salt-1');
    const b = uid2ForIdentifier('EMAIL_ADDRESS', ' JANE@example.com', 'salt-1');
    const c = uid2ForIdentifier('EMAIL_ADDRESS', 'jane@example.com', 'salt-2');
    expect(a?.UID2_identifier).toBe('jane@example.com');
    expect(b).toEqual(a);
    expect(c?.UID2_identifier).toBe(a?.UID2_identifier);
    expect(c?.UID2_advertising_id).not.toBe(a?.UID2_advertising_id);
  });

  it('produces a 44-char base64 advertising id and a short shared bucket id', () => {
    const out = uid2ForIdentifier('EMAIL_ADDRESS', 'jane@example.com', 'salt')!;
    expect(out.UID2_advertising_id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(out.UID2_advertising_id).toHaveLength(44);
    expect(out.UID2_bucket_id).toMatch(/^[A-Za-z0-9_-]{9}$/);
    const buckets = new Set(Array.from({ length: 1000 }, (_, i) => uid2ForIdentifier('EMAIL_ADDRESS', `u${i}@example.com`, 'salt')!.UID2_bucket_id));
    expect(buckets.size).toBeLessThan(1000);
    expect(buckets.size).toBeGreaterThan(1);
  });

  it('normalises E.164 phone numbers and rejects others', () => {
    expect(uid2ForIdentifier('PHONE_NUMBER', '+1 (415) 555-0123', 's')?.UID2_identifier).toBe('+14155550123');
    expect(uid2ForIdentifier('PHONE_NUMBER', '(415) 555-0123', 's')).toBeUndefined();
    expect(uid2ForIdentifier('PHONE_NUMBER', '+1 555 0123', 's')).toBeUndefined();
    expect(uid2ForIdentifier('PHONE_NUMBER', '+1234567890123456', 's')).toBeUndefined();
    expect(uid2ForIdentifier('PHONE_NUMBER', '+1 415 555 0123 x12', 's')).toBeUndefined();
  });

  it('takes identifiers sent as their UID2 hash, and gives them the UID2 of the same identifier sent raw', () => {
    // UID2's published example: janesaoirse@gmail.com hashes to ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=.
    const raw = uid2ForIdentifier('EMAIL_ADDRESS', 'JANESaoirse@gmail.com', 's')!;
    const hashed = uid2ForIdentifier('EMAIL_ADDRESS', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=', 's')!;
    expect(raw.UID2_identifier).toBe('janesaoirse@gmail.com');
    expect(hashed.UID2_identifier).toBe('ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=');
    expect(hashed.UID2_advertising_id).toBe(raw.UID2_advertising_id);
    expect(hashed.UID2_bucket_id).toBe(raw.UID2_bucket_id);
    const phone = uid2ForIdentifier('PHONE_NUMBER', '+1 (415) 555-0123', 's')!;
    expect(uid2ForIdentifier('PHONE_NUMBER', DESTINATION_PROFILES.uid2.encode('+14155550123'), 's')?.UID2_advertising_id).toBe(phone.UID2_advertising_id);
  });

  it('returns undefined for empty or invalid identifiers', () => {
    expect(uid2ForIdentifier('EMAIL_ADDRESS', '', 's')).toBeUndefined();
    expect(uid2ForIdentifier('EMAIL_ADDRESS', '   ', 's')).toBeUndefined();
    expect(uid2ForIdentifier('EMAIL_ADDRESS', 'not-an-email', 's')).toBeUndefined();
    expect(uid2ForIdentifier('EMAIL_ADDRESS', '+promo@gmail.com', 's')).toBeUndefined();
    expect(uid2ForIdentifier('PHONE_NUMBER', '', 's')).toBeUndefined();
  });
});
