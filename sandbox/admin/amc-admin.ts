import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { amcStateOf, DAY_MS, type AmcInstance } from '../amc/amc-state';
import { SANDBOX_ACCOUNT } from '../services/catalog';
import type { StateStore } from '../state';

const COLLABORATION_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'PENDING_ACCEPTANCE', 'ACTIVE', 'REJECTED', 'DELETED'] as const;

const instanceSchema = z
  .object({
    advertiserId: z.string().min(1).optional(),
    marketplaceId: z.string().min(1).optional(),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    status: z.enum(COLLABORATION_STATUSES).optional(),
    /** GetCollaboration reads still to answer `status` before it becomes `next` (default ACTIVE). */
    afterChecks: z.number().int().min(0).max(10_000).optional(),
    next: z.enum(COLLABORATION_STATUSES).optional(),
    customerAcceptanceLink: z.string().url().optional(),
    idNamespaces: z.array(z.string().startsWith('arn:')).max(100).optional(),
  })
  .strict();

const limitsSchema = z.object({ tablesPerInstance: z.number().int().min(1).max(100).optional(), refreshIntervalMs: z.number().int().min(0).optional() }).strict();
const ms = z.number().int().min(0).max(24 * 3_600_000).optional();
const refusalSchema = z
  .object({
    operation: z.string().regex(/^(\*|[A-Z][A-Za-z]+)$/),
    status: z.number().int().min(400).max(599),
    code: z.string().min(1).optional(),
    details: z.string().default('Refused (injected by the sandbox)'),
    count: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

/**
 * The AMC stand-in's admin routes (paths under /_sandbox/amc), or undefined for a path that is not one.
 * `body()` reads the request's JSON body. Documented in docs/sandbox-admin-api.md.
 */
export async function serveAmcAdmin(route: string, store: StateStore, body: () => Promise<unknown>, now: number = Date.now()): Promise<{ status: number; body: unknown } | undefined> {
  const ok = (answer: unknown) => ({ status: 200, body: answer });
  const instanceRoute = /^(GET|PUT) \/amc\/instances\/([A-Za-z0-9_-]{1,100})$/.exec(route);
  const acceptRoute = /^POST \/amc\/instances\/([A-Za-z0-9_-]{1,100})\/accept$/.exec(route);
  const ageRoute = /^POST \/amc\/tables\/([A-Za-z0-9-]{1,100})\/age$/.exec(route);
  if (route === 'GET /amc/state') return ok(redactedState(store));
  if (route === 'PUT /amc/credentials') {
    const request = z
      .union([z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1), refreshToken: z.string().min(1) }).strict(), z.object({ revoke: z.literal(true) }).strict()])
      .parse(await body());
    return store.update((s) => {
      const amc = amcStateOf(s);
      if ('revoke' in request) {
        if (!amc.credentials) return { status: 400, body: { error: 'no credentials are set' } };
        amc.credentials.revoked = true;
      } else amc.credentials = { ...request, revoked: false };
      return ok({ clientId: amc.credentials.clientId, revoked: amc.credentials.revoked });
    });
  }
  if (route === 'POST /amc/tokens/expire') {
    return store.update((s) => {
      const tokens = amcStateOf(s).tokens;
      for (const token of Object.values(tokens)) token.expiresAt = now;
      return ok({ expired: Object.keys(tokens).length });
    });
  }
  if (instanceRoute?.[1] === 'GET') {
    const instance = amcStateOf(store.get()).instances[instanceRoute[2]!];
    return instance ? ok(instance) : { status: 404, body: { error: `no AMC instance ${instanceRoute[2]}` } };
  }
  if (instanceRoute?.[1] === 'PUT') {
    const request = instanceSchema.parse(await body());
    return ok(store.update((s) => putInstance(amcStateOf(s).instances, instanceRoute[2]!, request)));
  }
  if (acceptRoute) {
    return store.update((s) => {
      const instance = amcStateOf(s).instances[acceptRoute[1]!];
      if (!instance) return { status: 404, body: { error: `no AMC instance ${acceptRoute[1]}` } };
      instance.collaboration.status = 'ACTIVE';
      delete instance.collaboration.afterChecks;
      delete instance.collaboration.next;
      return ok(instance);
    });
  }
  if (ageRoute) {
    const { days } = z.object({ days: z.number().min(0).max(3650) }).strict().parse(await body());
    return store.update((s) => {
      const amc = amcStateOf(s);
      const table = amc.tables[ageRoute[1]!];
      if (!table) return { status: 404, body: { error: `no ID mapping table ${ageRoute[1]}` } };
      const by = days * DAY_MS;
      table.createTime -= by;
      table.updateTime -= by;
      for (const job of Object.values(amc.jobs)) if (job.tableId === table.id) job.startTime -= by;
      return ok({ id: table.id, createTime: new Date(table.createTime).toISOString() });
    });
  }
  if (route === 'GET /amc/limits') return ok(amcStateOf(store.get()).limits);
  if (route === 'PUT /amc/limits') {
    const request = limitsSchema.parse(await body());
    return ok(store.update((s) => Object.assign(amcStateOf(s).limits, definedOnly(request))));
  }
  if (route === 'GET /amc/job-durations') return ok(amcStateOf(store.get()).jobDurations);
  if (route === 'PUT /amc/job-durations') {
    const request = z.object({ queuedMs: ms, runningMs: ms }).strict().parse(await body());
    return ok(store.update((s) => Object.assign(amcStateOf(s).jobDurations, definedOnly(request))));
  }
  if (route === 'PUT /amc/refusals') {
    const rules = z.array(refusalSchema).max(20).parse(await body());
    return ok(
      store.update((s) => {
        amcStateOf(s).refusals = rules.map((r) => ({ operation: r.operation, status: r.status, code: r.code ?? String(r.status), details: r.details, remaining: r.count }));
        return amcStateOf(s).refusals;
      }),
    );
  }
  return undefined;
}

function putInstance(instances: Record<string, AmcInstance>, instanceId: string, request: z.infer<typeof instanceSchema>): AmcInstance {
  const collaborationId = instances[instanceId]?.collaboration.id ?? randomUUID();
  const instance: AmcInstance = instances[instanceId] ?? {
    instanceId,
    advertiserId: 'ENTITYSANDBOX',
    marketplaceId: 'ATVPDKIKX0DER',
    account: SANDBOX_ACCOUNT,
    collaboration: {
      id: collaborationId,
      name: `amc-${instanceId}`,
      status: 'PENDING_ACCEPTANCE',
      customerAcceptanceLink: `https://advertising.amazon.com/marketing-cloud/collaborations/${collaborationId}/accept`,
      membershipId: randomUUID(),
    },
    idNamespaces: [],
  };
  const { status, afterChecks, next, customerAcceptanceLink, ...own } = request;
  Object.assign(instance, definedOnly(own));
  Object.assign(instance.collaboration, definedOnly({ status, customerAcceptanceLink }));
  if (afterChecks !== undefined) Object.assign(instance.collaboration, { afterChecks, next: next ?? 'ACTIVE' });
  instances[instanceId] = instance;
  return instance;
}

/** The state without secrets: the client secret, refresh token and access tokens are never answered. */
function redactedState(store: StateStore) {
  const { credentials, tokens, ...rest } = amcStateOf(store.get());
  return { ...rest, credentials: credentials && { clientId: credentials.clientId, revoked: credentials.revoked }, tokens: Object.keys(tokens).length };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
