import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ADMIN_PREFIX, serveAdmin } from './admin';
import { SandboxError } from './errors';
import { Faults } from './faults';
import { sendJson } from './http-io';
import { compileRoutes, sendRestJsonError, serveRestJson } from './protocols/rest-json';
import { dataExchangeRoutes } from './services/data-exchange';
import { entityResolutionRoutes } from './services/entity-resolution';
import { credentialScope } from './sigv4';
import { StateStore } from './state';

export interface SandboxOptions {
  port: number;
  host?: string;
  /** Where state is kept across restarts; in memory only when absent. */
  dataDir?: string;
  /** Initial fault configuration (see faults.ts). */
  faults?: unknown;
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
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const store = new StateStore(opts.dataDir ? join(opts.dataDir, 'state.json') : undefined);
  const faults = new Faults(opts.faults);
  const services = {
    entityresolution: { routes: compileRoutes(entityResolutionRoutes()), messageKey: 'message' as const },
    dataexchange: { routes: compileRoutes(dataExchangeRoutes(store)), messageKey: 'Message' as const },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').startsWith(ADMIN_PREFIX)) return serveAdmin(req, res, { store, faults, services: Object.keys(services) });
    const scope = credentialScope(req.headers.authorization);
    if (!scope) return sendRestJsonError(res, new SandboxError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'), 'message');
    const service = services[scope.service as keyof typeof services];
    if (!service) {
      return sendRestJsonError(res, new SandboxError(400, 'UnknownOperationException', `The sandbox does not serve ${scope.service} yet`), 'message');
    }
    await serveRestJson(req, res, service.routes, {
      region: scope.region,
      messageKey: service.messageKey,
      beforeHandle: (operation) => faults.beforeCall(scope.service, operation),
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: (err as Error).message }, { 'x-amzn-errortype': 'InternalServerException' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
