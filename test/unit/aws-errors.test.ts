import { ExceedsLimitException, ThrottlingException, ValidationException } from '@aws-sdk/client-entityresolution';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure, withAwsFailureMapping, type AwsLikeError } from '../../activities/support/aws-errors';
import { ER_QUOTA_NAMES } from '../../schemas/uid2-matching/er-quotas';
import { AwsFailureType, UID2_PROVIDER_NOT_FOUND, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { redactPii } from '../../pii/redact';

type AwsErrorShape = AwsLikeError & { name: string };

/** An error as the SDK throws it for a service response it has no modelled exception class for. */
function awsError({ name, message = 'something went wrong', ...rest }: AwsErrorShape): Error {
  return Object.assign(new Error(message), { name, $metadata: {}, ...rest });
}

function mapped(err: unknown, activity = 'someActivity'): ApplicationFailure {
  const result = toActivityFailure(err, activity);
  expect(result).toBeInstanceOf(ApplicationFailure);
  return result as ApplicationFailure;
}

describe('toActivityFailure', () => {
  it.each<[string, AwsErrorShape, string, boolean]>([
    ['ThrottlingException', { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, AwsFailureType.throttled, false],
    ['TooManyRequestsException', { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }, AwsFailureType.throttled, false],
    ['S3 SlowDown (503)', { name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }, AwsFailureType.throttled, false],
    ['an unknown name marked $retryable.throttling', { name: 'PriorRequestNotComplete', $retryable: { throttling: true } }, AwsFailureType.throttled, false],
    ['AccessDeniedException', { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 } }, AwsFailureType.accessDenied, true],
    ['ExpiredTokenException', { name: 'ExpiredTokenException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, AwsFailureType.accessDenied, true],
    ['an unknown name with HTTP 403', { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }, AwsFailureType.accessDenied, true],
    ['CredentialsProviderError', { name: 'CredentialsProviderError', message: 'no credentials' }, AwsFailureType.credentials, true],
    ['"Could not load credentials" message', { name: 'Error', message: 'Could not load credentials from any providers' }, AwsFailureType.credentials, true],
    ['ServiceQuotaExceededException', { name: 'ServiceQuotaExceededException', $fault: 'client', $metadata: { httpStatusCode: 402 } }, AwsFailureType.quotaExceeded, true],
    ['ExceedsLimitException', { name: 'ExceedsLimitException', $fault: 'client', $metadata: { httpStatusCode: 402 } }, AwsFailureType.quotaExceeded, true],
    ['ResourceNotFoundException', { name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 404 } }, AwsFailureType.notFound, true],
    ['S3 NoSuchKey', { name: 'NoSuchKey', $fault: 'client' }, AwsFailureType.notFound, true],
    ['an unknown name with HTTP 404', { name: 'UnknownError', $metadata: { httpStatusCode: 404 } }, AwsFailureType.notFound, true],
    ['ConflictException', { name: 'ConflictException', $fault: 'client', $metadata: { httpStatusCode: 409 } }, AwsFailureType.conflict, false],
    ['an unknown name with HTTP 409', { name: 'UnknownError', $fault: 'client', $metadata: { httpStatusCode: 409 } }, AwsFailureType.conflict, false],
    ['ValidationException', { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, AwsFailureType.invalidRequest, true],
    ['BadRequestException', { name: 'BadRequestException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, AwsFailureType.invalidRequest, true],
    ['an unknown client fault', { name: 'SomeNewClientError', $fault: 'client', $metadata: { httpStatusCode: 400 } }, AwsFailureType.invalidRequest, true],
    ['InternalServerException', { name: 'InternalServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } }, AwsFailureType.unavailable, false],
    ['an unknown server fault', { name: 'SomeNewServerError', $fault: 'server' }, AwsFailureType.unavailable, false],
    ['an unknown name with HTTP 503', { name: 'UnknownError', $metadata: { httpStatusCode: 503 } }, AwsFailureType.unavailable, false],
    ['a socket reset (code ECONNRESET)', { name: 'Error', code: 'ECONNRESET', message: 'socket hang up' }, AwsFailureType.unavailable, false],
    ['a TimeoutError', { name: 'TimeoutError', message: 'Connection timed out after 1000 ms' }, AwsFailureType.unavailable, false],
  ])('%s → type and retryability', (_label, shape, type, nonRetryable) => {
    const failure = mapped(awsError(shape));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
  });

  it('classifies real SDK exception instances', () => {
    const throttled = mapped(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    expect(throttled).toMatchObject({ type: AwsFailureType.throttled, nonRetryable: false });
    const invalid = mapped(new ValidationException({ message: 'bad schema', $metadata: { httpStatusCode: 400 } }));
    expect(invalid).toMatchObject({ type: AwsFailureType.invalidRequest, nonRetryable: true });
  });

  it('names the activity, the error and the HTTP status in the message', () => {
    const failure = mapped(awsError({ name: 'ValidationException', message: 'schemaName is too long', $metadata: { httpStatusCode: 400 } }), 'createSchemaMapping');
    expect(failure.message.startsWith('createSchemaMapping: ValidationException (HTTP 400): schemaName is too long')).toBe(true);
  });

  it('passes an ApplicationFailure through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('already classified', UID2_PROVIDER_NOT_FOUND);
    expect(toActivityFailure(original, 'x')).toBe(original);
    const retryable = ApplicationFailure.retryable('pending', UID2_SUBSCRIPTION_PENDING);
    expect(toActivityFailure(retryable, 'x')).toBe(retryable);
    // Even when its text looks like an AWS error, an already classified failure is not re-classified.
    const lookalike = ApplicationFailure.retryable('Could not load credentials for the sandbox yet', 'SandboxWarmingUp');
    expect(toActivityFailure(lookalike, 'x')).toBe(lookalike);
  });

  it('returns unknown non-AWS errors and non-errors unchanged', () => {
    const typeError = new TypeError("Cannot read properties of undefined (reading 'Arn')");
    expect(toActivityFailure(typeError, 'x')).toBe(typeError);
    const plain = new Error('boom');
    expect(toActivityFailure(plain, 'x')).toBe(plain);
    expect(toActivityFailure('a string', 'x')).toBe('a string');
    const notAnError = { name: 'ThrottlingException' };
    expect(toActivityFailure(notAnError, 'x')).toBe(notAnError);
  });

  it('keeps the request id from $metadata in the details', () => {
    const withId = mapped(awsError({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400, requestId: 'a1b2c3-request' } }));
    expect(withId.details).toEqual([{ requestId: 'a1b2c3-request' }]);
    const withoutId = mapped(awsError({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    expect(withoutId.details).toEqual([]);
  });

  it.each([
    ['an email and a spaced +E.164 phone', 'Invalid value jane.doe+promo@example.co.uk for EMAIL_ADDRESS; rejected +1 (415) 555-0123 too', ['jane', 'example', '415', '555', '0123']],
    ['a compact +E.164 phone and a quoted email', "Record 'Bob.Smith@mail.example.com' has PHONE_NUMBER +447700900123", ['Bob', 'mail.example', '7700900123', '447700']],
    ['a national phone with separators and an email', 'Value (415) 555-0123 and 415.555.0199 invalid for a@b.io', ['415', '555', '0123', '0199']],
  ])('redacts %s from the message (no PII in Temporal)', (_label, message, fragments) => {
    const failure = mapped(awsError({ name: 'ValidationException', message, $metadata: { httpStatusCode: 400, requestId: 'req-42' } }), 'startMatchingJob');

    for (const text of [failure.message, JSON.stringify(failure.details)]) {
      expect(text).not.toContain('@');
      expect(text).not.toMatch(/\+\d/);
      for (const fragment of fragments) expect(text).not.toContain(fragment);
    }
    // The stack (sent to Temporal with the failure) carries the same redacted message, not the original one.
    expect(failure.stack?.split('\n')[0]).toBe(`ApplicationFailure: ${failure.message}`);
    expect(failure.message).toContain('[redacted-email]');
    expect(failure.message).toContain('[redacted-phone]');
    // The original error (with the raw message) is not attached as the cause either.
    expect(failure.cause).toBeUndefined();
    expect(failure.message).toContain('startMatchingJob: ValidationException (HTTP 400)');
  });
});

describe('ExceedsLimitException: a concurrency quota is waited out, a resource count fails', () => {
  const exceeds = (message: string, quota: { quotaName?: string; quotaValue?: number } = {}) =>
    new ExceedsLimitException({ message, $metadata: { httpStatusCode: 402, requestId: 'req-7' }, ...quota });

  it('a start refused for "Concurrent provider service matching jobs" is retryable and benign, with the quota in its details', () => {
    const failure = mapped(exceeds('Exceeded the quota of 1 concurrent provider service matching jobs in this Region', { quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs, quotaValue: 1 }), 'startMatchingJob');
    expect(failure).toMatchObject({ type: AwsFailureType.concurrencyQuota, nonRetryable: false, category: ApplicationFailureCategory.BENIGN });
    expect(failure.details).toEqual([{ requestId: 'req-7', quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs, quotaValue: 1 }]);
    expect(failure.message).toContain('the quota "Concurrent provider service matching jobs" (1) on jobs running at once is in use: waiting for a slot');
  });

  it('a "concurrent" quota is one on jobs running at once whichever call was refused', () => {
    expect(mapped(exceeds('limit', { quotaName: ER_QUOTA_NAMES.concurrentMatchingJobs }), 'someActivity').type).toBe(AwsFailureType.concurrencyQuota);
    expect(mapped(exceeds('Too many concurrent jobs'), 'someActivity').type).toBe(AwsFailureType.concurrencyQuota);
  });

  it('a job start refused with no quota name, or one AWS words otherwise, is taken as a concurrency refusal (a start creates nothing but a job)', () => {
    expect(mapped(exceeds('Limit exceeded'), 'startMatchingJob')).toMatchObject({ type: AwsFailureType.concurrencyQuota, nonRetryable: false });
    expect(mapped(exceeds('Limit exceeded', { quotaName: 'Provider jobs per Region' }), 'startMatchingJob').type).toBe(AwsFailureType.concurrencyQuota);
  });

  it('"Matching workflows" is a resource count: final, and the message names the quota and what to do', () => {
    const failure = mapped(exceeds('You have reached the quota of 10 matching workflows', { quotaName: ER_QUOTA_NAMES.matchingWorkflows, quotaValue: 10 }), 'ensureMatchingWorkflow');
    expect(failure).toMatchObject({ type: AwsFailureType.quotaExceeded, nonRetryable: true });
    expect(failure.message).toBe(
      'ensureMatchingWorkflow: ExceedsLimitException (HTTP 402): You have reached the quota of 10 matching workflows — the quota "Matching workflows" (10) was reached: free capacity (e.g. delete unused matching workflows) or request a quota increase',
    );
    // Even on a job start, a refusal that names a resource count is not waited out.
    expect(mapped(exceeds('limit', { quotaName: 'Matching workflows' }), 'startMatchingJob').type).toBe(AwsFailureType.quotaExceeded);
  });

  it('redacts PII echoed in the message of a quota refusal', () => {
    const failure = mapped(exceeds('limit reached while reading jane.doe@example.com', { quotaName: ER_QUOTA_NAMES.concurrentProviderServiceJobs }), 'startMatchingJob');
    expect(failure.message).not.toContain('jane');
    expect(failure.message).toContain('[redacted-email]');
  });
});

describe('withAwsFailureMapping', () => {
  it('passes results through and classifies what each activity throws', async () => {
    const wrapped = withAwsFailureMapping({
      ok: (n: number) => Promise.resolve(n * 2),
      throttled: () => Promise.reject(awsError({ name: 'ThrottlingException' })),
      bug: () => Promise.reject(new RangeError('index out of range')),
    });

    await expect(wrapped.ok(21)).resolves.toBe(42);
    const failure = await wrapped.throttled().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(AwsFailureType.throttled);
    expect((failure as ApplicationFailure).message.startsWith('throttled: ThrottlingException')).toBe(true);
    await expect(wrapped.bug()).rejects.toBeInstanceOf(RangeError);
  });
});

describe('redaction keeps what is not PII', () => {
  it.each(['arn:aws:iam::123456789012:role/er-workflow', 'object of 1048576 bytes', 'at 2026-11-23T06:00:00Z', 'rows 10-200'])('%s', (text) => {
    expect(redactPii(text)).toBe(text);
  });
});
