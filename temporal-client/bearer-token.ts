import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header is `Bearer <expected>`. Compared in constant time over digests, so
 * neither the token's bytes nor its length show in the response time.
 */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
