/*
 * ---- Placeholder for the TikTok block of schemas/failures.ts (issue 20, slice D owns that file) ----
 * Slice C declares the names it throws here, as the plan spells them (§3.9). When D's block lands in
 * schemas/failures.ts, this file is deleted and its importers import the same names from there.
 */

/** TikTok Business API answers, classified once by activities/tiktok-api/tiktok-errors.ts. */
export const TiktokFailureType = {
  /** Code 40100 in a 200, or HTTP 429: retried with the activity's backoff (benign). */
  throttled: 'TikTokThrottled',
  /** Codes 5xxxx, HTTP 5xx or no answer: retried. */
  unavailable: 'TikTokUnavailable',
  /** Codes 40101–40199: the access token is missing, expired or invalid. */
  tokenRejected: 'TikTokTokenRejected',
  /** Code 40001: the token has no permission for the advertiser or the Audience Management scope. */
  permissionDenied: 'TikTokPermissionDenied',
  /** Codes 40900–40999: TikTok refused the file (format, content, an unknown file_path). */
  fileRejected: 'TikTokFileRejected',
  /** Any other code (40002 parameter errors, unknown codes) or another 4xx. */
  requestRejected: 'TikTokRequestRejected',
} as const;
/** The TikTok secret is not JSON with ACCESS_TOKEN and ADVERTISER_ID. */
export const TIKTOK_CREDENTIALS_INVALID = 'TikTokCredentialsInvalid';
/** More than one audience has the name, and the config pins none with audience.id. */
export const TIKTOK_AUDIENCE_AMBIGUOUS = 'TikTokAudienceAmbiguous';
/** Benign and retryable: the audience is still being calculated (`is_valid` false). */
export const TIKTOK_AUDIENCE_PROCESSING = 'TikTokAudienceProcessing';
/** The object to upload no longer has the MD5 the snapshot recorded. */
export const AUDIENCE_FILE_CHANGED = 'AudienceFileChanged';
