import type { CountryCode } from 'libphonenumber-js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalized, rejected, type RuleOutcome } from './outcome';

/**
 * AWS Entity Resolution's normalisation: what a matching workflow does to its input fields when
 * `applyNormalization` is true, so that a pipeline's clean zone holds the values ER matches on.
 *
 * What AWS publishes, word for word:
 * - API Reference, "SchemaInputAttribute" (docs.aws.amazon.com/entityresolution/latest/apireference/
 *   API_SchemaInputAttribute.html; the same text in botocore's entityresolution 2018-05-10 service-2.json):
 *   "Normalization is only supported for NAME, ADDRESS, PHONE, and EMAIL_ADDRESS. If you want to normalize
 *   NAME_FIRST, NAME_MIDDLE, and NAME_LAST, you must group them by assigning them to the NAME groupName.
 *   If you want to normalize ADDRESS_STREET1, ADDRESS_STREET2, ADDRESS_STREET3, ADDRESS_CITY, ADDRESS_STATE,
 *   ADDRESS_COUNTRY, and ADDRESS_POSTALCODE, you must group them by assigning them to the ADDRESS groupName.
 *   If you want to normalize PHONE_NUMBER and PHONE_COUNTRYCODE, you must group them by assigning them to
 *   the PHONE groupName."
 * - AWS Solutions Library, "Guidance for Customizing Normalization Library for AWS Entity Resolution"
 *   (aws-solutions-library-samples.github.io/advertising-marketing/customizing-normalization-library-for-aws-entity-resolution.html):
 *   "AWS Entity Resolution provides the ability to apply standard normalization rules on data input.
 *   Normalization standardizes the input data, such as removing extra spaces or special characters and
 *   standardizing to lowercase format. For example, if an input field has an input type of PHONE_NUMBER,
 *   and the values in the input are formatted as (123) 456-7890, AWS Entity Resolution will normalize the
 *   values to 1234567890." — and "you may need to customize or extend these rules", with the rules as code
 *   (github.com/aws-solutions-library-samples/guidance-for-customizing-normalization-library-for-aws-entity-resolution,
 *   src/main/resources/normalizeRules.json and src/main/java/com/amazon/util/Operations.java).
 * - API Reference, "InputSource" (…/apireference/API_InputSource.html), applyNormalization: "if an attribute
 *   has an AttributeType of PHONE_NUMBER, and the data in the input table is in a format of 1234567890,
 *   AWS Entity Resolution will normalize this field in the output to (123)-456-7890."
 *
 * The user guide and API reference give no per-type rules. The only ones AWS publishes are the Guidance
 * library's, so this module follows them step by step (AWS does not say the service runs that exact code):
 * - NAME, NAME_FIRST/MIDDLE/LAST: trim, lowercase, 'å' → 'aa' and strip accents (NFD), keep only a–z
 *   (spaces, digits, ß, ł, non-Latin letters go): "  First1" → "first", "Mary O'Brien" → "maryobrien".
 * - EMAIL_ADDRESS: trim, lowercase, strip accents, keep what is inside the first "<…>", remove whitespace,
 *   "(at)" → "@", keep only a–z 0–9 _ . @ - ('+' goes: "jane+tag@x.com" → "janetag@x.com").
 * - PHONE_NUMBER, PHONE: keep digits; if the country is US or unknown and the digits parse as a valid number
 *   with region US (libphonenumber), its national number ("+1 (206) 345-7890" → "2063457890"); drop leading
 *   zeros; for the library's 19 countries prefix the calling code when missing (US "1-888-123-4567" →
 *   "18881234567", GB "020 7946 0958" → "442079460958").
 * - ADDRESS, ADDRESS_STREET1/2/3: trim, lowercase, word abbreviations (street → st, avenue → ave, …),
 *   , . [ ] / - → space and '#' → " number ", directions (north → n, …), number words (no, num, número → number),
 *   ß ä ö ü ø æ → ss ae oe ue o ae, strip accents, abbreviations again, keep only a–z 0–9:
 *   "123 Main Street, Apt #4" → "123mainstaptnumber4".
 * - ADDRESS_CITY: trim, lowercase, strip accents, keep a–z 0–9.
 * - ADDRESS_STATE: trim, lowercase, ß ä ö ü ø æ as above, strip accents, keep a–z 0–9, state name → code.
 * - ADDRESS_COUNTRY: trim, lowercase, strip accents, keep a–z 0–9, the library's 21 names → ISO code.
 * - ADDRESS_POSTALCODE: trim, lowercase, cut at the first '-', keep a–z 0–9 ("12345-6789" → "12345").
 *
 * Where the sources are silent or disagree, the conservative choice:
 * - phone format: digits, as the Guidance example and library say, not InputSource's "(123)-456-7890",
 *   which contradicts them and describes the output file;
 * - country: a field is normalised on its own, so no country is known (the library's blank-country path:
 *   US parsing, no prefix) unless a caller passes `defaultRegion`; the library's per-country street maps
 *   (US, IT, FR, ES, UK) are not applied, only its default one;
 * - state names: the library replaces every state name found anywhere in the value ("westvirginia" becomes
 *   "westva" because "virginia" comes first); here only a value that is a whole state name is replaced, and
 *   only US states, Puerto Rico and Canadian provinces/territories (its DE/FR/IT/ES region codes are not);
 * - PHONE_COUNTRYCODE (no rule published): digits without leading zeros, 1–3 of them;
 * - NAME_*, ADDRESS_*, PHONE_* are normalised without checking they sit in a NAME / ADDRESS / PHONE group;
 * - every other type (UNIQUE_ID, DATE, STRING, PROVIDER_ID, IPV4, IPV6, MAID) is left exactly as it is;
 * - rejections are this project's (ER matches on whatever remains): empty input; nothing left after
 *   normalisation; an email that is not local@domain.tld; a phone number of fewer than 4 or more than 15
 *   digits (E.164's maximum) or only zeros.
 * Not idempotent in two corners the library shares: words that only join into an abbreviated word once
 * spaces are removed ("ave nue" → "avenue", which a second pass makes "ave"), and a US number behind an
 * extra leading 0 ("0 1 415 555 2671" → "14155552671", then "4155552671").
 */

// Steps shared by several types (the library's TRIM, LOWERCASE, CONVERT_ACCENT, REMOVE_ALL_NON_*).
const NON_ASCII = /[^\x00-\x7f]/;
const A_RING = /å/g;
const NON_ALPHA = /[^a-zA-Z]+/g;
const NON_ALPHANUMERIC = /[^a-zA-Z0-9]+/g;
const NON_DIGIT = /[^0-9]+/g;
const NON_EMAIL_CHAR = /[^\w.@-]+/g;
const JAVA_WHITESPACE = /[ \t\n\x0B\f\r]+/g;
const AT_WORD = /\(at\)/g;
const DELIMITER = /[,.[\]/#-]/g;
const SPECIAL_LETTER = /[ßäöüøæ]/g;
const EMAIL = /^[\w.-]+@[\w-]+(?:\.[\w-]+)+$/;
const ALL_ZEROS = /^0+$/;
const LEADING_ZEROS = /^0+/;

/** 'å' → 'aa', then canonical decomposition so that the later character filter drops the accents. */
function convertAccent(value: string): string {
  return NON_ASCII.test(value) ? value.replace(A_RING, 'aa').normalize('NFD') : value;
}

function lowerTrimmedAccentless(raw: string): string {
  return convertAccent(raw.trim().toLowerCase());
}

const SPECIAL_LETTERS: Record<string, string> = { ß: 'ss', ä: 'ae', ö: 'oe', ü: 'ue', ø: 'o', æ: 'ae' };
const replaceSpecialLetters = (value: string): string => (NON_ASCII.test(value) ? value.replace(SPECIAL_LETTER, (c) => SPECIAL_LETTERS[c]!) : value);

/** Replaces each space-separated word found in `words` (the library's REPLACE_WORD_WITH_MAP). */
function replaceWords(value: string, words: ReadonlyMap<string, string>): string {
  const parts = value.split(' ');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const replacement = words.get(parts[i]!);
    if (replacement !== undefined) {
      parts[i] = replacement;
      changed = true;
    }
  }
  return changed ? parts.join(' ') : value;
}

/** The library's defaultAddressMap (applied whatever the country). */
const STREET_WORDS = new Map(
  Object.entries({
    avenue: 'ave', bouled: 'blvd', circle: 'cir', circles: 'cirs', court: 'ct', centre: 'ctr', center: 'ctr', drive: 'dr',
    freeway: 'fwy', frwy: 'fwy', highway: 'hwy', lane: 'ln', parks: 'park', parkways: 'pkwy', pky: 'pkwy', pkway: 'pkwy',
    pkwys: 'pkwy', parkway: 'pkwy', parkwy: 'pkwy', place: 'pl', plaza: 'plz', plza: 'plz', road: 'rd', square: 'sq',
    squ: 'sq', sqr: 'sq', street: 'st', str: 'st', 'str.': 'strasse',
  }),
);
const DIRECTION_WORDS = new Map(
  Object.entries({ east: 'e', north: 'n', south: 's', west: 'w', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' }),
);
const NUMBER_WORDS = new Map(Object.entries({ número: 'number', numero: 'number', no: 'number', núm: 'number', num: 'number' }));

/** US states (and Puerto Rico) and Canadian provinces/territories, as the library lists them, spaces removed. */
const STATE_CODES = new Map(
  Object.entries({
    alabama: 'al', alaska: 'ak', arizona: 'az', arkansas: 'ar', california: 'ca', colorado: 'co', connecticut: 'ct', delaware: 'de',
    florida: 'fl', georgia: 'ga', hawaii: 'hi', idaho: 'id', illinois: 'il', indiana: 'in', iowa: 'ia', kansas: 'ks', kentucky: 'ky',
    louisiana: 'la', maine: 'me', maryland: 'md', massachusetts: 'ma', michigan: 'mi', minnesota: 'mn', mississippi: 'ms',
    missouri: 'mo', montana: 'mt', nebraska: 'ne', nevada: 'nv', newhampshire: 'nh', newjersey: 'nj', newmexico: 'nm',
    newyork: 'ny', northcarolina: 'nc', northdakota: 'nd', ohio: 'oh', oklahoma: 'ok', oregon: 'or', pennsylvania: 'pa',
    puertorico: 'pr', rhodeisland: 'ri', southcarolina: 'sc', southdakota: 'sd', tennessee: 'tn', texas: 'tx', utah: 'ut',
    vermont: 'vt', virginia: 'va', washington: 'wa', westvirginia: 'wv', wisconsin: 'wi', wyoming: 'wy',
    alberta: 'ab', britishcolumbia: 'bc', manitoba: 'mb', newbrunswick: 'nb', newfoundlandandlabrador: 'nl',
    northwestterritories: 'nt', novascotia: 'ns', nunavut: 'nu', ontario: 'on', princeedwardisland: 'pe', quebec: 'qc',
    saskatchewan: 'sk', yukon: 'yt',
  }),
);

/** The library's countryMap. */
const COUNTRY_CODES = new Map(
  Object.entries({
    canada: 'ca', france: 'fr', germany: 'de', greatbritain: 'gb', unitedkingdom: 'gb', italy: 'it', spain: 'es', unitedstates: 'us',
    unitedstatesofamerica: 'us', mexico: 'mx', netherlands: 'nl', india: 'in', japan: 'jp', australia: 'au', saudiarabia: 'sa',
    unitedarabemirates: 'ae', turkey: 'tr', sweden: 'se', belgium: 'be', poland: 'pl', singapore: 'sg',
  }),
);

/** The library's phonePrefixMap: the calling code a phone number of that country is made to start with. */
const CALLING_CODES = new Map(
  Object.entries({
    us: '1', ca: '1', mx: '52', gb: '44', fr: '33', de: '49', it: '39', es: '34', nl: '31', in: '91', jp: '81', au: '61', sa: '966',
    ae: '971', tr: '90', se: '46', be: '32', pl: '48', sg: '65',
  }),
);

/**
 * Digit strings that libphonenumber can find valid when parsed in region US: a NANP number (10 digits, the
 * first 2–9) behind at most two '1's (country code, national prefix), or anything after the 011 international
 * prefix (at most 15 more digits). Nothing else is parsed: parsing costs ~25 µs, the rest of the rule ~1 µs.
 */
const US_PARSEABLE = /^(?:1{0,2}[2-9]\d{9}|011\d{1,15})$/;
/** Parse results by digit string, since the same numbers recur across sources; emptied when full. */
const usNationalByDigits = new Map<string, string>();
const US_PARSE_CACHE_SIZE = 100_000;

/** The national number of a valid number parsed in region US, or the digits themselves (the library's PHONE_NUM_UTIL_NORM). */
function usNationalOrDigits(digits: string): string {
  if (!US_PARSEABLE.test(digits)) return digits;
  let result = usNationalByDigits.get(digits);
  if (result === undefined) {
    const parsed = parsePhoneNumberFromString(digits, 'US');
    result = parsed?.isValid() ? parsed.nationalNumber : digits;
    if (usNationalByDigits.size >= US_PARSE_CACHE_SIZE) usNationalByDigits.clear();
    usNationalByDigits.set(digits, result);
  }
  return result;
}
const PHONE_MIN_DIGITS = 4;
const PHONE_MAX_DIGITS = 15;

function outcome(raw: string, value: string): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  return value === '' ? rejected('nothing left after normalisation') : normalized(value);
}

export function normalizeErName(raw: string): RuleOutcome {
  return outcome(raw, lowerTrimmedAccentless(raw).replace(NON_ALPHA, ''));
}

export function normalizeErEmail(raw: string): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  let value = lowerTrimmedAccentless(raw);
  const open = value.indexOf('<');
  const close = open < 0 ? -1 : value.indexOf('>', open + 1);
  if (close >= 0) value = value.slice(open + 1, close);
  value = value.replace(JAVA_WHITESPACE, '').replace(AT_WORD, '@').replace(NON_EMAIL_CHAR, '');
  return EMAIL.test(value) ? normalized(value) : rejected('not an email address');
}

/**
 * `defaultRegion` is the record's country when known: US (or none) lets a valid US/NANP number lose its
 * country code; US, CA, MX, GB, FR, DE, IT, ES, NL, IN, JP, AU, SA, AE, TR, SE, BE, PL and SG put their
 * calling code in front when the digits do not start with it; other regions keep the digits as they are.
 */
export function normalizeErPhone(raw: string, defaultRegion?: CountryCode): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  const country = defaultRegion?.toLowerCase() ?? '';
  let digits = raw.replace(NON_DIGIT, '');
  if (digits === '') return rejected('not a phone number');
  if (country === '' || country === 'us') digits = usNationalOrDigits(digits);
  if (!ALL_ZEROS.test(digits)) digits = digits.replace(LEADING_ZEROS, '');
  const callingCode = CALLING_CODES.get(country);
  if (callingCode !== undefined && !digits.startsWith(callingCode)) digits = callingCode + digits;
  if (digits.length < PHONE_MIN_DIGITS || digits.length > PHONE_MAX_DIGITS || ALL_ZEROS.test(digits)) return rejected('not a phone number');
  return normalized(digits);
}

/** PHONE_COUNTRYCODE: "+44", "0044" and "44" all give "44". */
export function normalizeErPhoneCountryCode(raw: string): RuleOutcome {
  if (raw.trim() === '') return rejected('empty');
  const digits = raw.replace(NON_DIGIT, '').replace(LEADING_ZEROS, '');
  return digits.length >= 1 && digits.length <= 3 ? normalized(digits) : rejected('not a country calling code');
}

/** A street line or a whole address in one field (ADDRESS, ADDRESS_STREET1/2/3). */
export function normalizeErAddress(raw: string): RuleOutcome {
  let value = raw.trim().toLowerCase();
  value = replaceWords(value, STREET_WORDS);
  value = value.replace(DELIMITER, (c) => (c === '#' ? ' number ' : ' '));
  value = replaceWords(value, DIRECTION_WORDS);
  value = replaceWords(value, NUMBER_WORDS);
  value = convertAccent(replaceSpecialLetters(value));
  value = replaceWords(value, STREET_WORDS);
  return outcome(raw, value.replace(NON_ALPHANUMERIC, ''));
}

export function normalizeErCity(raw: string): RuleOutcome {
  return outcome(raw, lowerTrimmedAccentless(raw).replace(NON_ALPHANUMERIC, ''));
}

export function normalizeErState(raw: string): RuleOutcome {
  const value = convertAccent(replaceSpecialLetters(raw.trim().toLowerCase())).replace(NON_ALPHANUMERIC, '');
  return outcome(raw, STATE_CODES.get(value) ?? value);
}

export function normalizeErCountry(raw: string): RuleOutcome {
  const value = lowerTrimmedAccentless(raw).replace(NON_ALPHANUMERIC, '');
  return outcome(raw, COUNTRY_CODES.get(value) ?? value);
}

export function normalizeErPostalCode(raw: string): RuleOutcome {
  const value = raw.trim().toLowerCase();
  const dash = value.indexOf('-');
  return outcome(raw, (dash < 0 ? value : value.slice(0, dash)).replace(NON_ALPHANUMERIC, ''));
}

const RULE_BY_TYPE = new Map<string, (raw: string) => RuleOutcome>([
  ['NAME', normalizeErName],
  ['NAME_FIRST', normalizeErName],
  ['NAME_MIDDLE', normalizeErName],
  ['NAME_LAST', normalizeErName],
  ['EMAIL_ADDRESS', normalizeErEmail],
  ['PHONE', (raw) => normalizeErPhone(raw)],
  ['PHONE_NUMBER', (raw) => normalizeErPhone(raw)],
  ['PHONE_COUNTRYCODE', normalizeErPhoneCountryCode],
  ['ADDRESS', normalizeErAddress],
  ['ADDRESS_STREET1', normalizeErAddress],
  ['ADDRESS_STREET2', normalizeErAddress],
  ['ADDRESS_STREET3', normalizeErAddress],
  ['ADDRESS_CITY', normalizeErCity],
  ['ADDRESS_STATE', normalizeErState],
  ['ADDRESS_COUNTRY', normalizeErCountry],
  ['ADDRESS_POSTALCODE', normalizeErPostalCode],
]);

/**
 * The value ER matches on for a field of schema input type `matchKeyType` (NAME, EMAIL_ADDRESS, PHONE_NUMBER,
 * ADDRESS_CITY, …; case and surrounding spaces ignored), or '' when nothing is left or the value is rejected,
 * so that a matcher never matches on it. Types ER does not normalise come back unchanged ('' if blank).
 */
export function normalizeForEntityResolution(matchKeyType: string, value: string): string {
  const rule = RULE_BY_TYPE.get(matchKeyType) ?? RULE_BY_TYPE.get(matchKeyType.trim().toUpperCase());
  if (rule === undefined) return value.trim() === '' ? '' : value;
  const result = rule(value);
  return result.kind === 'normalized' ? result.value : '';
}
