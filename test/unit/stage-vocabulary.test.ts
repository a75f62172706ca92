import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrepStage } from '../../schemas/preparation/prep';
import { PIPELINES, SEARCH_ATTRIBUTES, stageAttributeValue, type Pipeline } from '../../schemas/search-attributes';
import { TERMINAL_STAGES } from '../../schemas/stages';
import { matchingJobStages, uid2MatchingStages } from '../../schemas/uid2-matching/uid2-matching';
import { uid2SubscriptionApprovalStages } from '../../schemas/uid2-subscription-approval';
import { AMC_STAGES } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import { AUDIENCE_STAGES } from '../../workflows/audience-upload/audience-upload-status';

const prepStages = ['planning', 'preparing', 'writing-manifest', 'completed', 'failed', 'cancelled'] satisfies PrepStage[];
const stagesOf: Record<Pipeline, readonly string[]> = {
  [PIPELINES.uid2SubscriptionApproval]: uid2SubscriptionApprovalStages,
  [PIPELINES.uid2Matching]: uid2MatchingStages,
  [PIPELINES.prepareIdentityData]: prepStages,
  [PIPELINES.erJobQueue]: ['idle', 'held'],
  [PIPELINES.amcIdMapping]: AMC_STAGES,
  [PIPELINES.audienceUpload]: AUDIENCE_STAGES,
};

/** Every (pipeline, IdentityStage) pair the recorded histories upserted. */
function recordedStageValues(): { pipeline: string; stage: string }[] {
  const dir = join(__dirname, '../replay/histories');
  const decode = (field?: { data: string }) => (field ? (JSON.parse(Buffer.from(field.data, 'base64').toString()) as string) : undefined);
  return readdirSync(dir).flatMap((file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      events: { upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes: { indexedFields: Record<string, { data: string }> } } }[];
    };
    return history.events.flatMap((event) => {
      const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes.indexedFields;
      const pipeline = decode(fields?.[SEARCH_ATTRIBUTES.pipeline.name]);
      const stage = decode(fields?.[SEARCH_ATTRIBUTES.stage.name]);
      return pipeline && stage ? [{ pipeline, stage }] : [];
    });
  });
}

describe('stage vocabulary', () => {
  it('ends every run in completed, failed or cancelled, whatever the workflow', () => {
    expect(uid2MatchingStages).toEqual(expect.arrayContaining([...TERMINAL_STAGES]));
    expect(uid2SubscriptionApprovalStages).toEqual(expect.arrayContaining([...TERMINAL_STAGES]));
    expect(matchingJobStages).toEqual(expect.arrayContaining(['completed', 'failed']));
    const all: string[] = [...uid2MatchingStages, ...uid2SubscriptionApprovalStages, ...matchingJobStages, ...prepStages];
    for (const older of ['approved', 'done', 'succeeded']) expect(all).not.toContain(older);
  });

  it('keeps upserting the IdentityStage values visibility queries know: approved and done for a completed run', () => {
    expect(stageAttributeValue(PIPELINES.uid2SubscriptionApproval, 'completed')).toBe('approved');
    expect(stageAttributeValue(PIPELINES.prepareIdentityData, 'completed')).toBe('done');
    expect(stageAttributeValue(PIPELINES.uid2Matching, 'completed')).toBe('completed');
    expect(stageAttributeValue(PIPELINES.uid2SubscriptionApproval, 'waiting-for-approval')).toBe('waiting-for-approval');
  });

  it('still upserts every IdentityPipeline and IdentityStage value the recorded histories hold', () => {
    const recorded = recordedStageValues();
    expect(recorded.length).toBeGreaterThan(10);
    for (const { pipeline, stage } of recorded) {
      expect(Object.values(PIPELINES)).toContain(pipeline);
      expect(stagesOf[pipeline as Pipeline].map((s) => stageAttributeValue(pipeline as Pipeline, s))).toContain(stage);
    }
  });
});
