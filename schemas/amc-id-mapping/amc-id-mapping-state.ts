import type { FingerprintDiff } from '../../pii/prep/group/fingerprints';
import type { SchemaMappingSpec } from '../../activities/entity-resolution/entity-resolution';
import type { AmcIdMappingInput } from './amc-id-mapping';
import type { GroupCounts } from '../preparation/group-by-key';
import type { PollSchedule } from '../poll-schedule';
import type { OperatorAction } from '../operator-action';

/*
 * The state of `amcIdMapping` (plan §3.7): a plain object of counts, ids and URIs, carried across
 * continue-as-new and saved as the guard's recovery copy (`guardStateUri`).
 */

export const AMC_STAGES = [
  'checking',
  'waiting-for-collaboration',
  'preparing',
  'grouping',
  'checking-limits',
  'ensuring-resources',
  'associating',
  'creating-table',
  'mapping-job',
  'guarding',
  'processing-input',
  'waiting-for-refresh-window',
  'refreshing',
  'deleting',
  'completed',
  'failed',
  'cancelled',
] as const;
/** Where the AMC ID mapping run is (upserted as its stage). */
export type AmcStage = (typeof AMC_STAGES)[number];

/** Counts of one generation: the preparation's rows in and rejected, and the grouping's. */
export interface GenerationCounts extends GroupCounts {
  /** Rows the preparation read from the input, and those it rejected. */
  inputRows: number;
  rejected: number;
}

/** One table of a generation: its Glue table, where it lives, and the schema mapping of its written header. */
export interface GenerationTable {
  glueTable: string;
  schemaName: string;
  location: string;
  columns: string[];
  mappedInputFields: SchemaMappingSpec['mappedInputFields'];
}

/** A published generation: what Glue points to, and the baseline of the next change detection. */
export interface GenerationRef {
  id: string;
  /** The grouping's manifest, listing its fingerprint objects (diffGenerationFingerprints reads it). */
  manifestUri: string;
  publishedAt: string;
  inputListingHash: string;
  counts: GenerationCounts;
  tables: GenerationTable[];
}

export interface PendingChanges {
  since: string;
  changedKeys: number;
  removedKeys: number;
  duplicatedKeys: number;
  generations: number;
}

/** What the guard saves at `guardStateUri` and reads back when a run starts over. */
export interface GuardSnapshot {
  lastRefreshAt?: string;
  createdAt?: string;
  current?: GenerationRef;
  previous?: GenerationRef;
  pending?: PendingChanges;
}

export interface AmcJobState {
  jobId: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  kind: 'create' | 'refresh';
  tableId: string;
}

export interface AmcLastInput {
  at: string;
  generation?: string;
  unchanged: boolean;
  counts?: GenerationCounts;
  diff?: FingerprintDiff;
}

export interface AmcGuardState {
  stage: AmcStage;
  runs: number;
  startedAt: string;
  collaboration?: { id: string; membershipId: string; status: string; customerAcceptanceLink?: string; polling?: PollSchedule };
  tables: { name: string; id: string; sourceIdNamespaceArn: string; createdAt: string }[];
  /** max(table creation, last refresh job start), from AMC's own job list when a run (re)starts. */
  lastRefreshAt?: string;
  current?: GenerationRef;
  previous?: GenerationRef;
  pending?: PendingChanges;
  inbox: { notices: number; lastNoticeAt?: string; lastRequestId?: string };
  refreshes: number;
  generations: number;
  inputsProcessed: number;
  inputsUnchanged: number;
  lastInput?: AmcLastInput;
  lastJob?: AmcJobState;
  /** Set while a job is polled: the status query derives its checks from this schedule. */
  jobPolling?: PollSchedule;
  deleteRequested?: OperatorAction;
  deletedTables?: { name: string; id: string; deletedAt: string }[];
}

export interface AmcIdMappingArgs {
  input: AmcIdMappingInput;
  carried?: AmcGuardState;
}

/** Returned only after `deleteTable`: what was deleted and what the run did over its life. */
export interface AmcIdMappingResult {
  name: string;
  instanceId: string;
  tables: { name: string; id: string; deletedAt: string }[];
  created: string;
  refreshes: number;
  generations: number;
}
