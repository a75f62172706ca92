import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { mapActivityFailures, type AsyncFn } from './map-failures';
import { redactPii } from '../../pii/redact';
import { CONCURRENCY_QUOTA, RESOURCE_COUNT_QUOTA } from '../../schemas/uid2-matching/er-quotas';
import { AwsFailureType } from '../../schemas/failures';

/** What the classifier reads of an AWS SDK v3 error (or a Node network error). */
export interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; requestId?: string };
  /** Entity Resolution's ExceedsLimitException: the quota's name and its value for the account. */
  quotaName?: string;
  quotaValue?: number;
}

/** Activities whose call creates nothing but a job, so a quota refusal of theirs names no resource count. */
const JOB_STARTS = new Set(['startMatchingJob']);

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'ProvisionedThroughputExceededException']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchKey', 'NoSuchBucket', 'EntityNotFoundException', 'NotFound']);
const QUOTA = new Set(['ExceedsLimitException', 'ServiceQuotaExceededException', 'LimitExceededException', 'ResourceNumberLimitExceededException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

/**
 * Turns an error thrown by an AWS SDK v3 call into an ApplicationFailure whose `type` says what
 * happened and whose retryability follows from it: throttling, 5xx, conflicts and network faults
 * retry (the activity's retry policy backs off); access, validation, not-found and quota errors do not,
 * and their message says what to fix. ApplicationFailures pass through untouched. A quota refusal is
 * retryable only for a quota on jobs running at once (`isConcurrencyQuota`): the slot frees up by itself.
 */
export function toActivityFailure(err: unknown, activity: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof Error)) return err;
  const e = err as Error & AwsLikeError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${activity}: ${name}${status ? ` (HTTP ${status})` : ''}: ${redactPii(e.message ?? '')}`;
  const requestId = e.$metadata?.requestId;
  const details = requestId ? [{ requestId }] : [];
  const retryable = (type: string, hint: string, category?: ApplicationFailureCategory, extra?: Record<string, unknown>) =>
    ApplicationFailure.create({ type, message: `${detail}${hint}`, details: extra ? [{ requestId, ...extra }] : details, category });
  const fatal = (type: string, hint: string) => ApplicationFailure.create({ type, message: `${detail}${hint}`, nonRetryable: true, details });

  if (THROTTLING.has(name) || e.$retryable?.throttling) return retryable(AwsFailureType.throttled, ' — throttled, retrying with backoff');
  if (ACCESS_DENIED.has(name) || status === 403) {
    return fatal(AwsFailureType.accessDenied, ' — grant the worker role the permission named above, then restart the run');
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return fatal(AwsFailureType.credentials, ' — configure AWS credentials for the worker (AWS_PROFILE, env keys or an instance role)');
  }
  if (QUOTA.has(name)) {
    const quotaName = e.quotaName === undefined ? undefined : redactPii(e.quotaName);
    const label = quotaName ? `the quota "${quotaName}"${e.quotaValue === undefined ? '' : ` (${e.quotaValue})`}` : 'an AWS quota';
    if (isConcurrencyQuota(e, activity)) {
      return retryable(AwsFailureType.concurrencyQuota, ` — ${label} on jobs running at once is in use: waiting for a slot`, ApplicationFailureCategory.BENIGN, {
        quotaName,
        quotaValue: e.quotaValue,
      });
    }
    return fatal(AwsFailureType.quotaExceeded, ` — ${label} was reached: free capacity (e.g. delete unused matching workflows) or request a quota increase`);
  }
  if (NOT_FOUND.has(name) || status === 404) return fatal(AwsFailureType.notFound, ' — check the resource name and region in the config');
  if (name === 'ConflictException' || status === 409) return retryable(AwsFailureType.conflict, '');
  if (name === 'ValidationException' || name === 'InvalidInputException' || name === 'BadRequestException') {
    return fatal(AwsFailureType.invalidRequest, ' — the request was refused as invalid: check the config values named above');
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return retryable(AwsFailureType.unavailable, ' — AWS service error, retrying');
  if (NETWORK.has(name) || (e.code !== undefined && NETWORK.has(e.code))) return retryable(AwsFailureType.unavailable, ' — network error, retrying');
  if (e.$fault === 'client') return fatal(AwsFailureType.invalidRequest, '');
  return err;
}

/**
 * AWS does not document the `quotaName` wording, so: a quota whose name or message says "concurrent" is
 * one on jobs running at once; so is a refused job start that names no resource count (a start creates
 * nothing but a job). Anything else is a count of resources, which does not free up by waiting.
 */
export function isConcurrencyQuota(e: Pick<AwsLikeError, 'quotaName' | 'message'>, activity: string): boolean {
  const said = `${e.quotaName ?? ''} ${e.message ?? ''}`;
  if (CONCURRENCY_QUOTA.test(said)) return true;
  return JOB_STARTS.has(activity) && !RESOURCE_COUNT_QUOTA.test(said);
}

/** Applies `toActivityFailure` to every activity of a factory, so errors are classified in one place. */
export function withAwsFailureMapping<T extends Record<string, AsyncFn>>(activities: T): T {
  return mapActivityFailures(activities, (err, name) => toActivityFailure(err, name));
}
