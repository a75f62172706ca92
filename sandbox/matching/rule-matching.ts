import { sha256Hex } from '../../pii/hash';
import { normalizeForEntityResolution } from '../../pii/rules/er';

/**
 * Pure rule-based matching core for the sandbox's Entity Resolution matching jobs (no I/O, no AWS calls).
 * Hashing uses node:crypto (via pii/hash): fine here, this is sandbox code, not Temporal workflow code.
 */

export interface MappedField {
  fieldName: string;
  type: string;
  matchKey?: string;
}

export interface MatchingRule {
  ruleName: string;
  matchingKeys: string[];
}

export interface RuleMatchResult {
  matchId: string;
  /** The first rule (in rule order) under which this record matched another record; undefined for singletons. */
  matchRule?: string;
}

/** Joins the values of the several fields sharing one match key (e.g. NAME_FIRST + NAME_LAST under "Name"). */
const FIELD_SEPARATOR = '\u001f';

/** Union-find over record indexes, union by size, iterative path compression. */
class DisjointSets {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    let cur = x;
    while (cur !== root) {
      const next = this.parent[cur]!;
      this.parent[cur] = root;
      cur = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}

/** A match key's value for one record: its fields' values (normalised by type when asked), empty ones skipped. */
function keyValue(record: Record<string, string>, fields: MappedField[], applyNormalization: boolean): string {
  const parts: string[] = [];
  for (const field of fields) {
    const raw = record[field.fieldName] ?? '';
    const value = applyNormalization ? normalizeForEntityResolution(field.type, raw) : raw;
    if (value.trim() !== '') parts.push(value);
  }
  return parts.join(FIELD_SEPARATOR);
}

function groupId(sortedIndexes: number[]): string {
  return sha256Hex(sortedIndexes.join(',')).slice(0, 32);
}

/**
 * Assigns a MatchID to every record (output[i] belongs to records[i]).
 *
 * - A match key groups the fields whose `matchKey` (or `fieldName` when there is none) equals it.
 * - Two records match under a rule when, for every matching key of the rule, both have a non-empty value and the
 *   values are equal. A key no field maps to never has a value, so a rule naming it matches nothing.
 * - Matching is transitive: records are grouped with union-find.
 * - Rules are evaluated in order; a record's `matchRule` is the first rule under which it matched another record.
 * - `matchId` is deterministic: the first 32 hex chars of sha256 over the group's ascending record indexes.
 * - No MatchID holds more than `recordsPerMatchId` records: a larger group is cut, in record order, into
 *   consecutive MatchIDs of that many records (the last holds the rest), each named as a group of its own.
 *
 * Cost is O(records × rules) hash-map operations: each rule indexes records by their composite key value.
 */
export function assignMatchIds(
  records: Record<string, string>[],
  fields: MappedField[],
  rules: MatchingRule[],
  applyNormalization: boolean,
  recordsPerMatchId = Infinity,
): RuleMatchResult[] {
  const n = records.length;

  const fieldsByKey = new Map<string, MappedField[]>();
  for (const field of fields) {
    const key = field.matchKey ?? field.fieldName;
    const group = fieldsByKey.get(key);
    if (group) group.push(field);
    else fieldsByKey.set(key, [field]);
  }

  // Compute each used key's value once per record, however many rules use it.
  const usedKeys = new Set(rules.flatMap((r) => r.matchingKeys));
  const valuesByKey = new Map<string, string[]>();
  for (const key of usedKeys) {
    const keyFields = fieldsByKey.get(key);
    if (!keyFields) continue;
    const values = new Array<string>(n);
    for (let i = 0; i < n; i++) values[i] = keyValue(records[i]!, keyFields, applyNormalization);
    valuesByKey.set(key, values);
  }

  const sets = new DisjointSets(n);
  const matchRule = new Array<string | undefined>(n).fill(undefined);

  for (const rule of rules) {
    if (rule.matchingKeys.length === 0) continue;
    const columns: string[][] = [];
    for (const key of rule.matchingKeys) {
      const column = valuesByKey.get(key);
      if (column) columns.push(column);
    }
    if (columns.length !== rule.matchingKeys.length) continue; // some key has no fields: nothing can match

    const firstWithValue = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const parts: string[] = [];
      for (const column of columns) {
        const v = column[i]!;
        if (v === '') break;
        parts.push(v);
      }
      if (parts.length !== columns.length) continue; // an empty key value never matches
      const composite = parts.length === 1 ? parts[0]! : JSON.stringify(parts);
      const first = firstWithValue.get(composite);
      if (first === undefined) {
        firstWithValue.set(composite, i);
        continue;
      }
      sets.union(first, i);
      matchRule[first] ??= rule.ruleName;
      matchRule[i] ??= rule.ruleName;
    }
  }

  const membersByRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = sets.find(i);
    const members = membersByRoot.get(root);
    if (members) members.push(i); // ascending, since i ascends
    else membersByRoot.set(root, [i]);
  }
  const matchIds = new Array<string>(n);
  for (const members of membersByRoot.values()) {
    for (let start = 0; start < members.length; start += recordsPerMatchId) {
      const part = members.length <= recordsPerMatchId ? members : members.slice(start, start + recordsPerMatchId);
      const matchId = groupId(part);
      for (const i of part) matchIds[i] = matchId;
    }
  }

  const results: RuleMatchResult[] = new Array<RuleMatchResult>(n);
  for (let i = 0; i < n; i++) {
    const matchId = matchIds[i]!;
    const rule = matchRule[i];
    results[i] = rule === undefined ? { matchId } : { matchId, matchRule: rule };
  }
  return results;
}
