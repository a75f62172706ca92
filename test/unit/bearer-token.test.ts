import { describe, expect, it } from 'vitest';
import { bearerTokenMatches } from '../../temporal-client/bearer-token';

const TOKEN = 'a-token-of-32-characters-exactly';

describe('bearerTokenMatches', () => {
  it('accepts exactly "Bearer <token>"', () => {
    expect(bearerTokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['the token without the scheme', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
    ['the scheme alone', 'Bearer '],
  ])('refuses %s', (_label, header) => {
    expect(bearerTokenMatches(header, TOKEN)).toBe(false);
  });
});
