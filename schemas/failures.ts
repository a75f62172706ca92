/*
 * Every failure type the project's code throws or branches on: the `type` of its ApplicationFailures
 * and the `name` of its errors. The values are recorded in workflow histories and named in users'
 * retry policies (nonRetryableErrorTypes): never change one, add a new name instead.
 */

/** AWS SDK errors, classified once by activities/aws-errors.ts. */
export const AwsFailureType = {
  throttled: 'AwsThrottled',
  unavailable: 'AwsUnavailable',
  conflict: 'AwsConflict',
  accessDenied: 'AwsAccessDenied',
  notFound: 'AwsNotFound',
  invalidRequest: 'AwsInvalidRequest',
  quotaExceeded: 'AwsQuotaExceeded',
  /** Benign and retryable: a quota on jobs running at once is in use (Entity Resolution's one provider-service job per Region). */
  concurrencyQuota: 'AwsConcurrencyQuota',
  credentials: 'AwsCredentialsMissing',
} as const;

/** A workflow input that fails its schema: the message names each bad field. */
export const INVALID_INPUT = 'InvalidWorkflowInput';

/** Input the data's owner must fix (a missing column, an empty file): never retried. */
export const PREP_INPUT_ERROR = 'PrepInputError';
/** A prepared part's counts do not add up to the input's. */
export const PREP_COUNTS_MISMATCH = 'PrepCountsMismatch';
/** A preparation that failed with an error carrying no type of its own. */
export const PREP_FAILED = 'PrepFailed';

/** A Glue table that cannot be the input of a matching workflow. */
export const INPUT_TABLE_INVALID = 'InputTableInvalid';

/** An Entity Resolution resource that exists with a configuration other than the one asked for. */
export const ER_RESOURCE_DRIFT = 'ErResourceDrift';
/** A matching job's output path that is not an s3:// URI, so its output cannot be listed. */
export const ER_OUTPUT_INVALID = 'ErOutputInvalid';
/** Benign and retryable: the matching job is still queued or running (the poll's retry policy waits). */
export const MATCHING_JOB_RUNNING = 'MatchingJobRunning';
export const MATCHING_JOB_FAILED = 'MatchingJobFailed';
/** Benign and retryable: another job of the same matching workflow is running. */
export const MATCHING_JOB_BUSY = 'MatchingJobBusy';
/** The Region's job slot stayed taken (AwsConcurrencyQuota on every start) for the whole of jobPoll.timeout. */
export const ER_JOB_SLOT_WAIT_EXCEEDED = 'ErJobSlotWaitExceeded';

/** Benign and retryable: the UID2 subscription is not approved yet. */
export const UID2_SUBSCRIPTION_PENDING = 'Uid2SubscriptionPending';
export const UID2_PROVIDER_NOT_FOUND = 'Uid2ProviderNotFound';
/** The approval workflow a matching run waits on ended without an approval. */
export const UID2_APPROVAL_ENDED = 'Uid2ApprovalEnded';
export const UID2_APPROVAL_DEADLINE_EXCEEDED = 'Uid2ApprovalDeadlineExceeded';
export const UID2_APPROVAL_CANCELLED = 'Uid2ApprovalCancelled';
export const UID2_MATCHING_FAILED = 'Uid2MatchingFailed';
/** An operator's approve/cancel Update refused by its validator (bad payload, already decided, wait over). */
export const INVALID_OPERATOR_ACTION = 'InvalidOperatorAction';

// ---- issue 19, slice D (amcIdMapping's guard and its test fakes); slice A declares the same names ----
/** Benign and retryable: the AMC collaboration is not ACTIVE yet (the customer has not accepted). */
export const AMC_COLLABORATION_PENDING = 'AmcCollaborationPending';
/** Benign and retryable: an AMC ID mapping job is still queued or running. */
export const AMC_MAPPING_JOB_RUNNING = 'AmcMappingJobRunning';
/** AMC refused a refresh although its own last job started more than 14 days before. */
export const AMC_REFRESH_REFUSED = 'AmcRefreshRefused';
/** An AMC instance already holds 5 ID mapping tables: nothing was created. */
export const AMC_TABLE_LIMIT = 'AmcTableLimit';

/**
 * A payload the codec cannot decrypt. temporal-client/codec/failure-converter.ts repeats this value
 * as a literal (the SDK loads that file by path, so it imports nothing local); a unit test pins the two.
 */
export const PAYLOAD_DECRYPTION_ERROR = 'PayloadDecryptionError';
