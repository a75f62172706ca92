import { z } from 'zod';
import type { AmcCredentials } from './amc-credentials';
import { AmcHttpError, AmcNetworkError, parseRetryAfter, readErrorBody } from './http-errors';

/** A token with less than this left is exchanged again before use. */
const MIN_LEFT_MS = 5 * 60_000;
const TIMEOUT_MS = 30_000;

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().default(3600) }).loose();

/**
 * Login with Amazon access tokens, exchanged from a refresh token and kept in worker memory until
 * five minutes before they expire. Callers that need a token at once share one exchange.
 */
export class AccessTokens {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tokenUrl: string, credentials: AmcCredentials): Promise<string> {
    const key = cacheKey(tokenUrl, credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - this.now() > MIN_LEFT_MS) return cached.token;
    const running = this.inFlight.get(key);
    if (running) return running;
    const exchange = this.exchange(tokenUrl, credentials).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, exchange);
    return exchange;
  }

  /** Forgets the cached token (the API refused it), so the next `get` exchanges again. */
  invalidate(tokenUrl: string, credentials: AmcCredentials): void {
    this.tokens.delete(cacheKey(tokenUrl, credentials));
  }

  private async exchange(tokenUrl: string, credentials: AmcCredentials): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    });
    let res: Response;
    try {
      res = await this.fetchFn(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new AmcNetworkError('LwaToken', (err as Error).name);
    }
    const text = await res.text();
    if (!res.ok) {
      const { code, detail } = readErrorBody(text);
      throw new AmcHttpError('LwaToken', res.status, code, detail, parseRetryAfter(res.headers.get('retry-after'), this.now()), res.headers.get('x-amzn-requestid') ?? undefined);
    }
    const parsed = tokenAnswer.safeParse(safeJson(text));
    if (!parsed.success) throw new AmcHttpError('LwaToken', 502, undefined, 'the token endpoint answered without access_token', undefined, undefined);
    const { access_token: token, expires_in: expiresIn } = parsed.data;
    this.tokens.set(cacheKey(tokenUrl, credentials), { token, expiresAt: this.now() + expiresIn * 1000 });
    return token;
  }
}

function cacheKey(tokenUrl: string, c: AmcCredentials): string {
  return JSON.stringify([tokenUrl, c.clientId, c.refreshToken]);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
