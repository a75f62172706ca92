import type { CountryCode } from 'libphonenumber-js';
import { normalizeAmcText } from './amc';
import addressMap from './data/amc-address-map.json';
import { CA_STATE_CODES, DE_STATE_CODES, ES_STATE_CODES, FR_STATE_CODES, IT_STATE_CODES, US_STATE_CODES } from './data/amc-state-codes';
import { normalized, prehashedSha256Hex as alreadyHashed, rejected, type RuleOutcome } from './outcome';

/**
 * Amazon Ads / AMC address, city, state, postal code and country, as Amazon's own AWS solution normalises them
 * before hashing (aws-solutions/amazon-marketing-cloud-uploader-from-aws, source/glue/library/
 * address_normalizer.py + address_map_helper.json, city_normalizer.py, state_normalizer.py, zip_normalizer.py,
 * transform.py; commit 0cbf8c1f, v3.0.12; Apache-2.0). The solution applies one country to a whole file and
 * accepts only US, GB, CA, DE, FR, IT, ES, JP and IN; other countries are rejected here.
 * - address: uppercase; split into tokens on whitespace , ! . brackets and "C/O" (all dropped); split
 *   "<number>-<not number>" and "<A-Z>#<0-9A-Z/->" tokens; replace each token found in the country's
 *   abbreviation lists (number words, directions, street suffixes / designators); join without separator,
 *   lowercase. Other punctuation (- / # ' …) and accents stay.
 * - city: lowercase, keep only a–z and 0–9 (accented letters are dropped, not transliterated).
 * - state: uppercase, keep only A–Z; a name in the country's map becomes its code, anything else is cut to
 *   two letters (unless the raw value was at most 2 characters long); lowercase.
 * - postal code: US DE FR IT ES: digits, first 5; JP: digits, first 7; IN: digits, first 6;
 *   CA: letters and digits, first 6, A1A1A1; GB: letters and digits, first 7, UK outward+inward shape.
 *   Letter case is kept as given (the solution does not lower- or uppercase postal codes).
 * - country: the solution has no country rule; any other field goes through its default normaliser,
 *   the one for names (normalizeAmcText).
 * Where the solution hashes an empty string (nothing left, invalid postal code) these rules reject instead.
 * The quirks of the solution's token loops are reproduced on purpose (see normalizeAmcAddress).
 */
export const AMC_LOCATION_COUNTRIES = ['US', 'GB', 'CA', 'DE', 'FR', 'IT', 'ES', 'JP', 'IN'] as const satisfies readonly CountryCode[];
export type AmcLocationCountry = (typeof AMC_LOCATION_COUNTRIES)[number];

const isAmcCountry = (country: string): country is AmcLocationCountry => (AMC_LOCATION_COUNTRIES as readonly string[]).includes(country);

// Python's Unicode `\s` / str.isspace(), `\w` and str.isnumeric() as JS classes (the solution runs on Python 3).
const PY_SPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WORD = '\\p{L}\\p{N}_';
/** Han characters Python counts as numeric (Numeric_Type=Numeric) although they are letters (Lo). */
const HAN_NUMERALS =
  '\\u3405\\u3483\\u382a\\u3b4d\\u4e00\\u4e03\\u4e07\\u4e09\\u4e5d\\u4e8c\\u4e94\\u4e96\\u4ebf\\u4ec0\\u4edf\\u4ee8\\u4f0d\\u4f70\\u5104\\u5146' +
  '\\u5169\\u516b\\u516d\\u5341\\u5343\\u5344\\u5345\\u534c\\u53c1-\\u53c4\\u56db\\u58f1\\u58f9\\u5e7a\\u5efe\\u5eff\\u5f0c-\\u5f0e\\u5f10' +
  '\\u62fe\\u634c\\u67d2\\u6f06\\u7396\\u767e\\u8086\\u842c\\u8cae\\u8cb3\\u8d30\\u9621\\u9646\\u964c\\u9678\\u96f6\\uf96b\\uf973\\uf978' +
  '\\uf9b2\\uf9d1\\uf9d3\\uf9fd\\u{20001}\\u{20064}\\u{200e2}\\u{20121}\\u{2092a}\\u{20983}\\u{2098c}\\u{2099c}\\u{20aea}\\u{20afd}' +
  '\\u{20b19}\\u{22390}\\u{22998}\\u{23b1b}\\u{2626d}\\u{2f890}';
const PY_NUMERIC = new RegExp(`^[\\p{N}${HAN_NUMERALS}]+$`, 'u');
/** The solution's delimiters COMMA, CO, EXCLAMATION_MARK, OPEN/CLOSE_BRACKET, SPACE, DOT: dropped, they only separate tokens. */
const DELIMITERS = new RegExp(`(?:[${PY_SPACE},!.()[\\]{}]|(?<![${PY_WORD}])C/O(?![${PY_WORD}]))+`, 'u');
const POUND = /([A-Z]*)#([0-9A-Z/-]*)/g;

/**
 * data/amc-address-map.json is the solution's address_map_helper.json, copied verbatim: named lists of one-entry
 * objects (TypeScript types every other key of a list as optional).
 */
type AbbreviationList = readonly Readonly<Record<string, string | undefined>>[];
const LISTS: Record<keyof typeof addressMap, AbbreviationList> = addressMap;
const COUNTRY_LISTS: Record<AmcLocationCountry, AbbreviationList[]> = {
  US: [LISTS.USStreetSuffixes, LISTS.USSubBuildingDesignator],
  CA: [LISTS.DefaultStreetSuffixes],
  GB: [LISTS.UKOrganizationSuffixes, LISTS.UKStreetSuffixes, LISTS.UKSubBuildingDesignator],
  FR: [LISTS.FRStreetDesignator, LISTS.DefaultStreetSuffixes],
  DE: [LISTS.DefaultStreetSuffixes],
  ES: [LISTS.DefaultStreetSuffixes, LISTS.ESStreetPrefixes],
  IT: [LISTS.DefaultStreetSuffixes, LISTS.ITStreetPrefixes],
  JP: [LISTS.DefaultStreetSuffixes],
  IN: [LISTS.DefaultStreetSuffixes],
};

function byCountry<T>(make: (country: AmcLocationCountry) => T): Record<AmcLocationCountry, T> {
  const result: Partial<Record<AmcLocationCountry, T>> = {};
  for (const country of AMC_LOCATION_COUNTRIES) result[country] = make(country);
  return result as Record<AmcLocationCountry, T>;
}

/** One lookup per country. The solution applies every list containing a token in turn, so the last one wins. */
const ABBREVIATIONS = byCountry<ReadonlyMap<string, string>>((country) => {
  const map = new Map<string, string>();
  for (const list of [LISTS.NumberIndicators, LISTS.DirectionalWords, ...COUNTRY_LISTS[country]]) {
    for (const entry of list) for (const [word, abbreviation] of Object.entries(entry)) if (abbreviation !== undefined) map.set(word, abbreviation);
  }
  return map;
});

/**
 * Like the solution, each pass visits only as many tokens as there were when it started, although splitting
 * adds tokens: so in "1-A 2-B" only the first token is split, and a second "#" match in one token replaces the
 * previous match's last part. Such results are not always stable under a second pass ("#1 #2" → "number1#2"
 * → "number2"), as in the solution.
 */
export function normalizeAmcAddress(raw: string, country: CountryCode): RuleOutcome {
  if (!isAmcCountry(country)) return rejected(`no AMC address rule for ${country}`);
  if (raw.trim() === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  const tokens = raw.toUpperCase().split(DELIMITERS).filter((token) => token !== '');
  for (let i = 0, n = tokens.length; i < n; i++) {
    const word = tokens[i]!;
    const dash = word.lastIndexOf('-');
    if (dash > 0 && dash < word.length - 1) {
      const first = word.slice(0, dash);
      const second = word.slice(dash + 1);
      if (!PY_NUMERIC.test(second) && PY_NUMERIC.test(first)) tokens.splice(i, 1, first, second);
    }
  }
  for (let start = 0, n = tokens.length; start < n; start++) {
    const word = tokens[start]!;
    if (!word.includes('#')) continue;
    let i = start;
    for (const [, first = '', second = ''] of word.matchAll(POUND)) {
      if (first === '' && second === '') continue;
      const parts = first === '' ? ['#', second] : second === '' ? [first, '#'] : [first, '#', second];
      tokens.splice(i, 1, ...parts);
      i += parts.length - 1;
    }
  }
  const abbreviations = ABBREVIATIONS[country];
  let value = '';
  for (const token of tokens) value += abbreviations.get(token) ?? token;
  return value === '' ? rejected('empty') : normalized(value.toLowerCase());
}

const NOT_LOWER_ALNUM = /[^a-z0-9]+/g;

/** The solution's city rule does not depend on the country; the parameter keeps the call shape of the other rules. */
export function normalizeAmcCity(raw: string, _country?: CountryCode): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  const value = raw.toLowerCase().replace(NOT_LOWER_ALNUM, '');
  return value === '' ? rejected('empty') : normalized(value);
}

const NO_STATE_CODES: Readonly<Record<string, string>> = {};
const STATE_NAME_CODES: Record<AmcLocationCountry, Readonly<Record<string, string>>> = {
  US: US_STATE_CODES,
  CA: CA_STATE_CODES,
  FR: FR_STATE_CODES,
  DE: DE_STATE_CODES,
  ES: ES_STATE_CODES,
  IT: IT_STATE_CODES,
  GB: NO_STATE_CODES,
  JP: NO_STATE_CODES,
  IN: NO_STATE_CODES,
};
const STATE_CODES = byCountry<ReadonlyMap<string, string>>((country) => new Map(Object.entries(STATE_NAME_CODES[country])));
const NOT_UPPER = /[^A-Z]+/g;

/** Python's len(): code points, not UTF-16 units; only asked when the answer is not obvious. */
const longerThanTwo = (raw: string) => raw.length > 2 && (raw.length > 5 || [...raw].length > 2);

export function normalizeAmcState(raw: string, country: CountryCode): RuleOutcome {
  if (!isAmcCountry(country)) return rejected(`no AMC state rule for ${country}`);
  if (raw.trim() === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  let value = raw.toUpperCase().replace(NOT_UPPER, '');
  const code = STATE_CODES[country].get(value);
  if (code !== undefined) value = code;
  else if (value.length > 2 && longerThanTwo(raw)) value = value.slice(0, 2);
  return value === '' ? rejected('empty') : normalized(value.toLowerCase());
}

interface PostalCodeRule {
  drop: RegExp;
  length: number;
  shape: RegExp;
}
const FIVE_DIGITS: PostalCodeRule = { drop: /[^0-9]+/g, length: 5, shape: /^[0-9]{5}$/ };
const POSTAL_CODE_RULES: Record<AmcLocationCountry, PostalCodeRule> = {
  US: FIVE_DIGITS,
  DE: FIVE_DIGITS,
  FR: FIVE_DIGITS,
  IT: FIVE_DIGITS,
  ES: FIVE_DIGITS,
  JP: { drop: /[^0-9]+/g, length: 7, shape: /^[0-9]{7}$/ },
  // Python's \d: any decimal digit, Devanagari included.
  IN: { drop: /[^\p{Nd}]+/gu, length: 6, shape: /^\p{Nd}{6}$/u },
  CA: { drop: /[^0-9A-Za-z]+/g, length: 6, shape: /^(?:[A-Za-z][0-9]){3}$/ },
  GB: { drop: /[^0-9A-Za-z]+/g, length: 7, shape: /^(?:[A-Za-z]{1,2}[0-9]{2,3}|[A-Za-z]{1,2}[0-9][A-Za-z][0-9])[A-Za-z]{2}$/ },
};
const SURROGATE = /[\ud800-\udfff]/;

export function normalizeAmcPostalCode(raw: string, country: CountryCode): RuleOutcome {
  if (!isAmcCountry(country)) return rejected(`no AMC postal code rule for ${country}`);
  if (raw.trim() === '') return rejected('empty');
  const hashed = alreadyHashed(raw);
  if (hashed) return hashed;
  const rule = POSTAL_CODE_RULES[country];
  let value = raw.replace(rule.drop, '');
  if (value.length > rule.length) value = SURROGATE.test(value) ? [...value].slice(0, rule.length).join('') : value.slice(0, rule.length);
  return rule.shape.test(value) ? normalized(value) : rejected(`not a ${country} postal code`);
}

/** Country: no rule of its own in the solution, so its default (name) normaliser: "US" → "us". */
export function normalizeAmcCountry(raw: string): RuleOutcome {
  return normalizeAmcText(raw);
}
