import { validation } from '../protocols/errors';

/** Offset pagination with an opaque token, as the services' list operations behave. */
export function paginate<T>(items: T[], maxResults: string | number | undefined | null, nextToken: string | undefined | null, defaultMax = 25) {
  const max = maxResults === undefined || maxResults === null || maxResults === '' ? defaultMax : Number(maxResults);
  // Some list operations' models set no minimum; AWS documents none either, and a page of 0 could never advance.
  if (!Number.isInteger(max) || max < 1) {
    throw validation("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
  }
  let start = 0;
  if (nextToken) {
    // Only a token this sandbox issued: base64url of `offset:N`.
    const offset = /^offset:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!offset || Buffer.from(`offset:${offset[1]}`).toString('base64url') !== nextToken) throw validation('Invalid nextToken');
    start = Number(offset[1]);
  }
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`offset:${start + max}`).toString('base64url') : undefined;
  return { page, nextToken: next };
}
