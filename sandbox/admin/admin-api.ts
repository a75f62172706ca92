import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatIssues } from '../../schemas/format-issues';
import { UID2_LISTING } from '../services/catalog';
import { adminRefusal } from './admin-guard';
import { serveAmcAdmin } from './amc-admin';
import { serveTiktokAdmin } from './tiktok-admin';
import type { Faults } from './faults';
import type { MatchingJobs } from '../services/entity-resolution/matching-jobs';
import { WHEN_FULL } from '../services/entity-resolution/job-slots';
import { readBody, sendJson } from '../protocols/http-io';
import type { StateStore } from '../state';
import { MEMBER_ABILITIES, MEMBERSHIP_STATUSES, addMembership } from '../services/clean-rooms/memberships';
import { serveCleanRoomsAdmin } from './cleanrooms-admin';

export const ADMIN_PREFIX = '/_sandbox';

/**
 * Plain HTTP admin API beside the AWS endpoints (no SigV4), for tests, the demo and curious users
 * (browsers' cross-origin requests refused; a bearer token required when SANDBOX_ADMIN_TOKEN is set):
 *   GET  /_sandbox/health
 *   POST /_sandbox/reset                       forget all state (S3, Glue, secrets too), faults and counters
 *   POST /_sandbox/data-exchange/entitle       {"dataSetId"?, "afterChecks"?} approve a subscription (default: UID2), at once or
 *                                              once that many more GetDataSet checks have seen it pending
 *   POST /_sandbox/data-exchange/revoke        {"dataSetId"?}
 *   GET|PUT /_sandbox/entity-resolution/job-durations {"queuedMs", "runningMs"} how long matching jobs stay QUEUED / at least RUNNING
 *   GET|PUT /_sandbox/entity-resolution/quotas {"matchingJobs", "providerServiceJobs"} concurrent jobs per kind (AWS: 1 each),
 *                                              {"whenFull"} whether a start beyond them is queued ("queue") or refused with ExceedsLimitException ("refuse"),
 *                                              {"rulesPerWorkflow", "recordsPerMatchId"} (AWS: 15, 500)
 *   POST /_sandbox/clean-rooms/memberships    {"collaborationId"?, "collaborationName"?, "status"?, "region"?, "memberAbilities"?} a Clean Rooms membership of the sandbox account
 *   PUT  /_sandbox/clean-rooms/quotas         {"idNamespaceAssociationsPerMembership"} (AWS: 10)
 *   .../_sandbox/clean-rooms/query-...         protected queries: registered result sources, durations (cleanrooms-admin.ts)
 *   GET|PUT /_sandbox/faults                   {"seed", "rules": [{"service","operation","throttle","serverError","latencyMs","jobFailure"}]}
 *   GET|DELETE /_sandbox/counters              calls per service:operation, injected faults
 *   .../_sandbox/amc/...                       the Amazon Ads API (AMC) stand-in: instances, credentials, limits (amc-admin.ts)
 *   .../_sandbox/tiktok/...                    the TikTok Business API stand-in: credentials, limits, refusals, state (tiktok-admin.ts)
 */
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
const newMembershipSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}-[a-z]{4,9}-\d$/).default('us-east-1'),
    collaborationId: uuid.optional(),
    collaborationName: z.string().min(1).max(100).optional(),
    status: z.enum(MEMBERSHIP_STATUSES).optional(),
    /** A member of the tests' and the demo's own collaborations runs queries and receives their results unless told otherwise. */
    memberAbilities: z.array(z.enum(MEMBER_ABILITIES)).max(MEMBER_ABILITIES.length).default(['CAN_QUERY', 'CAN_RECEIVE_RESULTS']),
  })
  .strict();

/** The members a partial update sets (an absent one stays as it is). */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export async function serveAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: {
    store: StateStore;
    faults: Faults;
    services: string[];
    resetEmulators(): Promise<void>;
    jobs: MatchingJobs;
    own: { port: number; host: string; token?: string };
  },
): Promise<void> {
  const refusal = adminRefusal(req, ctx.own);
  if (refusal) {
    req.resume();
    return sendJson(res, refusal.status, { error: refusal.error });
  }
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname.slice(ADMIN_PREFIX.length);
  const route = `${req.method} ${path}`;
  const body = async () => {
    const raw = await readBody(req);
    return raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
  };
  try {
    if (path.startsWith('/amc/')) {
      const answer = await serveAmcAdmin(route, ctx.store, body);
      return answer ? sendJson(res, answer.status, answer.body) : sendJson(res, 404, { error: `no admin route ${route}` });
    }
    if (path.startsWith('/tiktok/')) {
      const answer = await serveTiktokAdmin(route, ctx.store, body);
      return answer ? sendJson(res, answer.status, answer.body) : sendJson(res, 404, { error: `no admin route ${route}` });
    }
    switch (route) {
      case 'GET /health':
        return sendJson(res, 200, { status: 'ok', services: ctx.services });
      case 'POST /reset':
        ctx.store.reset();
        await ctx.resetEmulators();
        ctx.jobs.reset();
        ctx.faults.configure({});
        ctx.faults.resetCounters();
        return sendJson(res, 200, { reset: true });
      case 'POST /data-exchange/entitle':
      case 'POST /data-exchange/revoke': {
        const request = z
          .object({ dataSetId: z.string().min(1).default(UID2_LISTING.dataSetId), afterChecks: z.number().int().min(1).optional() })
          .strict()
          .parse(await body());
        const entitle = route.endsWith('entitle');
        const dataExchange = ctx.store.update((s) => {
          const { dataSetId, afterChecks } = request;
          delete s.dataExchange.entitleAfterChecks[dataSetId];
          const others = s.dataExchange.entitled.filter((id) => id !== dataSetId);
          if (entitle && afterChecks !== undefined) s.dataExchange.entitleAfterChecks[dataSetId] = afterChecks;
          s.dataExchange.entitled = entitle && afterChecks === undefined ? [...others, dataSetId] : others;
          return s.dataExchange;
        });
        return sendJson(res, 200, { entitled: dataExchange.entitled, entitleAfterChecks: dataExchange.entitleAfterChecks });
      }
      case 'GET /entity-resolution/job-durations':
        return sendJson(res, 200, ctx.jobs.durations);
      case 'PUT /entity-resolution/job-durations': {
        const ms = z.number().int().min(0).max(24 * 3_600_000);
        return sendJson(res, 200, ctx.jobs.setDurations(z.object({ queuedMs: ms.optional(), runningMs: ms.optional() }).strict().parse(await body())));
      }
      case 'GET /entity-resolution/quotas':
        return sendJson(res, 200, { ...ctx.jobs.slots.settings(), ...ctx.jobs.limits.current });
      case 'PUT /entity-resolution/quotas': {
        const slots = z.number().int().min(1).max(100).optional();
        const { matchingJobs, providerServiceJobs, whenFull, ...limits } = z
          .object({
            matchingJobs: slots,
            providerServiceJobs: slots,
            whenFull: z.enum(WHEN_FULL).optional(),
            rulesPerWorkflow: z.number().int().min(1).max(25).optional(), // no more rules than the service model allows
            recordsPerMatchId: z.number().int().min(2).max(1_000_000).optional(),
          })
          .strict()
          .parse(await body());
        const quotas = ctx.jobs.slots.setQuotas(definedOnly({ matchingJobs, providerServiceJobs, whenFull }));
        return sendJson(res, 200, { ...quotas, ...ctx.jobs.limits.set(definedOnly(limits)) });
      }
      case 'POST /clean-rooms/memberships':
        return sendJson(res, 200, { membership: addMembership(ctx.store, newMembershipSchema.parse(await body())) });
      case 'PUT /clean-rooms/quotas': {
        const quotas = z.object({ idNamespaceAssociationsPerMembership: z.number().int().min(1).max(1000) }).strict().parse(await body());
        return sendJson(res, 200, ctx.store.update((s) => (s.cleanRooms.limits = quotas)));
      }
      case 'GET /faults':
        return sendJson(res, 200, ctx.faults.current());
      case 'PUT /faults':
        return sendJson(res, 200, ctx.faults.configure(await body()));
      case 'GET /counters':
        return sendJson(res, 200, ctx.faults.counters);
      case 'DELETE /counters':
        ctx.faults.resetCounters();
        return sendJson(res, 200, {});
      default: {
        const answer = path.startsWith('/clean-rooms/') ? await serveCleanRoomsAdmin(route, ctx.store, body) : undefined;
        return answer ? sendJson(res, answer.status, answer.body) : sendJson(res, 404, { error: `no admin route ${route}` });
      }
    }
  } catch (err) {
    const message = err instanceof z.ZodError ? formatIssues(err, { root: '(body)', layout: 'inline' }) : (err as Error).message;
    return sendJson(res, 400, { error: message });
  }
}
