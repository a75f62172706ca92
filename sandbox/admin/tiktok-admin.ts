import { z } from 'zod';
import type { StateStore } from '../state';
import { audienceSize, tiktokStateOf } from '../tiktok/tiktok-state';

const limitsSchema = z
  .object({
    minimumSize: z.number().int().min(0).max(10_000_000).optional(),
    processingMs: z.number().int().min(0).max(7 * 24 * 3_600_000).optional(),
    strictCalculateType: z.boolean().optional(),
  })
  .strict();
const refusalSchema = z
  .object({
    operation: z.string().regex(/^(\*|[A-Z][A-Za-z]+)$/),
    code: z.number().int().min(1).max(99_999),
    message: z.string().default('Refused (injected by the sandbox)'),
    /** Answer this HTTP status instead of the code inside a 200 (e.g. 429 or 503 from a proxy in front of TikTok). */
    httpStatus: z.number().int().min(400).max(599).optional(),
    count: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

/**
 * The TikTok stand-in's admin routes (paths under /_sandbox/tiktok), or undefined for a path that is not one.
 * `body()` reads the request's JSON body. Documented in docs/sandbox-admin-api.md.
 */
export async function serveTiktokAdmin(route: string, store: StateStore, body: () => Promise<unknown>, now: number = Date.now()): Promise<{ status: number; body: unknown } | undefined> {
  const ok = (answer: unknown) => ({ status: 200, body: answer });
  const readyRoute = /^POST \/tiktok\/audiences\/(\d{1,30})\/ready$/.exec(route);
  if (route === 'GET /tiktok/state') return ok(redactedState(store, now));
  if (route === 'PUT /tiktok/credentials') {
    const request = z.union([z.object({ accessToken: z.string().min(1), advertiserId: z.string().regex(/^\d{1,30}$/) }).strict(), z.object({ revoke: z.literal(true) }).strict()]).parse(await body());
    return store.update((s) => {
      const tiktok = tiktokStateOf(s);
      if ('revoke' in request) {
        if (!tiktok.credentials) return { status: 400, body: { error: 'no credentials are set' } };
        tiktok.credentials.revoked = true;
      } else tiktok.credentials = { ...request, revoked: false };
      return ok({ advertiserId: tiktok.credentials.advertiserId, revoked: tiktok.credentials.revoked });
    });
  }
  if (route === 'GET /tiktok/limits') return ok(tiktokStateOf(store.get()).limits);
  if (route === 'PUT /tiktok/limits') {
    const request = limitsSchema.parse(await body());
    return ok(store.update((s) => Object.assign(tiktokStateOf(s).limits, Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)))));
  }
  if (route === 'PUT /tiktok/refusals') {
    const rules = z.array(refusalSchema).max(20).parse(await body());
    return ok(
      store.update((s) => {
        tiktokStateOf(s).refusals = rules.map((r) => ({ operation: r.operation, code: r.code, message: r.message, remaining: r.count, ...(r.httpStatus ? { httpStatus: r.httpStatus } : {}) }));
        return tiktokStateOf(s).refusals;
      }),
    );
  }
  if (readyRoute) {
    return store.update((s) => {
      const audience = tiktokStateOf(s).audiences[readyRoute[1]!];
      if (!audience) return { status: 404, body: { error: `no TikTok audience ${readyRoute[1]}` } };
      audience.readyAt = Math.min(audience.readyAt, now);
      return ok({ audienceId: audience.id, isValid: true });
    });
  }
  return undefined;
}

/** Counts, MD5s and ids only: never the access token, and never an audience's or a file's members (hashed identifiers). */
function redactedState(store: StateStore, now: number) {
  const { credentials, files, audiences, appliedFiles, limits, refusals } = tiktokStateOf(store.get());
  return {
    credentials: credentials && { advertiserId: credentials.advertiserId, revoked: credentials.revoked },
    files: Object.keys(files).length,
    audiences: Object.values(audiences).map((a) => ({
      id: a.id,
      name: a.name,
      calculateType: a.calculateType,
      size: audienceSize(a),
      sizeByType: Object.fromEntries(Object.entries(a.members).map(([type, members]) => [type, members.length])),
      isValid: now >= a.readyAt,
      operations: a.history.map((h) => ({ action: h.action, files: h.filePaths.length })),
    })),
    appliedFiles,
    limits,
    refusals,
  };
}
