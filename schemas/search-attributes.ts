/**
 * Custom search attributes every workflow upserts. The dev server registers them at start
 * (scripts/start-local-stack.ts); on another cluster register them once with
 * `temporal operator search-attribute create --name <name> --type <type>`.
 */
export const SEARCH_ATTRIBUTES = {
  pipeline: { name: 'IdentityPipeline', type: 'Keyword' },
  stage: { name: 'IdentityStage', type: 'Keyword' },
  /** The Entity Resolution matching workflows a run uses: `IdentityErWorkflow = "CompanyName_UID2_Daily_Matching_email"`. */
  erWorkflow: { name: 'IdentityErWorkflow', type: 'KeywordList' },
} as const;

/** The SDK's names for the types above. */
export const SEARCH_ATTRIBUTE_SDK_TYPE = { Keyword: 'KEYWORD', KeywordList: 'KEYWORD_LIST' } as const;

/** The `IdentityPipeline` value of each workflow type: values users' visibility queries name, so they never change. */
export const PIPELINES = {
  uid2SubscriptionApproval: 'uid2-subscription',
  uid2Matching: 'uid2-matching',
  prepareIdentityData: 'identity-data-prep',
  erJobQueue: 'er-job-queue',
  amcIdMapping: 'amc-id-mapping',
  audienceUpload: 'audience-upload',
} as const;
export type Pipeline = (typeof PIPELINES)[keyof typeof PIPELINES];

/**
 * The `IdentityStage` value of the `completed` stage where it was upserted under another name before
 * the stages were unified. Recorded histories and users' visibility queries hold these values, so
 * these pipelines keep upserting them; their `status` query says `completed`.
 */
const COMPLETED_STAGE_VALUE: Partial<Record<Pipeline, string>> = {
  'uid2-subscription': 'approved',
  'identity-data-prep': 'done',
};

/** What `IdentityStage` holds for a pipeline's stage. */
export function stageAttributeValue(pipeline: Pipeline, stage: string): string {
  return stage === 'completed' ? (COMPLETED_STAGE_VALUE[pipeline] ?? stage) : stage;
}
