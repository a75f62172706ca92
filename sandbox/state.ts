import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AmcSandboxState } from './amc/amc-state';
import type { TiktokSandboxState } from './tiktok/tiktok-state';

/** Everything the sandbox remembers; plain JSON, persisted to a file so it survives a restart. */
export interface SandboxState {
  dataExchange: {
    /** Data set ids whose subscription has been approved (origin ENTITLED for this account). */
    entitled: string[];
    /** Approvals scheduled by the admin API: data set id → GetDataSet checks still to answer "not found". */
    entitleAfterChecks: Record<string, number>;
  };
  entityResolution: {
    schemaMappings: Record<string, StoredResource>;
    matchingWorkflows: Record<string, StoredResource>;
    jobs: Record<string, StoredJob>;
    idNamespaces: Record<string, StoredResource>;
  };
  cleanRooms: {
    memberships: Record<string, StoredMembership>;
    idNamespaceAssociations: Record<string, StoredIdNamespaceAssociation>;
    limits: { idNamespaceAssociationsPerMembership: number };
    /** Protected queries by id (sandbox/services/clean-rooms/protected-queries.ts). */
    queries: Record<string, StoredProtectedQuery>;
    /** What a query "returns": the sandbox evaluates no SQL, so a query's result is the rows of its registered source. */
    querySources: QuerySource[];
    /** How long a protected query stays SUBMITTED, then at least STARTED. */
    queryDurations: { submittedMs: number; runningMs: number };
  };
  /** The Amazon Ads API (AMC) stand-in's state; created on first use (sandbox/amc/amc-state.ts). */
  amc?: AmcSandboxState;
  /** The TikTok Business API stand-in's state; created on first use (sandbox/tiktok/tiktok-state.ts). */
  tiktok?: TiktokSandboxState;
}

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface StoredJob {
  jobId: string;
  workflowName: string;
  status: JobStatus;
  startTime: number;
  endTime?: number;
  metrics?: Record<string, number>;
  errorDetails?: { errorMessage: string };
  outputSourceConfig: Record<string, unknown>[];
}

/** A resource as the service returns it (request members plus ARN and epoch-second timestamps). */
export type StoredResource = Record<string, unknown> & { createdAt: number; updatedAt: number };

/** A Clean Rooms membership as GetMembership answers it (epoch-second times). */
export interface StoredMembership {
  id: string;
  arn: string;
  collaborationArn: string;
  collaborationId: string;
  collaborationCreatorAccountId: string;
  collaborationCreatorDisplayName: string;
  collaborationName: string;
  createTime: number;
  updateTime: number;
  status: 'ACTIVE' | 'REMOVED' | 'COLLABORATION_DELETED';
  memberAbilities: string[];
  queryLogStatus: 'ENABLED' | 'DISABLED';
  paymentConfiguration: { queryCompute: { isResponsible: boolean } };
}

/** A Clean Rooms ID namespace association as GetIdNamespaceAssociation answers it, plus its tags. */
export interface StoredIdNamespaceAssociation {
  id: string;
  arn: string;
  membershipId: string;
  membershipArn: string;
  collaborationId: string;
  collaborationArn: string;
  name: string;
  description?: string;
  createTime: number;
  updateTime: number;
  inputReferenceConfig: { inputReferenceArn: string; manageResourcePolicies: boolean };
  inputReferenceProperties: { idNamespaceType: string; idMappingWorkflowsSupported: unknown[] };
  idMappingConfig?: Record<string, unknown>;
  tags: Record<string, string>;
}

export type ProtectedQueryStatus = 'SUBMITTED' | 'STARTED' | 'CANCELLED' | 'CANCELLING' | 'FAILED' | 'SUCCESS' | 'TIMED_OUT';

/** A protected query as GetProtectedQuery answers it, plus when it started (ms) and whether a jobFailure fault marked it. */
export interface StoredProtectedQuery {
  id: string;
  membershipId: string;
  membershipArn: string;
  createTime: number;
  status: ProtectedQueryStatus;
  sqlParameters: { queryString?: string; analysisTemplateArn?: string; parameters?: Record<string, string> };
  resultConfiguration: { outputConfiguration: { s3: { resultFormat: 'CSV' | 'PARQUET'; bucket: string; keyPrefix?: string; singleFileOutput?: boolean } } };
  statistics?: { totalDurationInMillis: number };
  result?: { output: { s3: { location: string } } };
  error?: { code: string; message: string };
  /** As the start gave them (the sandbox runs nothing on them). */
  computeConfiguration?: Record<string, unknown>;
  queryComputePayerAccountId?: string;
  startedAtMs: number;
  willFail: boolean;
  /** The registered source whose rows become the result. */
  sourceUri: string;
}

/** A registered query result: a query whose analysis template ARN, or whose SQL text's SHA-256, matches gets `source`'s rows. */
export interface QuerySource {
  match: { analysisTemplateArn: string } | { sqlSha256: string };
  source: string;
}

/** AWS Clean Rooms quotas: "ID namespace associations per membership", 10 by default. */
const ASSOCIATIONS_PER_MEMBERSHIP = 10;

/** The sandbox's default protected-query timing: short, so tests and the demo do not wait. */
export const QUERY_DURATIONS = { submittedMs: 500, runningMs: 1500 };

const initialState = (): SandboxState => ({
  dataExchange: { entitled: [], entitleAfterChecks: {} },
  entityResolution: { schemaMappings: {}, matchingWorkflows: {}, jobs: {}, idNamespaces: {} },
  cleanRooms: {
    memberships: {},
    idNamespaceAssociations: {},
    limits: { idNamespaceAssociationsPerMembership: ASSOCIATIONS_PER_MEMBERSHIP },
    queries: {},
    querySources: [],
    queryDurations: { ...QUERY_DURATIONS },
  },
});

export class StateStore {
  private state: SandboxState;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) chmodSync(file, 0o600); // written world-readable by earlier versions
    const saved = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxState>) : {};
    const initial = initialState();
    this.state = {
      ...initial,
      ...saved,
      dataExchange: { ...initial.dataExchange, ...saved.dataExchange },
      entityResolution: { ...initial.entityResolution, ...saved.entityResolution },
      cleanRooms: { ...initial.cleanRooms, ...saved.cleanRooms, limits: { ...initial.cleanRooms.limits, ...saved.cleanRooms?.limits } },
    };
  }

  get(): SandboxState {
    return this.state;
  }

  update<T>(change: (state: SandboxState) => T): T {
    const result = change(this.state);
    this.persist();
    return result;
  }

  reset(): void {
    this.state = initialState();
    this.persist();
  }

  private persist(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
