import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { mapActivityFailures, type AsyncFn } from '../support/map-failures';
import { classifyTiktokCode } from './tiktok-codes';
import { TiktokApiError, TiktokHttpError, TiktokNetworkError } from './tiktok-http';
import { TiktokFailureType } from '../../schemas/failures';

/** What the failure names for the user to fix: the secret's id, never its values. */
export interface TiktokErrorContext {
  secretId: string;
}

/**
 * Turns a TikTok Business API failure into an ApplicationFailure whose type says what happened:
 * rate limits (code 40100, HTTP 429) retry as benign failures, TikTok's internal errors (5xxxx, 5xx)
 * and network faults retry; a refused token, a missing permission, a refused file and any other code
 * do not, and name the secret or config at fault with the code and request id. Anything else passes through.
 */
export function toTiktokFailure(err: unknown, activity: string, ctx: TiktokErrorContext): unknown {
  if (err instanceof TiktokNetworkError) return ApplicationFailure.create({ type: TiktokFailureType.unavailable, message: `${activity}: ${err.message} — retrying` });
  if (err instanceof TiktokHttpError) {
    const details = err.requestId ? [{ requestId: err.requestId }] : [];
    if (err.status === 429) {
      return ApplicationFailure.create({
        type: TiktokFailureType.throttled,
        message: `${activity}: ${err.message} — rate limited, retrying`,
        details,
        category: ApplicationFailureCategory.BENIGN,
        nextRetryDelay: err.retryAfterMs,
      });
    }
    if (err.status >= 500) return ApplicationFailure.create({ type: TiktokFailureType.unavailable, message: `${activity}: ${err.message} — retrying`, details });
    return ApplicationFailure.create({ type: TiktokFailureType.requestRejected, message: `${activity}: ${err.message} — TikTok refused the request`, nonRetryable: true, details });
  }
  if (!(err instanceof TiktokApiError)) return err;
  const details = [{ code: err.code, ...(err.requestId ? { requestId: err.requestId } : {}) }];
  const said = `${activity}: ${err.message}${err.requestId ? ` (request_id ${err.requestId})` : ''}`;
  // TikTok wants one identifier type per audience ("encrypted with the same encryption method/type").
  const mixedTypes = /calculate_type|encrypt/i.test(err.detail) ? ': it takes one identifier type per audience, so set audience.layout to per-type' : '';
  const fatal = (type: string, hint: string) => ApplicationFailure.create({ type, message: `${said} — ${hint}`, nonRetryable: true, details });
  switch (classifyTiktokCode(err.code)) {
    case 'throttled':
      // No Retry-After exists inside a 200: the activity's retry policy (tiktok.rateLimitBackoff) paces the retries.
      return ApplicationFailure.create({ type: TiktokFailureType.throttled, message: `${said} — rate limited, retrying`, details, category: ApplicationFailureCategory.BENIGN });
    case 'server':
      return ApplicationFailure.create({ type: TiktokFailureType.unavailable, message: `${said} — TikTok error, retrying`, details });
    case 'token':
      return fatal(TiktokFailureType.tokenRejected, `TikTok refused ACCESS_TOKEN in secret ${ctx.secretId}: store a valid long-term token with the Audience Management scope`);
    case 'permission':
      return fatal(
        TiktokFailureType.permissionDenied,
        `the token in secret ${ctx.secretId} has no permission for ADVERTISER_ID there: check the advertiser id and that the app is authorised for it with the Audience Management scope`,
      );
    case 'file':
      return fatal(TiktokFailureType.fileRejected, `TikTok refused the customer file${mixedTypes}`);
    default:
      return fatal(TiktokFailureType.requestRejected, `TikTok refused the request${mixedTypes}`);
  }
}

/** Applies `toTiktokFailure` to every activity of a factory; each activity's first argument carries `tiktok`. */
export function withTiktokFailureMapping<T extends Record<string, AsyncFn>>(activities: T): T {
  return mapActivityFailures(activities, (err, name, args) => {
    const tiktok = (args[0] as { tiktok?: { credentialsSecretId?: string } } | undefined)?.tiktok;
    return toTiktokFailure(err, name, { secretId: tiktok?.credentialsSecretId ?? '(unknown)' });
  });
}
