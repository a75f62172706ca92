import type { CountryCode } from 'libphonenumber-js';
import type { IdentifierType, PrepProfile, PrepRules } from '../../../schemas/preparation/prep';
import { normalizeAmcEmail, normalizeAmcPhone, normalizeAmcText } from '../../rules/amc';
import { normalizeAmcAddress, normalizeAmcCity, normalizeAmcCountry, normalizeAmcPostalCode, normalizeAmcState } from '../../rules/amc-location';
import { normalizeErAddress, normalizeErCity, normalizeErCountry, normalizeErEmail, normalizeErName, normalizeErPhone, normalizeErPostalCode, normalizeErState } from '../../rules/er';
import type { RuleOutcome } from '../../rules/outcome';
import { normalizeTiktokEmail, normalizeTiktokMaid, normalizeTiktokPhone } from '../../rules/tiktok';
import { normalizeUid2Email, normalizeUid2Phone } from '../../rules/uid2';
import { parsePhone } from '../../rules/phone';
import { DESTINATION_PROFILES, type ProfileType } from '../../rules/profiles';
import { fromBytes } from '../chunk/byte-text';

export type Rule = (raw: string) => RuleOutcome;
type RuleSettings = Pick<PrepRules, 'profile' | 'defaultRegion' | 'country' | 'hash'>;

/** A number written in international form ('+44 …') is of its own country, not of the file's default region. */
function erPhoneRegion(raw: string, region: CountryCode): CountryCode | undefined {
  const trimmed = raw.trim();
  return trimmed.startsWith('+') ? parsePhone(trimmed)?.country : region;
}

/** A rule for each type the profile declares, and none for another (checked by the compiler). */
type RuleTable<P extends PrepProfile> = Record<ProfileType<P>, Rule>;

const RULE_TABLES: { [P in PrepProfile]: (region: CountryCode, country: CountryCode) => RuleTable<P> } = {
  uid2: (region): RuleTable<'uid2'> => ({ EMAIL: normalizeUid2Email, PHONE: (raw) => normalizeUid2Phone(raw, region) }),
  tiktok: (region): RuleTable<'tiktok'> => ({ EMAIL: normalizeTiktokEmail, PHONE: (raw) => normalizeTiktokPhone(raw, region), IDFA: normalizeTiktokMaid, GAID: normalizeTiktokMaid }),
  amc: (region, country): RuleTable<'amc'> => ({
    EMAIL: normalizeAmcEmail,
    PHONE: (raw) => normalizeAmcPhone(raw, region),
    FIRST_NAME: normalizeAmcText,
    LAST_NAME: normalizeAmcText,
    ADDRESS: (raw) => normalizeAmcAddress(raw, country),
    CITY: (raw) => normalizeAmcCity(raw, country),
    STATE: (raw) => normalizeAmcState(raw, country),
    POSTAL_CODE: (raw) => normalizeAmcPostalCode(raw, country),
    COUNTRY: normalizeAmcCountry,
  }),
  er: (region): RuleTable<'er'> => ({
    EMAIL: normalizeErEmail,
    PHONE: (raw) => normalizeErPhone(raw, erPhoneRegion(raw, region)),
    FIRST_NAME: normalizeErName,
    LAST_NAME: normalizeErName,
    ADDRESS: normalizeErAddress,
    CITY: normalizeErCity,
    STATE: normalizeErState,
    POSTAL_CODE: normalizeErPostalCode,
    COUNTRY: normalizeErCountry,
  }),
};

function rulesOf(profile: PrepProfile, region: CountryCode, country: CountryCode): Partial<Record<IdentifierType, Rule>> {
  return RULE_TABLES[profile](region, country);
}

/** Types whose values repeat across rows (a customer file has far fewer distinct first names than rows). */
const LOW_CARDINALITY = new Set<IdentifierType>(['FIRST_NAME', 'LAST_NAME', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY']);
const MEMO_ENTRIES = 20_000;

/**
 * A copy of a string that shares no memory with it. A value parsed out of a chunk can be a slice of the
 * chunk's whole text (V8 slices strings of 13 chars or more): kept in a memo that lives across chunks, it
 * would keep that text (a chunk's) alive for as long as the memo does.
 */
const unshared = (value: string) => ` ${value}`.slice(1);

interface MemoEntry {
  /** The value, as a string of its own (see `unshared`). */
  key: string;
  outcome: RuleOutcome;
}

/** Slots of a memo's front cache: a power of 2. */
const FRONT_SLOTS = 4096;

/**
 * A memo's front cache slot for a value: FNV-1a over its chars. Names are short, so this costs less than the
 * Map's own hashing, and unlike a hash of a few chars it spreads a file's name variants ('James', 'JAMES',
 * 'james ') over the slots, so more lookups hit.
 */
function frontSlot(raw: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & (FRONT_SLOTS - 1);
}

/**
 * Each distinct value is normalised and hashed once; the memo is bounded and starts over when full. In
 * front of it, a small direct-mapped cache of the entries last used: a customer file's commonest names
 * are found there without a lookup in the Map, whose thousands of entries are mostly out of the CPU's caches.
 */
function memoized(rule: Rule): Rule {
  const memo = new Map<string, MemoEntry>();
  const front: (MemoEntry | undefined)[] = new Array<MemoEntry | undefined>(FRONT_SLOTS).fill(undefined);
  return (raw) => {
    const slot = frontSlot(raw);
    const cached = front[slot];
    if (cached !== undefined && cached.key === raw) return cached.outcome;
    let entry = memo.get(raw);
    if (entry === undefined) {
      if (memo.size >= MEMO_ENTRIES) memo.clear();
      let outcome = rule(raw);
      if (outcome.kind === 'prehashed') outcome = { kind: 'prehashed', value: unshared(outcome.value) };
      entry = { key: unshared(raw), outcome };
      memo.set(entry.key, entry);
    }
    front[slot] = entry;
    return entry.outcome;
  };
}

export function supportedTypes(profile: PrepProfile): IdentifierType[] {
  return Object.keys(rulesOf(profile, 'US', 'US')) as IdentifierType[];
}

/**
 * The rule that turns one raw value into what the destination takes: normalised then hashed, an
 * already hashed value unchanged, or a rejection with its reason.
 */
export function destinationRule(rules: RuleSettings, type: IdentifierType): Rule {
  return builtOnce(rules, type, 'text', () => buildRule(rules, type));
}

/** Rules are built once per thread (and form of value they take), so their memos last across chunks. */
const builtRules = new Map<string, Rule>();

function builtOnce(rules: RuleSettings, type: IdentifierType, form: 'text' | 'bytes', build: () => Rule): Rule {
  const key = `${rules.profile}|${rules.defaultRegion}|${rules.country}|${rules.hash !== false}|${type}|${form}`;
  let built = builtRules.get(key);
  if (!built) builtRules.set(key, (built = build()));
  return built;
}

/**
 * The rule for a value given as its UTF-8 bytes, one char per byte (csv-bytes' `runCsvBytes`), for the types
 * whose rule is memoised: its memo is keyed by the bytes, so a value found there (most names) is not decoded
 * first. Undefined for the other types, whose values are decoded and given to `destinationRule`'s rule.
 */
export function byteKeyedRule(rules: RuleSettings, type: IdentifierType): Rule | undefined {
  if (!LOW_CARDINALITY.has(type)) return undefined;
  return builtOnce(rules, type, 'bytes', () => {
    const rule = encodedRule(rules, type);
    return memoized((bytes) => rule(fromBytes(bytes)));
  });
}

/** The type's rule followed by the profile's encoding (a hash, unless `hash` is false), without a memo; marks rewritten values. */
function encodedRule(rules: RuleSettings, type: IdentifierType): Rule {
  const rule = rulesOf(rules.profile, rules.defaultRegion as CountryCode, rules.country as CountryCode)[type];
  if (!rule) throw new Error(`profile ${rules.profile} takes ${supportedTypes(rules.profile).join(', ')}, not ${type}`);
  const encode = rules.hash === false ? undefined : DESTINATION_PROFILES[rules.profile].encode;
  return (raw) => {
    const outcome = rule(raw);
    if (outcome.kind !== 'normalized') return outcome;
    const rewritten = outcome.value !== raw.trim();
    if (encode) return rewritten ? { kind: 'normalized', value: encode(outcome.value), rewritten } : { kind: 'normalized', value: encode(outcome.value) };
    return rewritten ? { kind: 'normalized', value: outcome.value, rewritten } : outcome;
  };
}

function buildRule(rules: RuleSettings, type: IdentifierType): Rule {
  const encoded = encodedRule(rules, type);
  return LOW_CARDINALITY.has(type) ? memoized(encoded) : encoded;
}
