/** Task queue and workflow ids, built here only, so the worker, starters and schedules never disagree. */
export const TASK_QUEUE = 'identity-workflows';

/** Workflow id segments must stay readable in the Temporal UI and free of PII: ids, names and dates only. */
export function idSegment(value: string): string {
  const cleaned = value.trim().replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.length > 0 ? cleaned.slice(0, 100) : 'default';
}

export const workflowIds = {
  uid2SubscriptionApproval: (account: string | undefined) => `uid2-subscription-approval/${idSegment(account ?? 'default')}`,
  /** One preparation per output prefix at a time: a second start attaches to the running one. */
  prepareIdentityData: (output: string) => `prepare-identity-data/${idSegment(output.replace(/^s3:\/\//, ''))}`,
  /** A run per name and day (a schedule appends its own timestamp instead of the day). */
  uid2Matching: (name: string, day?: string) => `uid2-matching/${idSegment(name)}${day ? `/${idSegment(day)}` : ''}`,
  /** The turn queue of one Entity Resolution matching workflow, or of a label such as `jobQueueLabels.providerServiceJobs`. */
  erJobQueue: (erWorkflowName: string) => `er-job-queue/${idSegment(erWorkflowName)}`,
  /** The one long-lived guard of an AMC ID mapping table: a second start attaches to it. */
  amcIdMapping: (instanceId: string, tableName: string) => `amc-id-mapping/${idSegment(instanceId)}/${idSegment(tableName)}`,
  /** A schedule's notifier of that guard (a schedule appends each run's time to this id). */
  amcIdMappingInput: (instanceId: string, tableName: string) => `amc-id-mapping-input/${idSegment(instanceId)}/${idSegment(tableName)}`,
  /** The grouping of one generation's prepared data. */
  groupByKey: (generationPrefix: string) => `group-by-key/${idSegment(generationPrefix.replace(/^s3:\/\//, ''))}`,
  /** An audience upload per name and day (a schedule appends its own timestamp instead of the day); the advertiser id is a secret, so not here. */
  audienceUpload: (name: string, day?: string) => `audience-upload/${idSegment(name)}${day ? `/${idSegment(day)}` : ''}`,
};

/** Labels of turn queues that are not one ER workflow's (erJobQueue takes them in place of its name). */
export const jobQueueLabels = {
  /** Every provider-service job of an account in a Region (jobQueue 'account-region'). */
  providerServiceJobs: (account: string, region: string) => `provider-service-jobs:${account}:${region}`,
  /** The runs that change one TikTok audience (a manual run and a scheduled one take turns). */
  audience: (audienceName: string) => `audience:${audienceName}`,
};
