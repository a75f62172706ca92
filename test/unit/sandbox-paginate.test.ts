import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../sandbox/protocols/errors';
import { paginate } from '../../sandbox/services/paginate';

const items = ['a', 'b', 'c', 'd', 'e'];
const token = (text: string) => Buffer.from(text).toString('base64url');

describe('sandbox pagination', () => {
  it('pages with the tokens it issues', () => {
    const first = paginate(items, 2, undefined);
    expect(first.page).toEqual(['a', 'b']);
    const second = paginate(items, 2, first.nextToken);
    expect(second.page).toEqual(['c', 'd']);
    expect(paginate(items, 2, second.nextToken)).toEqual({ page: ['e'], nextToken: undefined });
  });

  it.each([
    ['a token that decodes to a bare number', token('0')],
    ['a token of characters base64 ignores', '!!!'],
    ['base64 of garbage', 'Z2FyYmFnZQ'],
    ['a negative offset', token('offset:-2')],
    ['an issued token with extra text', `${token('offset:2')}xyz`],
  ])('refuses %s with ValidationException', (_label, nextToken) => {
    expect(() => paginate(items, 2, nextToken)).toThrow(expect.objectContaining({ type: 'ValidationException', message: 'Invalid nextToken' }) as SandboxError);
  });

  it.each([0, -1, '0', '-3'])('refuses maxResults %s, which some models leave unbounded below, in the services\' wording', (maxResults) => {
    expect(() => paginate(items, maxResults, undefined)).toThrow(
      expect.objectContaining({
        type: 'ValidationException',
        message: "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      }) as SandboxError,
    );
  });
});
