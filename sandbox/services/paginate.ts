import { validation } from '../protocols/errors';

/** Offset pagination with an opaque token, as the services' list operations behave. */
export function paginate<T>(items: T[], maxResults: string | number | undefined | null, nextToken: string | undefined | null, defaultMax = 25) {
  const max = maxResults === undefined || maxResults === null || maxResults === '' ? defaultMax : Number(maxResults);
  if (!Number.isInteger(max) || max < 1) throw validation('maxResults must be a positive integer');
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
