import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { mapActivityFailures, type AsyncFn } from '../support/map-failures';
import { redactPii } from '../../pii/redact';
import { AmcFailureType } from '../../schemas/failures';

/** A non-2xx answer of the Ads API (or the token endpoint), with what the classifier reads of it. */
export class AmcHttpError extends Error {
  override readonly name = 'AmcHttpError';
  constructor(
    readonly operation: string,
    readonly status: number,
    /** The envelope's code (`{code, details}` or `{errors:[{errorCode}]}`, or LwA's `error`), when present. */
    readonly code: string | undefined,
    /** The envelope's message, already redacted. */
    readonly detail: string,
    readonly retryAfterMs: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`${operation}: HTTP ${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`);
  }
}

/** No answer at all: a refused connection, a reset, a timeout. */
export class AmcNetworkError extends Error {
  override readonly name = 'AmcNetworkError';
  constructor(
    readonly operation: string,
    cause: string,
  ) {
    super(`${operation}: no answer (${cause})`);
  }
}

/** What the activity names in its hints: the config fields and secret at fault, never their values. */
export interface AmcErrorContext {
  secretId: string;
  instanceId: string;
}

const RETRY_AFTER_CAP_MS = 15 * 60_000;

/** `Retry-After` in seconds or as an HTTP-date, capped at 15 minutes; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(seconds, 0), RETRY_AFTER_CAP_MS);
}

/** The code and message of an error body in any of the envelopes the Ads API and LwA use, redacted. */
export function readErrorBody(text: string): { code?: string; detail: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { detail: redactPii(text.slice(0, 300)) };
  }
  if (typeof body !== 'object' || body === null) return { detail: '' };
  const b = body as Record<string, unknown>;
  const first = Array.isArray(b.errors) && typeof b.errors[0] === 'object' && b.errors[0] !== null ? (b.errors[0] as Record<string, unknown>) : undefined;
  const pick = (...values: unknown[]) => values.find((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const code = pick(b.error, b.code, first?.errorCode, first?.code);
  const detail = pick(b.error_description, b.details, b.message, first?.errorMessage, first?.message);
  return { code: code === undefined ? undefined : redactPii(String(code)), detail: detail === undefined ? '' : redactPii(String(detail).slice(0, 500)) };
}

/**
 * Turns an Ads API or Login with Amazon failure into an ApplicationFailure whose type says what
 * happened: 429 (after Retry-After), 5xx, 409 and network faults retry; 401 (already retried once
 * with a fresh token), 403, 404, 400 and refused credentials do not, and name the config field or
 * secret at fault. Anything else (ApplicationFailures, AWS SDK errors) passes through untouched.
 */
export function toAmcFailure(err: unknown, activity: string, ctx: AmcErrorContext): unknown {
  if (err instanceof AmcNetworkError) return ApplicationFailure.create({ type: AmcFailureType.unavailable, message: `${activity}: ${err.message} — retrying` });
  if (!(err instanceof AmcHttpError)) return err;
  // The token endpoint's own wording is left out: an OAuth error description may echo what was sent.
  const message = err.operation === 'LwaToken' ? `${activity}: LwaToken: HTTP ${err.status}${err.code ? ` ${err.code}` : ''}` : `${activity}: ${err.message}`;
  const details = err.requestId ? [{ requestId: err.requestId }] : [];
  const fatal = (type: string, hint: string) => ApplicationFailure.create({ type, message: `${message} — ${hint}`, nonRetryable: true, details });
  if (err.operation === 'LwaToken' && err.status < 500 && err.status !== 429) {
    if (err.code === 'invalid_client' || err.code === 'unauthorized_client') {
      return fatal(AmcFailureType.credentialsRejected, `Login with Amazon refused clientId / clientSecret in secret ${ctx.secretId}`);
    }
    return fatal(AmcFailureType.credentialsRejected, `Login with Amazon refused refreshToken in secret ${ctx.secretId}: authorise the app again and store the new refresh token`);
  }
  if (err.status === 429) {
    return ApplicationFailure.create({
      type: AmcFailureType.throttled,
      message: `${message} — throttled, retrying`,
      details,
      category: ApplicationFailureCategory.BENIGN,
      nextRetryDelay: err.retryAfterMs,
    });
  }
  if (err.status >= 500) return ApplicationFailure.create({ type: AmcFailureType.unavailable, message: `${message} — Ads API error, retrying`, details });
  if (err.status === 409) return ApplicationFailure.create({ type: AmcFailureType.conflict, message, details });
  if (err.status === 401) {
    return fatal(AmcFailureType.unauthorized, `a fresh access token from secret ${ctx.secretId} was refused: check that clientId is the Login with Amazon app the refresh token was issued to`);
  }
  if (err.status === 403) {
    return fatal(
      AmcFailureType.forbidden,
      `check Amazon-Advertising-API-AdvertiserId (amc.advertiserId) and Amazon-Advertising-API-MarketplaceId (amc.marketplaceId), and that the app has AMC access to instance ${ctx.instanceId}`,
    );
  }
  if (err.status === 404) return fatal(AmcFailureType.notFound, `check amc.instanceId (${ctx.instanceId}) and the mapping table id`);
  return fatal(AmcFailureType.invalidRequest, 'the Ads API refused the request as invalid');
}

/** Applies `toAmcFailure` to every activity of a factory; each activity's first argument names its target. */
export function withAmcFailureMapping<T extends Record<string, AsyncFn>>(activities: T): T {
  return mapActivityFailures(activities, (err, name, args) => {
    const amc = (args[0] as { amc?: { credentialsSecretId?: string; instanceId?: string } } | undefined)?.amc;
    return toAmcFailure(err, name, { secretId: amc?.credentialsSecretId ?? '(unknown)', instanceId: amc?.instanceId ?? '(unknown)' });
  });
}
