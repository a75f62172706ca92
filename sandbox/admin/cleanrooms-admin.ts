import { createHash } from 'node:crypto';
import { z } from 'zod';
import { S3_OBJECT_OR_PREFIX_PATTERN } from '../../storage/s3-uri';
import { QUERY_DURATIONS, type QuerySource, type StateStore } from '../state';

const ms = z.number().int().min(0).max(24 * 3_600_000);
const querySourceSchema = z
  .object({
    match: z.union([
      z.object({ analysisTemplateArn: z.string().regex(/^arn:aws[-a-z]*:cleanrooms:/, 'must be a Clean Rooms analysis template ARN') }).strict(),
      z.object({ sql: z.string().min(1).max(500_000) }).strict(),
      z.object({ sqlSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits') }).strict(),
    ]),
    source: z.string().regex(S3_OBJECT_OR_PREFIX_PATTERN, 'must be an s3://bucket/key URI of a CSV or Parquet object, or a prefix of them'),
  })
  .strict();

const sameMatch = (a: QuerySource['match'], b: QuerySource['match']) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Admin routes for Clean Rooms protected queries (paths under /_sandbox/clean-rooms/query-...), or undefined for
 * a path that is not one. Documented in docs/sandbox-admin-api.md.
 */
export async function serveCleanRoomsAdmin(route: string, store: StateStore, body: () => Promise<unknown>): Promise<{ status: number; body: unknown } | undefined> {
  const ok = (answer: unknown) => ({ status: 200, body: answer });
  switch (route) {
    case 'GET /clean-rooms/query-sources':
      return ok(store.get().cleanRooms.querySources);
    case 'PUT /clean-rooms/query-sources': {
      const { match, source } = querySourceSchema.parse(await body());
      // The SQL text is kept only as its digest, as the queries match it.
      const stored: QuerySource = { match: 'sql' in match ? { sqlSha256: createHash('sha256').update(match.sql).digest('hex') } : match, source };
      return ok(store.update((s) => (s.cleanRooms.querySources = [...s.cleanRooms.querySources.filter((q) => !sameMatch(q.match, stored.match)), stored])));
    }
    case 'GET /clean-rooms/query-durations':
      return ok(store.get().cleanRooms.queryDurations);
    case 'PUT /clean-rooms/query-durations': {
      const durations = z.object({ submittedMs: ms.optional(), runningMs: ms.optional() }).strict().parse(await body());
      return ok(store.update((s) => (s.cleanRooms.queryDurations = { ...QUERY_DURATIONS, ...s.cleanRooms.queryDurations, ...durations })));
    }
    default:
      return undefined;
  }
}
