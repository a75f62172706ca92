import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { bearerTokenMatches } from '../../temporal-client/bearer-token';

export const ADMIN_TOKEN_ENV = 'SANDBOX_ADMIN_TOKEN';

export interface AdminRefusal {
  status: 401 | 403;
  error: string;
}

/**
 * Why an admin request is refused, if it is. Any web page can make the browser send requests to
 * 127.0.0.1, so requests a browser marks as cross-origin (an Origin that is not the sandbox's own,
 * CORS preflights) and requests through a DNS name other than localhost (DNS rebinding) are refused;
 * with a token configured, requests without it too.
 */
export function adminRefusal(req: IncomingMessage, own: { port: number; host: string; token?: string }): AdminRefusal | undefined {
  if (req.method === 'OPTIONS') {
    return { status: 403, error: 'The sandbox admin API does not answer cross-origin requests (CORS preflight refused).' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !ownOrigins(own).has(origin)) {
    return { status: 403, error: `The sandbox admin API refuses requests from other origins (Origin: ${origin.slice(0, 200)}).` };
  }
  const hostname = hostnameOf(req.headers.host);
  if (hostname === undefined || !(hostname === 'localhost' || hostname === own.host || isIP(hostname) !== 0)) {
    return { status: 403, error: `The sandbox admin API answers only on localhost or an IP address (Host: ${(req.headers.host ?? '').slice(0, 200)}).` };
  }
  if (own.token && !bearerTokenMatches(req.headers.authorization, own.token)) {
    return { status: 401, error: `The sandbox admin API requires "Authorization: Bearer <${ADMIN_TOKEN_ENV}>".` };
  }
  return undefined;
}

/** The headers the project's own admin callers send: the token from the environment, when one is set. */
export function adminAuthHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env[ADMIN_TOKEN_ENV];
  return token ? { authorization: `Bearer ${token}` } : {};
}

function ownOrigins({ port, host }: { port: number; host: string }): Set<string> {
  return new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host].map((h) => `http://${h}:${port}`));
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}
