import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../pii/hash';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';
import { normalizeUid2Email, normalizeUid2Phone } from '../../pii/rules/uid2';

/** The UID2 profile's encoding, as production applies it. */
const uid2Hash = DESTINATION_PROFILES.uid2.encode;

/**
 * Truth: UID2 "Normalization and Encoding" (IABTechLab/uid2docs,
 * docs/getting-started/gs-normalization-encoding.md), its worked examples verbatim.
 */
const EMAIL_EXAMPLES: [string[], string, string, string][] = [
  [['MyEmail@example.com', 'MYEMAIL@example.com'], 'myemail@example.com', '16c18d336f0b250f0e2d907452ceb9658a74ecdae8bc94864c23122a72cc27a5', 'FsGNM28LJQ8OLZB0Us65ZYp07NrovJSGTCMSKnLMJ6U='],
  [['My.Email@example.com'], 'my.email@example.com', 'e22b53bc6f871274f3a62ab37a3caed7214fc14d676215a96a242fcfada1c81f', '4itTvG+HEnTzpiqzejyu1yFPwU1nYhWpaiQvz62hyB8='],
  [['JANESAOIRSE@example.com', 'JaneSaoirse@example.com'], 'janesaoirse@example.com', 'd6670e7a92007f1b5ff785f1fc81e53aa6d3d7bd06bdf5c473cdc7286c284b6d', '1mcOepIAfxtf94Xx/IHlOqbT170GvfXEc83HKGwoS20='],
  [['jane.saoirse@example.com', 'Jane.Saoirse@example.com'], 'jane.saoirse@example.com', 'b196432c7b989a2ca91c83799957c515da53e6c13abf20b78fea94f117e90bf8', 'sZZDLHuYmiypHIN5mVfFFdpT5sE6vyC3j+qU8RfpC/g='],
  [['JaneSaoirse+Work@example.com'], 'janesaoirse+work@example.com', '28aaee4815230cd3b4ebd88c515226550666e91ac019929e3adac3f66c288180', 'KKruSBUjDNO069iMUVImVQZm6RrAGZKeOtrD9mwogYA='],
  [['JANE.SAOIRSE@gmail.com', 'Jane.Saoirse@gmail.com', 'JaneSaoirse+Work@gmail.com', 'JANESaoirse@gmail.com'], 'janesaoirse@gmail.com', '92ee26057ed9dea2535d6c8b141d48373932476599196e00352254896db5888f', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8='],
  [['user@example.com'], 'user@example.com', 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514', 'tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ='],
];

describe('UID2 email normalisation and encoding (published examples)', () => {
  it.each(EMAIL_EXAMPLES.flatMap(([inputs, norm, hex, b64]) => inputs.map((input) => [input, norm, hex, b64] as const)))(
    '%s → %s',
    (input, norm, hex, b64) => {
      expect(normalizeUid2Email(input)).toEqual({ kind: 'normalized', value: norm });
      expect(sha256Hex(norm)).toBe(hex);
      expect(uid2Hash(norm)).toBe(b64);
    },
  );

  it('gets the wrong value when not normalised first, as the page warns', () => {
    expect(uid2Hash('JANESaoirse@gmail.com')).toBe('VpLXEp5N1bj/V1WzjgZsC+FfuYdntAOywSVIO00FD/E=');
  });

  it('trims, keeps dots and tags outside gmail.com, passes hashes through, and rejects what is not an email', () => {
    expect(normalizeUid2Email('  Jane.Doe+news@Example.org ')).toEqual({ kind: 'normalized', value: 'jane.doe+news@example.org' });
    expect(normalizeUid2Email('ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=')).toEqual({ kind: 'prehashed', value: 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=' });
    expect(normalizeUid2Email('')).toEqual({ kind: 'rejected', reason: 'empty' });
    expect(normalizeUid2Email('jane at example.com')).toEqual({ kind: 'rejected', reason: 'not an email address' });
    expect(normalizeUid2Email('+promo@gmail.com')).toEqual({ kind: 'rejected', reason: 'not an email address' });
  });
});

describe('UID2 phone normalisation and encoding (published examples)', () => {
  it('normalises the US, Singapore and Sydney examples to E.164', () => {
    expect(normalizeUid2Phone('1 (234) 567-8901', 'US')).toEqual({ kind: 'normalized', value: '+12345678901' });
    // The page writes "65 1243 5678" → "+6512345678" (its digits differ); with the country code marked by '+':
    expect(normalizeUid2Phone('+65 1234 5678', 'US')).toEqual({ kind: 'normalized', value: '+6512345678' });
    expect(normalizeUid2Phone('(02) 1234 5678', 'AU')).toEqual({ kind: 'normalized', value: '+61212345678' });
  });

  it('hashes +12345678901 to the published value', () => {
    expect(sha256Hex('+12345678901')).toBe('10e6f0b47054a83359477dcb35231db6de5c69fb1816e1a6b98e192de9e5b9ee');
    expect(uid2Hash('+12345678901')).toBe('EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4=');
  });

  it('rejects what cannot be a phone number, and passes hashes through', () => {
    expect(normalizeUid2Phone('12', 'US').kind).toBe('rejected');
    expect(normalizeUid2Phone('call me', 'US').kind).toBe('rejected');
    expect(normalizeUid2Phone('+1234567890123456', 'US').kind).toBe('rejected');
    expect(normalizeUid2Phone('', 'US')).toEqual({ kind: 'rejected', reason: 'empty' });
    expect(normalizeUid2Phone('EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4=', 'US').kind).toBe('prehashed');
  });
});
