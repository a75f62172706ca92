/**
 * Entity Resolution's quota names as its quotas page spells them
 * (https://docs.aws.amazon.com/entityresolution/latest/userguide/quotas.html). AWS does not document
 * which string ExceedsLimitException's `quotaName` carries; the sandbox sends these.
 */
export const ER_QUOTA_NAMES = {
  concurrentMatchingJobs: 'Concurrent matching jobs',
  concurrentProviderServiceJobs: 'Concurrent provider service matching jobs',
  matchingWorkflows: 'Matching workflows',
} as const;

/** A quota on jobs running at once (the quotas page's "Concurrent …" rows), as opposed to a count of resources. */
export const CONCURRENCY_QUOTA = /concurren/i;
/** Words naming a resource count ("Matching workflows", "ID namespaces", "Schema mappings" …). */
export const RESOURCE_COUNT_QUOTA = /workflow|namespace|schema/i;

/** A job start that waits for the Region's job slot: each start refused for a concurrency quota, and when the next try is. */
export interface ErSlotWait {
  /** The first refusal. */
  since: string;
  /** Starts refused so far. */
  attempts: number;
  nextAttemptAt: string;
  /** `since` + jobPoll.timeout: a refusal from then on fails the job with ErJobSlotWaitExceeded. */
  giveUpAt: string;
  /** As AWS named the quota (absent when it did not). */
  quotaName?: string;
  quotaValue?: number;
}
