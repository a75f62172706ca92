import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const PHONE_CHARS = /^[+\d\s().-]+$/;
const ANY_DIGIT = /\d/;

/**
 * E.164 form of a phone number, or undefined when it cannot be one. Numbers without a leading '+'
 * are read in `defaultRegion` (a national number, e.g. "(02) 1234 5678" in AU → +61212345678).
 * Acceptance follows E.164's length rules (libphonenumber's isPossible), not its numbering-plan
 * validity: UID2's own published examples include numbers the plan data calls invalid.
 */
export function toE164(raw: string, defaultRegion: CountryCode): string | undefined {
  const trimmed = raw.trim();
  if (!PHONE_CHARS.test(trimmed) || !ANY_DIGIT.test(trimmed)) return undefined;
  const fast = nanpFastPath(trimmed, defaultRegion);
  if (fast !== undefined) return fast;
  const parsed = parsePhone(trimmed, defaultRegion);
  return parsed?.possible ? parsed.number : undefined;
}

/** What the rules take from libphonenumber's reading of a number. */
export interface ParsedPhone {
  /** E.164's length rules (isPossible). */
  possible: boolean;
  /** E.164, with its '+'. */
  number: string;
  nationalNumber: string;
  /** The country the number belongs to, when libphonenumber can tell. */
  country: CountryCode | undefined;
}

const parsedPhones = new Map<string, ParsedPhone | null>();
const PARSED_PHONES_KEPT = 10_000;

/**
 * libphonenumber's reading of `text` (international when no region is given), or undefined when it finds no
 * number. It is called for the values the NANP fast path does not take, and those repeat in a customer file
 * ('555-0199', '000-000-0000', a switchboard's number): each distinct one is parsed once (~40 µs a parse),
 * in a bounded memo that starts over when full. Its keys are strings of their own, never slices of a chunk.
 */
export function parsePhone(text: string, region?: CountryCode): ParsedPhone | undefined {
  const key = `${region ?? '+'}|${text}`;
  let parsed = parsedPhones.get(key);
  if (parsed === undefined) {
    const number = region ? parsePhoneNumberFromString(text, region) : parsePhoneNumberFromString(text);
    parsed = number ? { possible: number.isPossible(), number: number.number, nationalNumber: number.nationalNumber, country: number.country } : null;
    if (parsedPhones.size >= PARSED_PHONES_KEPT) parsedPhones.clear();
    parsedPhones.set(key, parsed);
  }
  return parsed ?? undefined;
}

const [PLUS, OPEN, CLOSE, DASH, DOT, ZERO, ONE, TWO, NINE] = [0x2b, 0x28, 0x29, 0x2d, 0x2e, 0x30, 0x31, 0x32, 0x39];

/** JavaScript's \s: WhiteSpace (Unicode Zs, TAB, VT, FF, BOM) and LineTerminator. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The answer libphonenumber gives for the commonest North American shapes, without its general
 * parser (which tries every NANP country's patterns and costs ~40 µs a number): a 10-digit number
 * with a valid area code and exchange, optionally preceded by +1 or the national prefix 1. Anything
 * else returns undefined and goes through libphonenumber. Equivalence is a test
 * (test/unit/pii-phone-fast-path.test.ts), not an assumption.
 */
export function nanpFastPath(trimmed: string, region: CountryCode): string | undefined {
  const digits = nanpDigits(trimmed, region);
  return digits === undefined ? undefined : `+${digits}`;
}

/** The digits `nanpDigits` reads, reused call after call (a number has 11 at most). */
const readDigits = new Uint8Array(11);

/**
 * `nanpFastPath` without its '+': the 11 digits 1, area code, exchange, line. The shape it takes is
 * /^\+?\(?\d[\d\s().-]*\d$/ with 10 digits ([2-9]XX[2-9]XXXXXX) or 11 (1 then those); a leading '+'
 * only with 11. Checked in one pass over the chars, which keeps the digits; the answer is made from them
 * in one string (joining the runs of digits as slices made a string per run and per join).
 */
export function nanpDigits(trimmed: string, region: CountryCode): string | undefined {
  if (region !== 'US' && region !== 'CA') return undefined;
  const length = trimmed.length;
  const international = trimmed.charCodeAt(0) === PLUS;
  let start = international ? 1 : 0;
  if (trimmed.charCodeAt(start) === OPEN) start++;
  if (length - start < 2) return undefined;
  const last = length - 1;
  const d = readDigits;
  let count = 0;
  let separated = false;
  for (let i = start; i < length; i++) {
    const c = trimmed.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      if (count === 11) return undefined;
      d[count++] = c;
    } else if (i === start || i === last || !(c === OPEN || c === CLOSE || c === DASH || c === DOT || isSpace(c))) {
      return undefined;
    } else {
      separated = true;
    }
  }
  if (count === 10 && !international && d[0]! >= TWO && d[3]! >= TWO) {
    return String.fromCharCode(ONE, d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!);
  }
  if (count === 11 && d[0] === ONE && d[1]! >= TWO && d[4]! >= TWO) {
    return start === 0 && !separated ? trimmed : String.fromCharCode(d[0], d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!);
  }
  return undefined;
}
