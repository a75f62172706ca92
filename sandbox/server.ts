import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ADMIN_PREFIX, serveAdmin } from './admin/admin-api';
import type { Logger } from 'pino';
import { createLogger } from '../temporal-client/logger';
import { SandboxError, internalFailure } from './protocols/errors';
import { logInternalFailure } from './protocols/internal-failure';
import { Faults } from './admin/faults';
import { startEmulators } from './emulators/emulators';
import { json11Operation, s3Operation, sendJson11Error, sendS3Error } from './protocols/proxy';
import { forwardJson11 } from './protocols/json11-forward';
import { forwardToS3Backend } from './protocols/s3-forward';
import { compileRoutes, sendRestJsonError, serveRestJson } from './protocols/rest-json';
import { dataExchangeRoutes } from './services/data-exchange';
import { lookUpMatchId } from './matching/match-id-lookup';
import { runMatchingJob } from './matching/run-matching-job';
import type { MatchIdLookup } from './services/entity-resolution/match-id';
import { entityResolutionRoutes } from './services/entity-resolution';
import { cleanRoomsRoutes } from './services/clean-rooms';
import { MatchingJobs } from './services/entity-resolution/matching-jobs';
import { credentialScope, type CredentialScope } from './protocols/sigv4';
import { StateStore } from './state';
import { withModelValidation } from './models/model-validation';
import { isAmcRequest, serveAmc } from './amc/router';
import { namespaceInputSignature } from './amc/input-signature';
import { isTiktokRequest, serveTiktok } from './tiktok/router';

export interface SandboxOptions {
  port: number;
  host?: string;
  /** Where state is kept across restarts; in memory only when absent. */
  dataDir?: string;
  /** Initial fault configuration (see faults.ts). */
  faults?: unknown;
  /** Start the emulators behind the router for S3, Glue and Secrets Manager (default true). */
  emulators?: boolean;
  /** Bearer token the admin API requires (SANDBOX_ADMIN_TOKEN); none when absent. */
  adminToken?: string;
  /** Where failures of the sandbox itself are logged (default: the process logger, JSON on stdout). */
  logger?: Logger;
}

export interface Sandbox {
  url: string;
  port: number;
  store: StateStore;
  faults: Faults;
  close(): Promise<void>;
}

/**
 * One local endpoint for the AWS APIs the workflows use. Requests are routed by the service name in
 * their SigV4 credential scope, so the real SDK clients reach it through AWS_ENDPOINT_URL alone.
 * Entity Resolution, Data Exchange and Clean Rooms are implemented here; S3 (versitygw), Glue and Secrets
 * Manager (moto) are served by emulators behind the router. A start that fails stops every process
 * it started before throwing why.
 */
const MAX_HEADER_BYTES = 64 * 1024;

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const store = new StateStore(opts.dataDir ? join(opts.dataDir, 'state.json') : undefined);
  const faults = new Faults(opts.faults);
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? createLogger();
  // Listening comes first: the port is ours before the emulators take free ports (which could otherwise be this one).
  type Handle = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;
  let ready: (handler: Handle) => void = () => undefined;
  const handler = new Promise<Handle>((resolve) => (ready = resolve));
  // Node's default 16 KiB for the request line and headers is below what the models allow in a query
  // string (UntagResource: 200 tag keys of 128 characters), which would be refused with a bare 431.
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const requestId = randomUUID();
    handler
      .then((handle) => handle(req, res, requestId))
      .catch((err: unknown) => {
        const service = credentialScope(req.headers.authorization)?.service;
        logInternalFailure(logger, err, { service, method: req.method, requestId });
        if (!res.headersSent) sendRestJsonError(res, internalFailure(requestId), 'message', requestId);
        else res.destroy();
      });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => resolve());
    });
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(inUse ? `port ${opts.port} on ${host} is in use: another sandbox (or a leftover of one) may be running` : `the sandbox cannot listen on ${host}:${opts.port}: ${(err as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const emulators = opts.emulators === false ? undefined : await startEmulators(opts.dataDir).catch(async (err: unknown) => {
    await closeServer();
    throw err;
  });
  const emulatorData = emulators?.clients;
  const needsData = () => {
    if (!emulatorData) throw new Error('The sandbox runs without S3 and Glue (emulators off)');
    return emulatorData;
  };
  const jobs: MatchingJobs = new MatchingJobs(store, faults, async (workflow, jobId) =>
    runMatchingJob(needsData(), store, workflow, jobId, jobs.limits.current.recordsPerMatchId),
  );
  const lookUp: MatchIdLookup = async (workflow, record, applyNormalization) => lookUpMatchId(needsData(), store, workflow, record, applyNormalization);
  const services = {
    entityresolution: { routes: compileRoutes(withModelValidation('entityresolution', entityResolutionRoutes(store, jobs, lookUp))), messageKey: 'message' as const },
    dataexchange: { routes: compileRoutes(withModelValidation('dataexchange', dataExchangeRoutes(store))), messageKey: 'Message' as const },
    cleanrooms: { routes: compileRoutes(withModelValidation('cleanrooms', cleanRoomsRoutes(store, { faults, data: needsData }))), messageKey: 'message' as const },
  };
  const emulated = emulators ? ['s3', 'glue', 'secretsmanager'] : [];
  const admin = {
    own: {
      port,
      host,
      token: opts.adminToken,
    },
    store,
    faults,
    services: [...Object.keys(services), ...emulated, 'amc', 'tiktok'],
    resetEmulators: async () => emulators?.reset(),
    jobs,
  };

  /** S3 (REST-XML) to versitygw, Glue and Secrets Manager (JSON 1.1) to moto; faults first. */
  async function serveEmulated(req: IncomingMessage, res: ServerResponse, scope: CredentialScope): Promise<void> {
    const { s3, moto } = emulators!;
    const isS3 = scope.service === 's3';
    const operation = isS3 ? s3Operation(req.method ?? 'GET', req.url ?? '/') : json11Operation(req.headers['x-amz-target']);
    try {
      await faults.beforeCall(scope.service, operation);
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      req.resume();
      return isS3 ? sendS3Error(res, err) : sendJson11Error(res, err, scope.service);
    }
    if (!isS3) return forwardJson11(req, res, scope.service, operation, moto.url);
    try {
      await forwardToS3Backend(req, res, operation, s3);
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      sendS3Error(res, err);
    }
  }

  // The Amazon Ads API (AMC) stand-in, Login with Amazon and the TikTok Business API stand-in are not SigV4-signed: routed by path.
  const amc = { store, faults, inputSignature: namespaceInputSignature(store, () => emulatorData) };

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if ((req.url ?? '').startsWith(ADMIN_PREFIX)) return serveAdmin(req, res, admin);
    if (isAmcRequest(req.url ?? '')) return serveAmc(req, res, requestId, amc);
    if (isTiktokRequest(req.url ?? '')) return serveTiktok(req, res, requestId, { store, faults });
    const scope = credentialScope(req.headers.authorization);
    if (!scope) return sendRestJsonError(res, new SandboxError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'), 'message', requestId);
    if (emulated.includes(scope.service)) return serveEmulated(req, res, scope);
    const service = services[scope.service as keyof typeof services];
    if (!service) {
      return sendRestJsonError(res, new SandboxError(400, 'UnknownOperationException', `The sandbox does not serve ${scope.service} yet`), 'message', requestId);
    }
    await serveRestJson(req, res, service.routes, {
      service: scope.service,
      region: scope.region,
      requestId,
      messageKey: service.messageKey,
      logger,
      beforeHandle: (operation) => faults.beforeCall(scope.service, operation),
      loseResponse: (operation) => faults.shouldLoseResponse(scope.service, operation),
    });
  }

  ready(handle);
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    faults,
    close: async () => {
      jobs.stop();
      await closeServer();
      await emulators?.stop();
    },
  };
}
