/**
 * Custom search attributes every workflow upserts. The dev server registers them at start
 * (scripts/start-local-stack.ts); on another cluster register them once with
 * `temporal operator search-attribute create --name <name> --type Keyword`.
 */
export const SEARCH_ATTRIBUTES = {
  pipeline: { name: 'IdentityPipeline', type: 'Keyword' },
  stage: { name: 'IdentityStage', type: 'Keyword' },
} as const;
