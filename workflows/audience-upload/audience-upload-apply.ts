/**
 * Steps 7–10 of audienceUpload: find each audience on TikTok, upload each step's files right before
 * the call that uses them, create or update, wait until TikTok has processed the audience.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import { TIKTOK_AUDIENCE_AMBIGUOUS, TiktokFailureType } from '../../schemas/failures';
import type { Activities } from '../../activities';
import type { AudienceLedger } from '../../activities/audience-upload/audience-snapshots';
import type { AudienceDetail, TiktokTarget } from '../../activities/tiktok-api';
import type { AudienceUploadConfig } from '../../schemas/audience-upload/audience-upload';
import type { AudiencePlan, AudienceStep, AudienceTargetPlan } from './audience-upload-plan';
import type { AudienceStage, AudienceUploadState } from './audience-upload-status';
import { allLimited } from '../support/bounded-fan-out';
import { pollSchedule, pollingActivityOptions } from '../support/polling';

/** TikTok calls: retried with the config's backoff (40100 carries no Retry-After), a day at most so a daily quota can pass. */
function tiktokOptions(config: AudienceUploadConfig, startToCloseTimeout: string): ActivityOptions {
  const backoff = config.tiktok.rateLimitBackoff;
  return {
    startToCloseTimeout,
    scheduleToCloseTimeout: '26 hours',
    retry: { initialInterval: backoff.initialInterval, maximumInterval: backoff.maximumInterval, backoffCoefficient: backoff.backoffCoefficient },
  };
}

export interface ApplyContext {
  config: AudienceUploadConfig;
  state: AudienceUploadState;
  enter: (stage: AudienceStage) => void;
  /** Records what this run applied so far where the next run finds it, should this one die. */
  recordPending: (applied: AudienceLedger['applied']) => Promise<void>;
}

/** Step 7: each target's audience on TikTok, by `audience.id` or by name; two of one name is a refusal. */
export async function findAudiences(config: AudienceUploadConfig, names: string[]): Promise<Record<string, string | undefined>> {
  const tiktok = proxyActivities<Activities>(tiktokOptions(config, '2 minutes'));
  const target = targetOf(config);
  const found: Record<string, string | undefined> = {};
  for (const name of names) {
    const answer = await tiktok.findAudience({ tiktok: target, name, id: names.length === 1 ? config.audience.id : undefined });
    if (answer.found === 'many') {
      throw ApplicationFailure.create({
        type: TIKTOK_AUDIENCE_AMBIGUOUS,
        nonRetryable: true,
        message: `${answer.audienceIds.length} TikTok audiences are named "${name}" (ids ${answer.audienceIds.join(', ')}): set audience.id to the one to keep in step`,
      });
    }
    found[name] = answer.found === 'one' ? answer.audienceId : undefined;
  }
  return found;
}

/** Steps 8–9: every step of the plan in order; a step's files are uploaded (≤ uploadsInParallel at once) just before its call. */
export async function applyPlan(ctx: ApplyContext, plan: AudiencePlan, applied: AudienceLedger['applied']): Promise<boolean> {
  let created = false;
  for (const target of plan.targets) {
    for (const step of target.steps) {
      if (ctx.state.applied.includes(step.key)) continue;
      await applyStep(ctx, target, step);
      if (step.action === 'CREATE') created = true;
      ctx.state.applied.push(step.key);
      ctx.state.files.applied += step.files.length;
      for (const f of step.files) applied[f.md5] = step.action;
      await ctx.recordPending(applied);
    }
  }
  return created;
}

async function applyStep(ctx: ApplyContext, target: AudienceTargetPlan, step: AudienceStep): Promise<void> {
  const { config, state } = ctx;
  const tiktok = proxyActivities<Activities>(tiktokOptions(config, '2 minutes'));
  const call = async () => {
    ctx.enter('uploading');
    const filePaths = await uploadFiles(ctx, step);
    ctx.enter('applying');
    if (step.action === 'CREATE') {
      const { audienceId } = await tiktok.createAudience({ tiktok: targetOf(config), name: target.name, calculateType: step.type, filePaths, retentionDays: config.audience.retentionDays });
      target.audienceId = audienceId;
      for (const type of target.types) state.audienceIds[type] = audienceId;
    } else {
      await tiktok.updateAudience({ tiktok: targetOf(config), audienceId: target.audienceId!, action: step.action, filePaths });
    }
  };
  try {
    await call();
  } catch (err) {
    // TikTok's file_path lifetime is not published: on a file refusal upload the step's files again, once.
    if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === TiktokFailureType.fileRejected)) throw err;
    for (const f of step.files) delete state.filePaths[f.md5];
    await call();
  }
}

async function uploadFiles(ctx: ApplyContext, step: AudienceStep): Promise<string[]> {
  const { config, state } = ctx;
  const tiktok = proxyActivities<Activities>(tiktokOptions(config, '10 minutes'));
  const tasks = step.files.map((file) => async () => {
    const known = state.filePaths[file.md5];
    if (known) return known;
    const { filePath } = await tiktok.uploadAudienceFile({ tiktok: targetOf(config), uri: file.uri, md5: file.md5, calculateType: step.type });
    state.filePaths[file.md5] = filePath;
    state.files.uploaded += 1;
    return filePath;
  });
  return allLimited(tasks, config.tiktok.uploadsInParallel);
}

/** Step 10: one check per poll attempt until TikTok reports the audience valid (benign TikTokAudienceProcessing meanwhile). */
export async function waitUntilProcessed(ctx: ApplyContext, audienceId: string): Promise<AudienceDetail> {
  const { config, state } = ctx;
  const poll = proxyActivities<Activities>(pollingActivityOptions(config.processingPoll, config.processingPoll.timeout));
  state.processingPolling = pollSchedule(config.processingPoll, Date.now());
  return poll.checkAudienceProcessed({ tiktok: targetOf(config), audienceId });
}

export const targetOf = (config: AudienceUploadConfig): TiktokTarget => ({ baseUrl: config.tiktok.baseUrl, credentialsSecretId: config.tiktok.credentialsSecretId });
