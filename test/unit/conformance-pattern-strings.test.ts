import { describe, expect, it } from 'vitest';
import { PatternStrings } from '../conformance/pattern-strings';

// Clean Rooms' GenericResourceName: not blank, any of these UTF-16 ranges.
const CLEAN_ROOMS_NAME = '(?!\\s*$)[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDBFF-\\uDC00\\uDFFF\\t]*';

describe('conformance pattern strings', () => {
  it('reads \\uXXXX escapes and a lookaround, and makes only strings the whole pattern accepts', () => {
    const names = new PatternStrings(CLEAN_ROOMS_NAME);
    const whole = new RegExp(`^(?:${CLEAN_ROOMS_NAME})$`);
    expect(names.canMake(0)).toBe(false); // blank: the lookahead refuses it although the class allows no characters
    for (const length of [1, 2, 100]) {
      for (const seed of [0, 63, 64, 1000]) {
        const made = names.make(length, seed);
        expect(made).toHaveLength(length);
        expect(whole.test(made)).toBe(true);
      }
    }
  });

  it('keeps a \\u range exact', () => {
    const hex = new PatternStrings('[\\u0041-\\u0043]{3}');
    expect(hex.make(3)).toMatch(/^[A-C]{3}$/);
    expect(hex.canMake(4)).toBe(false);
  });
});
