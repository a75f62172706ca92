import { defineSearchAttributeKey } from '@temporalio/common';
import { isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES, stageAttributeValue, type Pipeline } from '../../schemas/search-attributes';
import type { TerminalStage } from '../../schemas/stages';

const pipelineKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.pipeline.name, 'KEYWORD');
const stageKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.stage.name, 'KEYWORD');
const erWorkflowKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.erWorkflow.name, 'KEYWORD_LIST');

/** Makes runs findable in the Temporal UI: `IdentityPipeline = "uid2-subscription" AND IdentityStage = "waiting-for-approval"`. */
export function showStage(pipeline: Pipeline, stage: string): void {
  upsertSearchAttributes([
    { key: pipelineKey, value: pipeline },
    { key: stageKey, value: stageAttributeValue(pipeline, stage) },
  ]);
}

/** The Entity Resolution matching workflows a run uses, so its runs are found by ER workflow name. */
export function showErWorkflows(names: string[]): void {
  upsertSearchAttributes([{ key: erWorkflowKey, value: names }]);
}

/** Moves a run to a stage: its `status` query and its search attributes change together. */
export function stageTracker<S extends string>(pipeline: Pipeline, status: { stage: S }): (stage: S) => void {
  return (stage) => {
    status.stage = stage;
    showStage(pipeline, stage);
  };
}

/** The terminal stage of a run that threw `err`. */
export function endedBy(err: unknown): Exclude<TerminalStage, 'completed'> {
  return isCancellation(err) ? 'cancelled' : 'failed';
}
