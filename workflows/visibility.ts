import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../schemas/search-attributes';

const pipelineKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.pipeline.name, 'KEYWORD');
const stageKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.stage.name, 'KEYWORD');

/** Makes runs findable in the Temporal UI: `IdentityPipeline = "uid2-subscription" AND IdentityStage = "waiting-for-approval"`. */
export function showStage(pipeline: string, stage: string): void {
  upsertSearchAttributes([
    { key: pipelineKey, value: pipeline },
    { key: stageKey, value: stage },
  ]);
}
