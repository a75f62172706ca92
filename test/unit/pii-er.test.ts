import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  normalizeErAddress,
  normalizeErCity,
  normalizeErCountry,
  normalizeErEmail,
  normalizeErName,
  normalizeErPhone,
  normalizeErPhoneCountryCode,
  normalizeErPostalCode,
  normalizeErState,
  normalizeForEntityResolution,
} from '../../pii/rules/er';
import type { RuleOutcome } from '../../pii/rules/outcome';

const value = (outcome: RuleOutcome) => (outcome.kind === 'normalized' ? outcome.value : `<${outcome.kind}: ${'reason' in outcome ? outcome.reason : ''}>`);

/**
 * Truth, where AWS gives any:
 * - AWS Solutions Library, "Guidance for Customizing Normalization Library for AWS Entity Resolution":
 *   PHONE_NUMBER "(123) 456-7890" → "1234567890";
 * - that Guidance's library (aws-solutions-library-samples/guidance-for-customizing-normalization-library-for-aws-entity-resolution):
 *   the record of src/main/java/com/amazon/test/NormalizerTest.java (country "US"), and the phone examples
 *   in the comment of Operations.operationPhoneNumUtilNorm;
 * - API Reference "SchemaInputAttribute": normalisation only for NAME, ADDRESS, PHONE and EMAIL_ADDRESS.
 */
describe('ER normalisation: the examples AWS publishes', () => {
  it('Guidance page: PHONE_NUMBER (123) 456-7890 → 1234567890', () => {
    expect(value(normalizeErPhone('(123) 456-7890'))).toBe('1234567890');
    expect(value(normalizeErPhone('(123) 456-7890', 'US'))).toBe('1234567890');
    expect(normalizeForEntityResolution('PHONE_NUMBER', '(123) 456-7890')).toBe('1234567890');
  });

  it("API Reference InputSource's (123)-456-7890 output format is not applied: digits stay digits", () => {
    expect(normalizeForEntityResolution('PHONE_NUMBER', '1234567890')).toBe('1234567890');
  });

  it("Guidance library's NormalizerTest record", () => {
    expect(value(normalizeErAddress('  address1'))).toBe('address1');
    expect(value(normalizeErCity('  City1'))).toBe('city1');
    expect(value(normalizeErCountry('  US'))).toBe('us');
    expect(value(normalizeErName('  First1'))).toBe('first');
    expect(value(normalizeErName(' Last1'))).toBe('last');
    expect(value(normalizeErEmail('  Tumble@tumble.com '))).toBe('tumble@tumble.com');
    expect(value(normalizeErPhone(' 1-888-123-4567  ', 'US'))).toBe('18881234567');
    expect(value(normalizeErPostalCode(' 12345  '))).toBe('12345');
    expect(value(normalizeErState('  AlabaMA  '))).toBe('al');
  });

  it("Guidance library's phone examples: a valid US number loses its country code, anything else keeps its digits", () => {
    for (const raw of ['+1 (206) 345-7890', '+1206.345.7890', '+1-206-345-7890  ', '(206) 345-7890', '206.345.7890', 'abc206-345-7890..']) {
      expect(value(normalizeErPhone(raw)), raw).toBe('2063457890');
    }
  });

  it('API Reference SchemaInputAttribute: only NAME, ADDRESS, PHONE and EMAIL_ADDRESS types are normalised', () => {
    expect(normalizeForEntityResolution('UNIQUE_ID', '  Ab-12 ')).toBe('  Ab-12 ');
    expect(normalizeForEntityResolution('STRING', 'Mixed Case')).toBe('Mixed Case');
    for (const type of ['DATE', 'PROVIDER_ID', 'IPV4', 'IPV6', 'MAID']) expect(normalizeForEntityResolution(type, ' X.Y ')).toBe(' X.Y ');
    expect(normalizeForEntityResolution('UNIQUE_ID', ' \t ')).toBe('');
  });
});

describe('NAME, NAME_FIRST, NAME_MIDDLE, NAME_LAST', () => {
  it('trims, lowercases, strips accents and keeps only a–z', () => {
    expect(value(normalizeErName("  Mary   O'Brien, Jr. "))).toBe('maryobrienjr');
    expect(value(normalizeErName('Smith-Jones'))).toBe('smithjones');
    expect(value(normalizeErName('José Müller'))).toBe('josemuller');
    expect(value(normalizeErName('Åsa'))).toBe('aasa');
    expect(value(normalizeErName('Agent 007'))).toBe('agent');
  });

  it('drops letters that do not decompose to a–z (ß, ł, non-Latin scripts), as the library does', () => {
    expect(value(normalizeErName('Groß'))).toBe('gro');
    expect(value(normalizeErName('Łukasz'))).toBe('ukasz');
    expect(normalizeErName('张伟')).toEqual({ kind: 'rejected', reason: 'nothing left after normalisation' });
  });

  it('rejects empty values and values with no letters', () => {
    expect(normalizeErName('')).toEqual({ kind: 'rejected', reason: 'empty' });
    expect(normalizeErName(' \t ')).toEqual({ kind: 'rejected', reason: 'empty' });
    expect(normalizeErName(' .,- ')).toEqual({ kind: 'rejected', reason: 'nothing left after normalisation' });
  });

  it('applies to every NAME type', () => {
    for (const type of ['NAME', 'NAME_FIRST', 'NAME_MIDDLE', 'NAME_LAST', 'name_first', ' Name ']) {
      expect(normalizeForEntityResolution(type, ' JANE ')).toBe('jane');
    }
    expect(normalizeForEntityResolution('NAME_MIDDLE', 'A.')).toBe('a');
  });
});

describe('EMAIL_ADDRESS', () => {
  it('trims and lowercases', () => {
    expect(value(normalizeErEmail(' Jane.Doe@Example.com '))).toBe('jane.doe@example.com');
  });

  it('takes the address out of "Name <address>", removes whitespace and reads "(at)" as "@"', () => {
    expect(value(normalizeErEmail('Jane Doe <Jane.Doe@Example.com>'))).toBe('jane.doe@example.com');
    expect(value(normalizeErEmail('jane . doe (AT) example . com'))).toBe('jane.doe@example.com');
  });

  it("keeps only a–z 0–9 _ . @ - (so '+' and accents go)", () => {
    expect(value(normalizeErEmail('Jane+Tag@Example.com'))).toBe('janetag@example.com');
    expect(value(normalizeErEmail('josé_o\'neil@exämple.de'))).toBe('jose_oneil@example.de');
  });

  it('rejects values that are not an email address', () => {
    for (const raw of ['not-an-email', 'jane@', '@example.com', 'jane@example', 'a@b@c.com', 'jane@example..com', '<>']) {
      expect(normalizeErEmail(raw), raw).toEqual({ kind: 'rejected', reason: 'not an email address' });
    }
    expect(normalizeErEmail('  ')).toEqual({ kind: 'rejected', reason: 'empty' });
    expect(normalizeForEntityResolution('EMAIL_ADDRESS', 'not-an-email')).toBe('');
  });
});

describe('PHONE_NUMBER, PHONE', () => {
  it('keeps the digits of numbers that are not valid US numbers, without leading zeros', () => {
    expect(value(normalizeErPhone('+44 20 7946 0958'))).toBe('442079460958');
    expect(value(normalizeErPhone('020 7946 0958'))).toBe('2079460958');
    expect(value(normalizeErPhone('+1 555 000 0001'))).toBe('15550000001');
  });

  it('reads 011 as the US international prefix when parsing in region US', () => {
    expect(value(normalizeErPhone('011 44 20 7946 0958'))).toBe('2079460958');
  });

  it("puts the region's calling code in front for the library's countries", () => {
    expect(value(normalizeErPhone('020 7946 0958', 'GB'))).toBe('442079460958');
    expect(value(normalizeErPhone('+44 20 7946 0958', 'GB'))).toBe('442079460958');
    expect(value(normalizeErPhone('(415) 555-2671', 'US'))).toBe('14155552671');
    expect(value(normalizeErPhone('416 555 0123', 'CA'))).toBe('14165550123');
    expect(value(normalizeErPhone('06 12 34 56 78', 'FR'))).toBe('33612345678');
    expect(value(normalizeErPhone('021 123 4567', 'NZ'))).toBe('211234567');
  });

  it('rejects values with no plausible number', () => {
    for (const raw of ['call me', '12', '000-000', '+1 415 555 2671 ext 123456']) {
      expect(normalizeErPhone(raw), raw).toEqual({ kind: 'rejected', reason: 'not a phone number' });
    }
    expect(normalizeErPhone('')).toEqual({ kind: 'rejected', reason: 'empty' });
  });

  it('gives what parsing every number in region US gives (it only parses those that can be valid there)', () => {
    // The library's steps without the shortcut: digits, the national number when valid in region US, no leading zeros.
    const reference = (digits: string) => {
      const parsed = parsePhoneNumberFromString(digits, 'US');
      const national = (parsed?.isValid() ? parsed.nationalNumber : digits).replace(/^0+(?=.)/, '');
      return national.length < 4 || national.length > 15 || /^0+$/.test(national) ? 'rejected' : national;
    };
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const prefixes = ['', '', '1', '11', '111', '0', '01', '011', '0011', '10', '44'];
    for (let i = 0; i < 8_000; i++) {
      let digits = prefixes[Math.floor(random() * prefixes.length)]!;
      const length = 4 + Math.floor(random() * 12);
      while (digits.length < length) digits += String(Math.floor(random() * 10));
      const actual = normalizeErPhone(digits);
      expect(actual.kind === 'normalized' ? actual.value : actual.kind, digits).toBe(reference(digits));
    }
  });

  it('applies to PHONE and PHONE_NUMBER; PHONE_COUNTRYCODE keeps the calling code digits', () => {
    expect(normalizeForEntityResolution('PHONE_NUMBER', '+1 (415) 555-2671')).toBe('4155552671');
    expect(normalizeForEntityResolution('PHONE', '415.555.2671')).toBe('4155552671');
    for (const raw of ['+44', '0044', '44', ' (44) ']) expect(normalizeForEntityResolution('PHONE_COUNTRYCODE', raw)).toBe('44');
    expect(normalizeErPhoneCountryCode('+1234')).toEqual({ kind: 'rejected', reason: 'not a country calling code' });
    expect(normalizeErPhoneCountryCode('')).toEqual({ kind: 'rejected', reason: 'empty' });
  });
});

describe('ADDRESS, ADDRESS_STREET1/2/3', () => {
  it('abbreviates street words, turns # and no./num into "number", abbreviates directions, keeps only a–z 0–9', () => {
    expect(value(normalizeErAddress(' 123  Main Street, Apt #4 '))).toBe('123mainstaptnumber4');
    expect(value(normalizeErAddress('123 Main St. Apt. No. 4'))).toBe('123mainstaptnumber4');
    expect(value(normalizeErAddress('500 North Highway Drive'))).toBe('500nhwydr');
    expect(value(normalizeErAddress('1 Avenue of the Americas'))).toBe('1aveoftheamericas');
    expect(value(normalizeErAddress('Parkway Plaza/Centre-Court'))).toBe('pkwyplzctrct');
  });

  it('spells out ß ä ö ü ø æ, strips other accents and reads "str." as strasse', () => {
    expect(value(normalizeErAddress('Königsallee 1'))).toBe('koenigsallee1');
    expect(value(normalizeErAddress('Hauptstr. 5'))).toBe('hauptstr5');
    expect(value(normalizeErAddress('Groß Str. 5'))).toBe('grossstrasse5');
    expect(value(normalizeErAddress("1 Rue de l'Église"))).toBe('1ruedeleglise');
  });

  it('applies to every street type and rejects values with nothing left', () => {
    for (const type of ['ADDRESS', 'ADDRESS_STREET1', 'ADDRESS_STREET2', 'ADDRESS_STREET3']) {
      expect(normalizeForEntityResolution(type, '10 Downing Street')).toBe('10downingst');
    }
    expect(normalizeErAddress(' -#- ')).toEqual({ kind: 'normalized', value: 'number' });
    expect(normalizeErAddress(' ., ')).toEqual({ kind: 'rejected', reason: 'nothing left after normalisation' });
    expect(normalizeErAddress('')).toEqual({ kind: 'rejected', reason: 'empty' });
  });
});

describe('ADDRESS_CITY, ADDRESS_STATE, ADDRESS_COUNTRY, ADDRESS_POSTALCODE', () => {
  it('city: lowercase, no accents, a–z 0–9 only', () => {
    expect(normalizeForEntityResolution('ADDRESS_CITY', ' San Francisco ')).toBe('sanfrancisco');
    expect(normalizeForEntityResolution('ADDRESS_CITY', 'München')).toBe('munchen');
    expect(normalizeForEntityResolution('ADDRESS_CITY', 'St. John’s')).toBe('stjohns');
  });

  it('state: US and Canadian names become their codes; other values are only cleaned', () => {
    expect(normalizeForEntityResolution('ADDRESS_STATE', 'New York')).toBe('ny');
    expect(normalizeForEntityResolution('ADDRESS_STATE', 'West Virginia')).toBe('wv');
    expect(normalizeForEntityResolution('ADDRESS_STATE', 'Québec')).toBe('qc');
    expect(normalizeForEntityResolution('ADDRESS_STATE', 'CA')).toBe('ca');
    expect(normalizeForEntityResolution('ADDRESS_STATE', 'Baden-Württemberg')).toBe('badenwuerttemberg');
  });

  it("country: the library's country names become ISO codes; other values are only cleaned", () => {
    expect(normalizeForEntityResolution('ADDRESS_COUNTRY', 'United States of America')).toBe('us');
    expect(normalizeForEntityResolution('ADDRESS_COUNTRY', 'United Kingdom')).toBe('gb');
    expect(normalizeForEntityResolution('ADDRESS_COUNTRY', 'USA')).toBe('usa');
    expect(normalizeForEntityResolution('ADDRESS_COUNTRY', 'Côte d’Ivoire')).toBe('cotedivoire');
  });

  it('postal code: cut at the first dash, a–z 0–9 only', () => {
    expect(normalizeForEntityResolution('ADDRESS_POSTALCODE', '94105-1234')).toBe('94105');
    expect(normalizeForEntityResolution('ADDRESS_POSTALCODE', ' SW1A 1AA ')).toBe('sw1a1aa');
    expect(normalizeForEntityResolution('ADDRESS_POSTALCODE', '-123')).toBe('');
  });
});

describe('normalizeForEntityResolution', () => {
  it('maps empty, whitespace-only and rejected values to the empty string', () => {
    for (const type of ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'PHONE_COUNTRYCODE', 'NAME', 'ADDRESS', 'ADDRESS_CITY', 'ADDRESS_STATE', 'ADDRESS_COUNTRY', 'ADDRESS_POSTALCODE', 'UNIQUE_ID']) {
      expect(normalizeForEntityResolution(type, '')).toBe('');
      expect(normalizeForEntityResolution(type, ' \t ')).toBe('');
    }
    expect(normalizeForEntityResolution('NAME', ' .,- ')).toBe('');
    expect(normalizeForEntityResolution('PHONE', 'n/a')).toBe('');
  });
});

describe('idempotence: normalising a normalised value changes nothing', () => {
  const dirty: Record<string, string[]> = {
    NAME: ["  Mary   O'Brien, Jr. ", 'JOSÉ  Ñúñez', 'Åsa Øberg-Groß', 'Dr. Jane Q. Public III', '李 Wei', 'd’Artagnan'],
    EMAIL_ADDRESS: [' Jane.Doe+Promo@Example.COM ', 'Jane Doe <JANE@Example.org>', 'bob (at) example . net', 'Ünïcödé@Exämple.de', 'x_y-z@sub.example.co.uk'],
    PHONE_NUMBER: ['+1 (415) 555-2671', '(123) 456-7890', '+44 20 7946 0958', '0044 20 7946 0958', '011 44 20 7946 0958', '1-888-123-4567', '415.555.2671 x12', '+33 6 12 34 56 78'],
    PHONE_COUNTRYCODE: ['+1', '0044', '(971)'],
    ADDRESS: [' 123  Main Street, Apt #4 ', '500 NORTH Highway Dr.', 'Königsallee 92a', 'Groß Str. 5', 'Calle Mayor, número 3', '1 Rue de l’Église', 'PO Box 77 / Suite 300', 'Parkway Plaza/Centre-Court'],
    ADDRESS_CITY: [' San Francisco ', 'München', "St. John's", 'Saint-Étienne'],
    ADDRESS_STATE: ['New York', 'West Virginia', ' Québec ', 'CA', 'Baden-Württemberg', 'Île-de-France'],
    ADDRESS_COUNTRY: ['United States of America', ' united kingdom ', 'USA', 'Côte d’Ivoire', 'España'],
    ADDRESS_POSTALCODE: ['94105-1234', ' SW1A 1AA ', 'H3Z 2Y7', '75008'],
    UNIQUE_ID: ['  Ab-12 ', 'X'],
  };

  for (const [type, values] of Object.entries(dirty)) {
    it(type, () => {
      for (const raw of values) {
        const once = normalizeForEntityResolution(type, raw);
        expect(once, raw).not.toBe('');
        expect(normalizeForEntityResolution(type, once), raw).toBe(once);
      }
    });
  }

  it('phone numbers with a region', () => {
    for (const [raw, region] of [['020 7946 0958', 'GB'], ['(415) 555-2671', 'US'], ['416 555 0123', 'CA'], ['06 12 34 56 78', 'FR']] as const) {
      const once = value(normalizeErPhone(raw, region));
      expect(value(normalizeErPhone(once, region)), raw).toBe(once);
    }
  });

  it('the corners the library shares: words that join into an abbreviated word, a US number behind an extra 0', () => {
    expect(normalizeForEntityResolution('ADDRESS', 'ave nue')).toBe('avenue');
    expect(normalizeForEntityResolution('ADDRESS', 'avenue')).toBe('ave');
    expect(normalizeForEntityResolution('PHONE_NUMBER', '0 1 415 555 2671')).toBe('14155552671');
    expect(normalizeForEntityResolution('PHONE_NUMBER', '14155552671')).toBe('4155552671');
  });
});
