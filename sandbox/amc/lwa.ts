import { randomUUID } from 'node:crypto';
import type { StateStore } from '../state';
import { amcStateOf } from './amc-state';

const EXPIRES_IN_S = 3600;

/** Login with Amazon's error answer: HTTP 400 with an OAuth error code. */
export class LwaError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_grant' | 'invalid_client' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * `POST /auth/o2/token` with `grant_type=refresh_token`: the client id, secret and refresh token must be
 * the ones set by the admin API (and not revoked). Issues a one-hour access token.
 */
export function exchangeRefreshToken(store: StateStore, form: URLSearchParams, now: number): { access_token: string; token_type: 'bearer'; expires_in: number; refresh_token: string } {
  if (form.get('grant_type') !== 'refresh_token') throw new LwaError('unsupported_grant_type', 'grant_type must be refresh_token');
  const clientId = form.get('client_id');
  const refreshToken = form.get('refresh_token');
  if (!clientId || !form.get('client_secret') || !refreshToken) throw new LwaError('invalid_request', 'client_id, client_secret and refresh_token are required');
  const credentials = amcStateOf(store.get()).credentials;
  if (!credentials || credentials.clientId !== clientId || credentials.clientSecret !== form.get('client_secret')) {
    throw new LwaError('invalid_client', 'Client authentication failed');
  }
  if (credentials.revoked || credentials.refreshToken !== refreshToken) throw new LwaError('invalid_grant', 'The request has an invalid grant parameter : refresh_token');
  const token = `Atza|sandbox-${randomUUID()}`;
  store.update((s) => {
    const amc = amcStateOf(s);
    for (const [t, issued] of Object.entries(amc.tokens)) if (issued.expiresAt <= now) delete amc.tokens[t];
    amc.tokens[token] = { clientId, expiresAt: now + EXPIRES_IN_S * 1000 };
  });
  return { access_token: token, token_type: 'bearer', expires_in: EXPIRES_IN_S, refresh_token: refreshToken };
}
