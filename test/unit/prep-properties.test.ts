import { writeFile } from 'node:fs/promises';
import type { CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { sha256Base64, sha256Hex } from '../../pii/hash';
import { byteKeyedRule, destinationRule, supportedTypes } from '../../pii/prep/rows/profile-rules';
import { normalizeAmcEmail, normalizeAmcPhone, normalizeAmcText } from '../../pii/rules/amc';
import { AMC_LOCATION_COUNTRIES, normalizeAmcAddress, normalizeAmcCity, normalizeAmcCountry, normalizeAmcPostalCode, normalizeAmcState } from '../../pii/rules/amc-location';
import { normalizeErAddress, normalizeErCity, normalizeErCountry, normalizeErEmail, normalizeErName, normalizeErPhone, normalizeErPostalCode, normalizeErState } from '../../pii/rules/er';
import { normalized, prehashed, rejected, type RuleOutcome } from '../../pii/rules/outcome';
import { normalizeTiktokEmail, normalizeTiktokMaid, normalizeTiktokPhone } from '../../pii/rules/tiktok';
import { normalizeUid2Email, normalizeUid2Phone } from '../../pii/rules/uid2';
import type { IdentifierType, PrepProfile } from '../../schemas/preparation/prep';
import { prepare, rules, useTempDir } from '../fixtures/prep/harness';

type Rule = (raw: string) => RuleOutcome;
/** A rule, dirty values it normalises, and how a normalised value is entered again (as is, or E.164 for digits hashed without their '+'). */
type Case = { rule: Rule; dirty: readonly string[]; again?: (value: string) => string };
const asE164 = (digits: string) => `+${digits}`;

const EMAILS = [' Jane.Doe+Promo@Gmail.COM ', 'JOHN.SMITH@Example.co.uk', 'x_y-z@sub.example.org', ' a.b.c+d@googlemail.com ', "o'brien@example.ie"];
const US_PHONES = ['+1 (415) 555-2671', '(415) 555-2671', '415.555.2671', '1-888-123-4567', ' 212 555 0100 '];
const INTERNATIONAL_PHONES = ['+44 20 7946 0958', '+33 6 12 34 56 78', '+61 2 1234 5678'];
const NAMES = ["  Mary   O'Brien, Jr. ", 'JOSÉ  Ñúñez', 'Åsa Øberg-Groß', 'Müller', 'd’Artagnan', 'Ærø'];
const ADDRESSES = [' 123  Main Street, Apt #4 ', '500 NORTH Highway Dr.', 'Königsallee 92a', 'Groß Str. 5', 'Calle Mayor, número 3', '1 Rue de l’Église', 'PO Box 77 / Suite 300', '1600 Pennsylvania Avenue NW'];
const CITIES = [' San Francisco ', 'München', "St. John's", 'Saint-Étienne', 'North Las Vegas'];
const STATES = ['New York', 'West Virginia', ' Québec ', 'CA', 'Baden-Württemberg', 'california'];
const US_POSTAL_CODES = ['94105-1234', ' 02134 ', '10115'];
const COUNTRIES = ['United States of America', ' united kingdom ', 'USA', 'España', 'gb'];
const MAIDS = [' 5F3A2B18-1C2D-4E5F-8A9B-0C1D2E3F4A5B ', 'af3a2b18-1c2d-4e5f-8a9b-0c1d2e3f4a5b'];

/** Per profile, the rule of each identifier type it takes, as pii/rules/ publishes them (default region and country US). */
const CASES: Record<PrepProfile, Partial<Record<IdentifierType, Case>>> = {
  uid2: {
    EMAIL: { rule: normalizeUid2Email, dirty: EMAILS },
    PHONE: { rule: (raw) => normalizeUid2Phone(raw, 'US'), dirty: [...US_PHONES, ...INTERNATIONAL_PHONES] },
  },
  tiktok: {
    EMAIL: { rule: normalizeTiktokEmail, dirty: EMAILS },
    PHONE: { rule: (raw) => normalizeTiktokPhone(raw, 'US'), dirty: [...US_PHONES, ...INTERNATIONAL_PHONES], again: asE164 },
    IDFA: { rule: normalizeTiktokMaid, dirty: MAIDS },
    GAID: { rule: normalizeTiktokMaid, dirty: MAIDS },
  },
  amc: {
    EMAIL: { rule: normalizeAmcEmail, dirty: EMAILS },
    // AMC reads every number in the file's country, so numbers of other countries are rejected, not normalised.
    PHONE: { rule: (raw) => normalizeAmcPhone(raw, 'US'), dirty: US_PHONES, again: asE164 },
    FIRST_NAME: { rule: normalizeAmcText, dirty: NAMES },
    LAST_NAME: { rule: normalizeAmcText, dirty: NAMES },
    ADDRESS: { rule: (raw) => normalizeAmcAddress(raw, 'US'), dirty: ADDRESSES },
    CITY: { rule: (raw) => normalizeAmcCity(raw, 'US'), dirty: CITIES },
    STATE: { rule: (raw) => normalizeAmcState(raw, 'US'), dirty: STATES },
    POSTAL_CODE: { rule: (raw) => normalizeAmcPostalCode(raw, 'US'), dirty: US_POSTAL_CODES },
    COUNTRY: { rule: normalizeAmcCountry, dirty: COUNTRIES },
  },
  er: {
    EMAIL: { rule: normalizeErEmail, dirty: [...EMAILS, 'Jane Doe <JANE@Example.org>', 'bob (at) example . net'] },
    PHONE: { rule: (raw) => normalizeErPhone(raw, 'US'), dirty: [...US_PHONES, ...INTERNATIONAL_PHONES], again: asE164 },
    FIRST_NAME: { rule: normalizeErName, dirty: NAMES },
    LAST_NAME: { rule: normalizeErName, dirty: NAMES },
    ADDRESS: { rule: normalizeErAddress, dirty: ADDRESSES },
    CITY: { rule: normalizeErCity, dirty: CITIES },
    STATE: { rule: normalizeErState, dirty: STATES },
    POSTAL_CODE: { rule: normalizeErPostalCode, dirty: [...US_POSTAL_CODES, ' SW1A 1AA ', 'H3Z 2Y7'] },
    COUNTRY: { rule: normalizeErCountry, dirty: COUNTRIES },
  },
};
const PROFILES = Object.keys(CASES) as PrepProfile[];
const casesOf = (profile: PrepProfile) => Object.entries(CASES[profile]) as [IdentifierType, Case][];

describe('normalising an already normalised value changes nothing', () => {
  it.each(PROFILES)('the cases cover every type profile %s takes', (profile) => {
    expect(Object.keys(CASES[profile]).sort()).toEqual(supportedTypes(profile).sort());
  });

  for (const profile of PROFILES) {
    it.each(casesOf(profile))(`${profile} %s`, (_type, { rule, dirty, again = (v) => v }) => {
      for (const raw of dirty) {
        const once = rule(raw);
        expect(once.kind, raw).toBe('normalized');
        if (once.kind === 'normalized') expect(rule(again(once.value)), raw).toEqual(once);
      }
    });
  }

  it('AMC location rules, in every country AMC takes', () => {
    const postal: Record<string, string[]> = { GB: [' SW1A 1AA ', 'ec1a1bb'], CA: ['H3Z 2Y7', 'k1a0b1'], JP: ['100-0001'], IN: ['110 001'] };
    for (const country of AMC_LOCATION_COUNTRIES) {
      const rulesHere: [Rule, readonly string[]][] = [
        [(raw) => normalizeAmcAddress(raw, country), ADDRESSES],
        [(raw) => normalizeAmcCity(raw, country), CITIES],
        [(raw) => normalizeAmcState(raw, country), STATES],
        [(raw) => normalizeAmcPostalCode(raw, country), postal[country] ?? US_POSTAL_CODES],
      ];
      for (const [rule, dirty] of rulesHere) {
        for (const raw of dirty) {
          const once = rule(raw);
          expect(once.kind, `${country} ${raw}`).toBe('normalized');
          if (once.kind === 'normalized') expect(rule(once.value), `${country} ${raw}`).toEqual(once);
        }
      }
    }
  });

  it('except the corners the rules document (test/unit/pii-er.test.ts, pii-amc-location.test.ts) and one they do not', () => {
    expect([normalizeErAddress('ave nue'), normalizeErAddress('avenue')]).toEqual([normalized('avenue'), normalized('ave')]);
    expect([normalizeErPhone('0 1 415 555 2671'), normalizeErPhone('14155552671')]).toEqual([normalized('14155552671'), normalized('4155552671')]);
    expect([normalizeAmcAddress('#1 #2', 'US'), normalizeAmcAddress('number1#2', 'US')]).toEqual([normalized('number1#2'), normalized('number2')]);
    expect([normalizeAmcAddress('Meadow', 'US'), normalizeAmcAddress('mdw', 'US')]).toEqual([normalized('mdw'), normalized('mdws')]);
    expect([normalizeAmcAddress('S O', 'US'), normalizeAmcAddress('so', 'US')]).toEqual([normalized('so'), normalized('s')]);
    // Not documented in pii/rules/amc.ts: a number of another country dialled with the file country's international
    // prefix is accepted (as Amazon's uploader does), but its normalised form, read in that country, is not.
    expect(normalizeAmcPhone('0044 20 7946 0958', 'FR')).toEqual(normalized('442079460958'));
    expect(normalizeAmcPhone('442079460958', 'FR')).toEqual(rejected('not a phone number for FR'));
  });
});

describe('a value already hashed passes through unchanged, counted as passed through', () => {
  const hex = sha256Hex('already hashed');
  const base64 = sha256Base64('already hashed');
  const HASHED: Record<Exclude<PrepProfile, 'er'>, string> = { uid2: base64, amc: hex, tiktok: hex };

  it.each(Object.entries(HASHED))('%s: every rule it applies', (profile, hash) => {
    for (const type of supportedTypes(profile as PrepProfile)) {
      const rule = destinationRule(rules({ profile: profile as PrepProfile, columns: { x: type } }), type);
      expect(rule(hash), type).toEqual(prehashed(hash));
      expect(rule(` ${hash} `), type).toEqual(prehashed(hash));
    }
  });

  const tmp = useTempDir();
  it.each(Object.entries(HASHED))('%s: through prepareFile', async (profile, hash) => {
    const types = supportedTypes(profile as PrepProfile);
    const names = types.map((type) => type.toLowerCase());
    const input = tmp.path('in.csv');
    await writeFile(input, `id,${names.join(',')}\n1,${types.map(() => hash).join(',')}\n`);
    const out = await prepare({ input, output: tmp.path('out.csv'), rules: { profile: profile as PrepProfile, columns: Object.fromEntries(names.map((n, i) => [n, types[i]!])) } });
    expect(out.rows).toEqual([['1', ...types.map(() => hash)]]);
    for (const name of names) expect(out.manifest.counts.columns[name], name).toMatchObject({ normalized: 0, passedThrough: 1, rejected: 0 });
  });
});

/**
 * Bug in pii/prep/rows/profile-rules.ts (not this suite's to fix): the er profile prepares CITY, STATE, POSTAL_CODE and COUNTRY
 * with the street-address rule instead of ER's own rule for each, and reads '+44 …' as a US number behind a missing '1'.
 * The clean zone then holds values ER's normalisation of the same data does not give ('941051234' for '94105-1234').
 */
describe('the er profile applies the Entity Resolution rule of each type', () => {
  const er = (type: IdentifierType, region: CountryCode = 'US') => destinationRule(rules({ profile: 'er', defaultRegion: region, columns: { x: type } }), type);
  it.each([
    ['CITY', 'North Las Vegas', 'northlasvegas'],
    ['STATE', 'New York', 'ny'],
    ['POSTAL_CODE', '94105-1234', '94105'],
    ['COUNTRY', 'United States of America', 'us'],
    ['PHONE', '+44 20 7946 0958', '442079460958'],
  ] as const)('%s %j', (type, raw, expected) => {
    expect(er(type)(raw)).toEqual({ ...normalized(expected), rewritten: true });
  });
});

describe('a memoised rule keyed by a value\'s UTF-8 bytes (CSV read one char per byte)', () => {
  const amc = rules({ profile: 'amc', columns: { x: 'FIRST_NAME' } });
  const asBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it('gives what the text rule gives the decoded value, and answers no text value from its memo', () => {
    const byBytes = byteKeyedRule(amc, 'FIRST_NAME')!;
    const byText = destinationRule(amc, 'FIRST_NAME');
    for (const name of ['Müller', 'José', 'ÆSIR', 'Smith', ' Zoë ']) expect(byBytes(asBytes(name)), name).toEqual(byText(name));
    // 'MÃ¼ller' is the bytes of 'Müller' read as text: it is its own value for the text rule ('mller'), not a hit.
    expect(byBytes(asBytes('Müller'))).toEqual({ ...normalized(sha256Hex('mueller')), rewritten: true });
    expect(byText('MÃ¼ller')).toEqual({ ...normalized(sha256Hex('mller')), rewritten: true });
  });

  it('is offered only for the types whose rule is memoised', () => {
    expect(byteKeyedRule(amc, 'EMAIL')).toBeUndefined();
    expect(byteKeyedRule(amc, 'PHONE')).toBeUndefined();
    expect(byteKeyedRule(amc, 'LAST_NAME')).toBeDefined();
  });
});
