import type { CountryCode } from 'libphonenumber-js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { normalizeAmcPhone } from '../../pii/rules/amc';
import { nanpFastPath, toE164 } from '../../pii/rules/phone';
import { seededRandom } from '../../sandbox/synthetic/seeded-random';

/** What libphonenumber alone says, the way toE164 asks it (the truth the fast path must reproduce). */
function libphonenumberE164(raw: string, region: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), region);
  return parsed?.isPossible() ? parsed.number : undefined;
}

function amcByLibphonenumber(raw: string, region: CountryCode): string | undefined {
  const trimmed = raw.trim();
  const parsed = trimmed.startsWith('+') ? parsePhoneNumberFromString(trimmed) : parsePhoneNumberFromString(trimmed, region);
  return parsed?.isPossible() ? parsed.number.slice(1) : undefined;
}

function randomShapes(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const digit = () => String(Math.floor(random() * 10));
  const digits = (n: number) => Array.from({ length: n }, digit).join('');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b, c] = [digits(3), digits(3), digits(4)];
    const shapes = [
      `${a}${b}${c}`,
      `(${a}) ${b}-${c}`,
      `${a}.${b}.${c}`,
      `${a}-${b}-${c}`,
      `+1 ${a}-${b}-${c}`,
      `+1 (${a}) ${b} ${c}`,
      `1-${a}-${b}-${c}`,
      `1${a}${b}${c}`,
      `+${a}${b}${c}`,
      `${digit()}${a}${b}${c}`,
      `${a}${b}${c.slice(0, 3)}`,
      `+44 20 ${b} ${c}`,
      `${a} ${b} ${c} `,
    ];
    out.push(shapes[Math.floor(random() * shapes.length)]!);
  }
  return out;
}

describe('NANP fast path', () => {
  const numbers = randomShapes(7, 6_000);

  it.each(['US', 'CA'] as const)('gives libphonenumber’s answer for 6,000 random North American shapes in %s', (region) => {
    let fastAnswers = 0;
    const disagreements: string[] = [];
    for (const raw of numbers) {
      if (nanpFastPath(raw.trim(), region) !== undefined) fastAnswers++;
      if (toE164(raw, region) !== libphonenumberE164(raw, region)) disagreements.push(`toE164 ${raw}`);
      const amc = normalizeAmcPhone(raw, region);
      if ((amc.kind === 'normalized' ? amc.value : undefined) !== amcByLibphonenumber(raw, region)) disagreements.push(`amc ${raw}`);
    }
    expect(disagreements).toEqual([]);
    // The fast path must actually carry the common shapes, or it is dead code.
    expect(fastAnswers).toBeGreaterThan(numbers.length / 3);
  }, 60_000);

  it('leaves other regions and shapes to libphonenumber', () => {
    expect(nanpFastPath('020 7946 0958', 'GB')).toBeUndefined();
    expect(nanpFastPath('+44 20 7946 0958', 'US')).toBeUndefined();
    expect(nanpFastPath('415 555 0123 ext 4', 'US')).toBeUndefined();
    expect(nanpFastPath('(415) 555-0123', 'US')).toBe('+14155550123');
  });
});
