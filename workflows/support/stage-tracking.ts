import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes';

const pipelineKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.pipeline.name, 'KEYWORD');
const stageKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.stage.name, 'KEYWORD');
const erWorkflowKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.erWorkflow.name, 'KEYWORD_LIST');

/** Makes runs findable in the Temporal UI: `IdentityPipeline = "uid2-subscription" AND IdentityStage = "waiting-for-approval"`. */
export function showStage(pipeline: string, stage: string): void {
  upsertSearchAttributes([
    { key: pipelineKey, value: pipeline },
    { key: stageKey, value: stage },
  ]);
}

/** The Entity Resolution matching workflows a run uses, so its runs are found by ER workflow name. */
export function showErWorkflows(names: string[]): void {
  upsertSearchAttributes([{ key: erWorkflowKey, value: names }]);
}
