import { defineQuery } from '@temporalio/workflow';
import { pollProgressAt, type PollSchedule } from '../../schemas/poll-schedule';
import type { AudienceUploadConfig, TiktokIdentifierType } from '../../schemas/audience-upload/audience-upload';

type AudienceMode = AudienceUploadConfig['audience']['mode'];

export const AUDIENCE_STAGES = [
  'waiting-for-turn',
  'checking',
  'querying',
  'checking-columns',
  'preparing',
  'building-snapshot',
  'planning',
  'finding-audience',
  'uploading',
  'applying',
  'waiting-for-audience',
  'recording',
  'completed',
  'failed',
  'cancelled',
] as const;
export type AudienceStage = (typeof AUDIENCE_STAGES)[number];

/** What the run knows so far: ids, counts and URIs only. */
export interface AudienceUploadState {
  stage: AudienceStage;
  startedAt: string;
  mode: AudienceMode;
  source: { kind: 's3' | 'cleanRoomsQuery'; queryId?: string; polling?: PollSchedule; resultUri?: string };
  rows?: { in: number; out: number; rejected: number };
  identifiers?: Partial<Record<TiktokIdentifierType, number>>;
  plan?: { add: number; remove: number; steps: number };
  files: { planned: number; uploaded: number; applied: number };
  /** file MD5 → TikTok's file_path, for the files uploaded in this run. */
  filePaths: Record<string, string>;
  /** Steps (`<action>:<md5>,…`) applied in this run. */
  applied: string[];
  audienceIds: Record<string, string>;
  processingPolling?: PollSchedule;
}

export interface AudienceUploadStatus {
  stage: AudienceStage;
  startedAt: string;
  asOf: string;
  mode: AudienceMode;
  source: { kind: 's3' | 'cleanRoomsQuery'; queryId?: string; checksMade?: number; nextCheckAt?: string };
  rows?: { in: number; out: number; rejected: number };
  identifiers?: Partial<Record<TiktokIdentifierType, number>>;
  plan?: { add: number; remove: number; steps: number };
  files: { planned: number; uploaded: number; applied: number };
  audienceIds: Record<string, string>;
  processing?: { checksMade: number; nextCheckAt: string };
  nextAction: string;
}

/** `status` ([asOf]): where the run is, by the caller's clock for the poll estimates. */
export const audienceUploadStatusQuery = defineQuery<AudienceUploadStatus, [string?]>('status');

export function audienceUploadStatus(state: AudienceUploadState, atMs: number): AudienceUploadStatus {
  const progress = (p?: PollSchedule) => (p ? pollProgressAt(p, Math.max(atMs, Date.parse(p.since))) : undefined);
  const query = state.source.kind === 'cleanRoomsQuery' && state.stage === 'querying' ? progress(state.source.polling) : undefined;
  const processing = state.stage === 'waiting-for-audience' ? progress(state.processingPolling) : undefined;
  return {
    stage: state.stage,
    startedAt: state.startedAt,
    asOf: new Date(atMs).toISOString(),
    mode: state.mode,
    source: { kind: state.source.kind, queryId: state.source.queryId, checksMade: query?.checks, nextCheckAt: query?.nextCheckAt },
    rows: state.rows,
    identifiers: state.identifiers,
    plan: state.plan,
    files: { ...state.files },
    audienceIds: { ...state.audienceIds },
    processing: processing && { checksMade: processing.checks, nextCheckAt: processing.nextCheckAt },
    nextAction: NEXT_ACTION[state.stage],
  };
}

const NEXT_ACTION: Record<AudienceStage, string> = {
  'waiting-for-turn': 'Waiting for another run on this audience to end (runs on one audience take turns).',
  checking: 'Checking the TikTok credentials secret and, for a query source, the Clean Rooms membership.',
  querying: 'Waiting for the Clean Rooms protected query to finish.',
  'checking-columns': 'Comparing the column definition with the source header.',
  preparing: 'Preparing the source (prepareIdentityData): values normalised and hashed for TikTok, one file per identifier type.',
  'building-snapshot': 'Sorting and deduplicating the hashes into this run’s snapshot.',
  planning: 'Comparing the snapshot with the audience’s ledger: what to add, remove or replace.',
  'finding-audience': 'Looking the audience up on TikTok by name (or by audience.id).',
  uploading: 'Uploading customer files to TikTok.',
  applying: 'Creating or updating the TikTok audience.',
  'waiting-for-audience': 'Waiting for TikTok to process the audience.',
  recording: 'Recording the applied snapshot as the audience’s ledger.',
  completed: 'Nothing: the audience is in step with this run’s input.',
  failed: 'Read the failure in the Temporal UI (docs/workflows/audience-upload.md lists what to do per type), fix it, then start again: applied files are not sent twice.',
  cancelled: 'Nothing: the run was cancelled. Start again: applied files are not sent twice.',
};
