/*
 * Every failure type the project's code throws or branches on: the `type` of its ApplicationFailures
 * and the `name` of its errors. The values are recorded in workflow histories and named in users'
 * retry policies (nonRetryableErrorTypes): never change one, add a new name instead.
 */

/** AWS SDK errors, classified once by activities/support/aws-errors.ts. */
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

/* ---- Amazon Ads API: AMC administration endpoints (activities/amc-api/) ---- */

/** Amazon Ads API and Login with Amazon answers, classified once by activities/amc-api/http-errors.ts. */
export const AmcFailureType = {
  /** HTTP 429: retried after the answer's Retry-After. */
  throttled: 'AmcThrottled',
  /** 5xx or a network fault: retried. */
  unavailable: 'AmcUnavailable',
  /** 401 again after one fresh access token. */
  unauthorized: 'AmcUnauthorized',
  /** 403: the advertiser or marketplace header, or the app's access to the instance. */
  forbidden: 'AmcForbidden',
  notFound: 'AmcNotFound',
  invalidRequest: 'AmcInvalidRequest',
  /** 409: retried. */
  conflict: 'AmcConflict',
  /** Login with Amazon refused the refresh token or the client id / secret (invalid_grant, invalid_client). */
  credentialsRejected: 'AmcCredentialsRejected',
} as const;
/** The Ads API credentials secret is not JSON with clientId, clientSecret and refreshToken. */
export const AMC_CREDENTIALS_INVALID = 'AmcCredentialsInvalid';
/** Benign and retryable: the collaboration is NOT_STARTED, IN_PROGRESS or PENDING_ACCEPTANCE. */
export const AMC_COLLABORATION_PENDING = 'AmcCollaborationPending';
/** The collaboration was REJECTED or DELETED. */
export const AMC_COLLABORATION_ENDED = 'AmcCollaborationEnded';
/** No member of the collaboration is the config's account, and the config names no membership id. */
export const AMC_COLLABORATION_MEMBERSHIP_UNKNOWN = 'AmcCollaborationMembershipUnknown';
/** The instance already has its 5 mapping tables: refused before any create call. */
export const AMC_TABLE_LIMIT = 'AmcTableLimit';
/** The ID namespace is connected to a mapping table of another name that cannot be found to adopt. */
export const AMC_NAMESPACE_CONNECTED_ELSEWHERE = 'AmcNamespaceConnectedElsewhere';
/** Benign and retryable: the mapping table's job is QUEUED, RUNNING or UNKNOWN. */
export const AMC_MAPPING_JOB_RUNNING = 'AmcMappingJobRunning';
export const AMC_MAPPING_JOB_FAILED = 'AmcMappingJobFailed';
/** AMC refused a refresh (one per 14 days): the details carry the last job's start when known. */
export const AMC_REFRESH_REFUSED = 'AmcRefreshRefused';

// amcIdMapping: AWS resources and prerequisites (Amazon Ads' "Amazon Marketing Cloud - AWS Clean Rooms" guide).
/** An AMC resource outside us-east-1 (a client, a bucket or the KMS key): AMC collaboration runs there only. */
export const AMC_REGION_UNSUPPORTED = 'AmcRegionUnsupported';
/** The query-results bucket is the data bucket, or a bucket is missing or unreadable. */
export const AMC_BUCKETS_INVALID = 'AmcBucketsInvalid';
/** A Clean Rooms ID namespace association exists with fields that cannot be updated (namespace ARN, managed policies). */
export const CLEAN_ROOMS_RESOURCE_DRIFT = 'CleanRoomsResourceDrift';
/** The guard's recovery copy (guard.json) is not JSON. */
export const AMC_GUARD_STATE_INVALID = 'AmcGuardStateInvalid';
/** A new generation needs another number of Glue/AMC tables than the published one (columns added, or collapsed keys wider). */
export const AMC_TABLE_LAYOUT_CHANGED = 'AmcTableLayoutChanged';

/**
 * A payload the codec cannot decrypt. temporal-client/codec/failure-converter.ts repeats this value
 * as a literal (the SDK loads that file by path, so it imports nothing local); a unit test pins the two.
 */
export const PAYLOAD_DECRYPTION_ERROR = 'PayloadDecryptionError';

/*
 * AMC ID mapping (issue 19): configuration, column planning and grouping by key.
 */
/** More identity columns than AMC's 24 per table (plus the unique id), with splitting into more tables not allowed. */
export const AMC_COLUMN_LIMIT = 'AmcColumnLimit';
/** A split that needs more than the 20 tables one ID namespace can take as input sources. */
export const AMC_NAMESPACE_TABLE_LIMIT = 'AmcNamespaceTableLimit';
/** Grouping rows by key failed: a shard larger than its memory bound, or shard objects that do not add up. */
export const GROUP_BY_KEY_FAILED = 'GroupByKeyFailed';

/*
 * audienceUpload (issue 20): TikTok Business API, Clean Rooms protected queries, audience planning.
 * One block, owned by the workflow's slice; the TikTok client, the snapshot activities and the
 * protected-query activities import these names.
 */

/** TikTok Business API answers (code inside an HTTP 200 envelope), classified once by activities/tiktok-api/tiktok-errors.ts. */
export const TiktokFailureType = {
  /** Code 40100 (QPS/QPM/QPD exceeded) or HTTP 429: benign, retried with the config's rateLimitBackoff. */
  throttled: 'TikTokThrottled',
  /** A 5xxxx code, an HTTP 5xx, a timeout or a network fault: retried. */
  unavailable: 'TikTokUnavailable',
  /** The access token is expired, empty or invalid (40102, 40104, 40105) or the app's id/secret (40101). */
  tokenRejected: 'TikTokTokenRejected',
  /** Code 40001: the token has no permission for the advertiser or the Audience Management scope. */
  permissionDenied: 'TikTokPermissionDenied',
  /** A 409xx code: TikTok refused an uploaded customer file or a file path. */
  fileRejected: 'TikTokFileRejected',
  /** Any other non-zero code (40002 parameter error, unknown codes): the message carries code and request_id. */
  requestRejected: 'TikTokRequestRejected',
} as const;
/** The TikTok credentials secret is not JSON with ACCESS_TOKEN and ADVERTISER_ID strings. */
export const TIKTOK_CREDENTIALS_INVALID = 'TikTokCredentialsInvalid';
/** Several TikTok audiences share the configured name (TikTok allows duplicates) and the config pins none by id. */
export const TIKTOK_AUDIENCE_AMBIGUOUS = 'TikTokAudienceAmbiguous';
/** Benign and retryable: TikTok is still processing the audience (not is_valid yet). */
export const TIKTOK_AUDIENCE_PROCESSING = 'TikTokAudienceProcessing';

/** The column definition does not match the source's header (columns unknown to it, or defined but absent). */
export const AUDIENCE_COLUMNS_INVALID = 'AudienceColumnsInvalid';
/** The planned audience would hold fewer identifiers than audience.minimumSize: refused before any TikTok call. */
export const AUDIENCE_TOO_SMALL = 'AudienceTooSmall';
/** A REPLACE that needs more files than one request carries, or more than one identifier type. */
export const AUDIENCE_REPLACE_TOO_LARGE = 'AudienceReplaceTooLarge';
/** More files to upload in one run than the workflow's bound (its history stays bounded). */
export const AUDIENCE_TOO_MANY_FILES = 'AudienceTooManyFiles';
/** An upload file whose bytes no longer have the MD5 the snapshot recorded. */
export const AUDIENCE_FILE_CHANGED = 'AudienceFileChanged';
/** The audience ledger (current.json / pending.json under the work prefix) is not what this version wrote. */
export const AUDIENCE_LEDGER_INVALID = 'AudienceLedgerInvalid';

/** Benign and retryable: the Clean Rooms protected query is SUBMITTED, STARTED or CANCELLING. */
export const PROTECTED_QUERY_RUNNING = 'ProtectedQueryRunning';
export const PROTECTED_QUERY_FAILED = 'ProtectedQueryFailed';
export const PROTECTED_QUERY_CANCELLED = 'ProtectedQueryCancelled';
export const PROTECTED_QUERY_TIMED_OUT = 'ProtectedQueryTimedOut';
