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
