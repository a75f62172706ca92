import { pollProgressAt } from '../../schemas/poll-schedule';
import type { AmcIdMappingConfig } from '../../schemas/amc-id-mapping/amc-id-mapping';
import type { AmcGuardState, AmcLastInput, AmcStage, PendingChanges } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import { nextEligibleAtMs } from './amc-id-mapping-run';

/** The `status` query's answer: counts, ids and times only. */
export interface AmcIdMappingStatus {
  stage: AmcStage;
  startedAt: string;
  runs: number;
  asOf: string;
  collaboration?: { status: string; customerAcceptanceLink?: string; checks?: number; nextCheckAt?: string };
  tables: { name: string; id: string; createdAt: string }[];
  deletedTables?: { name: string; id: string; deletedAt: string }[];
  lastJob?: { kind: 'create' | 'refresh'; status: string; startedAt?: string; endedAt?: string; checks?: number; nextCheckAt?: string };
  lastRefreshAt?: string;
  nextEligibleAt?: string;
  refreshes: number;
  generations: number;
  inputsProcessed: number;
  inputsUnchanged: number;
  pending: PendingChanges | null;
  lastInput?: AmcLastInput;
  nextAction: string;
}

/** Everything derived from the state and `atMs` (the caller's clock): polls' checks from their schedules. */
export function amcIdMappingStatus(state: AmcGuardState, config: AmcIdMappingConfig, atMs: number): AmcIdMappingStatus {
  const collaborationPoll = state.collaboration?.polling ? pollProgressAt(state.collaboration.polling, Math.max(atMs, Date.parse(state.collaboration.polling.since))) : undefined;
  const jobPoll = state.jobPolling ? pollProgressAt(state.jobPolling, Math.max(atMs, Date.parse(state.jobPolling.since))) : undefined;
  const eligibleMs = nextEligibleAtMs({ state, config });
  const nextEligibleAt = eligibleMs === undefined ? undefined : new Date(eligibleMs).toISOString();
  const lastJob = state.lastJob;
  return {
    stage: state.stage,
    startedAt: state.startedAt,
    runs: state.runs,
    asOf: new Date(atMs).toISOString(),
    collaboration: state.collaboration && {
      status: state.collaboration.status,
      customerAcceptanceLink: state.collaboration.customerAcceptanceLink,
      checks: collaborationPoll?.checks,
      nextCheckAt: collaborationPoll?.nextCheckAt,
    },
    tables: state.tables.map(({ name, id, createdAt }) => ({ name, id, createdAt })),
    deletedTables: state.deletedTables,
    lastJob: lastJob && {
      kind: lastJob.kind,
      status: lastJob.status,
      startedAt: lastJob.startedAt,
      endedAt: lastJob.endedAt,
      checks: jobPoll?.checks,
      nextCheckAt: jobPoll?.nextCheckAt,
    },
    lastRefreshAt: state.lastRefreshAt,
    nextEligibleAt,
    refreshes: state.refreshes,
    generations: state.generations,
    inputsProcessed: state.inputsProcessed,
    inputsUnchanged: state.inputsUnchanged,
    pending: state.pending ?? null,
    lastInput: state.lastInput,
    nextAction: nextAction(state, nextEligibleAt),
  };
}

const NEXT_ACTION: Partial<Record<AmcStage, string>> = {
  checking: 'Checking the Region, the buckets, the KMS key and the Ads API credentials secret.',
  'checking-limits': 'Counting the AMC instance’s ID mapping tables (at most 5).',
  preparing: 'Preparing the input (prepareIdentityData): values normalised and hashed for AMC, unusable rows to the rejects.',
  grouping: 'Grouping rows by the unique key (groupByKey): keys over 25 rows collapsed into one.',
  'ensuring-resources': 'Publishing the generation: Glue table location, schema mappings, ID namespace.',
  associating: 'Associating the ID namespace with the Clean Rooms membership.',
  'creating-table': 'Creating the AMC ID mapping table (or adopting the existing one).',
  'mapping-job': 'Waiting for the ID mapping job to finish.',
  'processing-input': 'Looking at the input: an unchanged listing ends here; otherwise a new generation is built and published.',
  refreshing: 'Refreshing the AMC ID mapping table and waiting for its job.',
  deleting: 'Deleting the AMC ID mapping table; Glue, Entity Resolution, Clean Rooms resources and data are kept.',
  completed: 'Nothing: the AMC table was deleted. Start again to create it anew.',
  failed: 'Read the failure in the Temporal UI (docs/workflows/amc-id-mapping.md lists what to do per type), fix it, then start again: existing resources are adopted.',
  cancelled: 'Nothing: the run was cancelled. Start again: existing resources are adopted.',
};

function nextAction(state: AmcGuardState, nextEligibleAt: string | undefined): string {
  if (state.stage === 'waiting-for-collaboration') {
    const link = state.collaboration?.customerAcceptanceLink;
    return link ? `Waiting for the customer to accept the AMC collaboration: open ${link}` : 'Waiting for the AMC collaboration to become ACTIVE.';
  }
  if (state.stage === 'waiting-for-refresh-window' && state.pending) return `Refresh on ${nextEligibleAt} (changes pending since ${state.pending.since}).`;
  if (state.stage === 'guarding') return "Idle until the next input ('dataChanged' from the schedule or 'data-changed').";
  return NEXT_ACTION[state.stage] ?? state.stage;
}
