import type { SandboxState } from '../state';

/** How long the stand-in's mapping jobs stay QUEUED, then RUNNING, before SUCCEEDED (or FAILED). */
export interface AmcJobDurations {
  queuedMs: number;
  runningMs: number;
}

export interface AmcLimits {
  /** "An instance can have up to 5 mapping tables" (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"). */
  tablesPerInstance: number;
  /** One refresh per 14 days. */
  refreshIntervalMs: number;
}

export interface AmcInstance {
  instanceId: string;
  advertiserId: string;
  marketplaceId: string;
  /** The customer's AWS account: its member of the collaboration holds `membershipId`. */
  account: string;
  collaboration: {
    id: string;
    name: string;
    status: string;
    customerAcceptanceLink: string;
    membershipId: string;
    /** GetCollaboration calls still to answer `status` before it becomes `next`. */
    afterChecks?: number;
    next?: string;
  };
  /** ID namespace ARNs associated with the collaboration (besides Clean Rooms associations of the membership). */
  idNamespaces: string[];
}

export interface AmcTable {
  id: string;
  instanceId: string;
  name: string;
  arn: string;
  workflowArn: string;
  sourceIdNamespaceArn: string;
  createTime: number;
  updateTime: number;
}

export interface AmcJob {
  jobId: string;
  tableId: string;
  kind: 'create' | 'refresh';
  startTime: number;
  failed: boolean;
  /** What the namespace's input was when the job started (see input-signature.ts); absent when unknowable. */
  inputSignature?: string;
}

/** An answer the admin API told the stand-in to give instead of serving `operation` (its next `remaining` calls). */
export interface AmcRefusal {
  operation: string;
  status: number;
  code: string;
  details: string;
  remaining: number;
}

export interface AmcSandboxState {
  credentials?: { clientId: string; clientSecret: string; refreshToken: string; revoked: boolean };
  tokens: Record<string, { clientId: string; expiresAt: number }>;
  instances: Record<string, AmcInstance>;
  tables: Record<string, AmcTable>;
  jobs: Record<string, AmcJob>;
  limits: AmcLimits;
  jobDurations: AmcJobDurations;
  refusals: AmcRefusal[];
}

export const DAY_MS = 86_400_000;

const initialAmcState = (): AmcSandboxState => ({
  tokens: {},
  instances: {},
  tables: {},
  jobs: {},
  limits: { tablesPerInstance: 5, refreshIntervalMs: 14 * DAY_MS },
  jobDurations: { queuedMs: 500, runningMs: 1500 },
  refusals: [],
});

/** The stand-in's state inside the sandbox's, created on first use (so state files from before it load as they are). */
export function amcStateOf(state: SandboxState): AmcSandboxState {
  state.amc = { ...initialAmcState(), ...state.amc };
  return state.amc;
}

export function jobStatus(job: AmcJob, durations: AmcJobDurations, now: number): { status: string; endTime?: number } {
  const elapsed = now - job.startTime;
  if (elapsed < durations.queuedMs) return { status: 'QUEUED' };
  if (elapsed < durations.queuedMs + durations.runningMs) return { status: 'RUNNING' };
  return { status: job.failed ? 'FAILED' : 'SUCCEEDED', endTime: job.startTime + durations.queuedMs + durations.runningMs };
}
