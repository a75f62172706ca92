import { createHash } from 'node:crypto';
import { fakePrepSummary } from './fake-prepare';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import { AMC_COLLABORATION_PENDING, AMC_MAPPING_JOB_RUNNING, AMC_REFRESH_REFUSED, AMC_TABLE_LIMIT } from '../../schemas/failures';
import type { Activities } from '../../activities';
import type { AmcMappingJob, AmcMappingTable } from '../../activities/amc-api';
import type { FingerprintDiff } from '../../pii/prep/group/fingerprints';
import type { AmcOutputColumn } from '../../schemas/amc-id-mapping/amc-columns';
import type { GroupByKeyInput, GroupByKeyResult, GroupCounts } from '../../schemas/preparation/group-by-key';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';

/** The activities amcIdMapping calls, with the worker's own signatures: a fake that drifts from them fails to compile. */
type AmcActivities = Pick<
  Activities,
  | 'checkAmcPrerequisites'
  | 'checkMembership'
  | 'inputListing'
  | 'deleteGuardState'
  | 'ensureGlueTable'
  | 'ensureSchemaMapping'
  | 'ensureIdNamespace'
  | 'ensureIdNamespaceAssociation'
  | 'pruneGenerations'
  | 'readGuardState'
  | 'writeGuardState'
  | 'diffGenerationFingerprints'
  | 'getAmcCollaboration'
  | 'checkAmcCollaboration'
  | 'listAmcMappingTables'
  | 'findOrCreateAmcMappingTable'
  | 'checkAmcMappingJob'
  | 'latestAmcMappingJob'
  | 'refreshAmcMappingTable'
  | 'deleteAmcMappingTable'
>;

const DAY = 86_400_000;

/** The two activities the test's stand-in children (prepareIdentityData, groupByKey) call. */
export interface FakeChildActivities {
  fakePrepare(input: PrepareIdentityDataInput): Promise<PrepSummary>;
  fakeGroup(input: GroupByKeyInput): Promise<GroupByKeyResult>;
}

interface Job extends AmcMappingJob {
  tableId: string;
  kind: 'create' | 'refresh';
  startMs: number;
  endMs: number;
}

/**
 * AMC, Clean Rooms, Glue and the input bucket as the workflow sees them through its activities, kept on
 * the time-skipping server's clock: tables, jobs that take `jobDurationMs`, refreshes refused inside
 * AMC's 14 days, a collaboration that turns ACTIVE at `collaborationActiveAt`. The input is rows of
 * key → values; generations are snapshots of it, diffed key by key as fingerprints would be.
 */
export class FakeAmc {
  /** Create POSTs that reached AMC. */
  posts = 0;
  /** Server times of refresh POSTs AMC accepted. */
  refreshes: number[] = [];
  refusedRefreshes = 0;
  deleted: string[] = [];
  tables: AmcMappingTable[] = [];
  jobs: Job[] = [];
  inputListings = 0;
  /** The generations each pruneGenerations call kept. */
  kept: string[][] = [];
  generationsBuilt = 0;
  jobDurationMs = 3_600_000;
  /** Glue tables each generation is split into (identity columns beyond one table's 24). */
  tablesPerGeneration = 1;
  refreshIntervalMs = 14 * DAY;
  collaborationActiveAt = 0;
  /** The next create reaches AMC but its answer is lost (the activity's retry must adopt, not create again). */
  loseNextCreateResponse = false;
  readonly link = 'https://advertising.amazon.com/marketing-cloud/accept/collab-1';
  private input: Record<string, string[]> = {};
  private snapshots = new Map<string, Record<string, string[]>>();
  readonly guardFiles = new Map<string, Record<string, unknown>>();
  private seq = 0;

  constructor(private readonly now: () => Promise<number>) {}

  /** Replaces the input: key → that key's rows (values; the test's fixtures hold emails, which must never reach Temporal). */
  setInput(rows: Record<string, string[]>): void {
    this.input = structuredClone(rows);
  }

  /** Existing tables of other users of the instance. */
  addOtherTables(n: number, atMs: number): void {
    for (let i = 0; i < n; i++) this.tables.push({ id: `other-${i}`, name: `other_table_${i}`, createTime: new Date(atMs).toISOString() });
  }

  /** A refresh someone started outside the workflow (the AMC console, another tool). */
  refreshOutOfBand(tableId: string, atMs: number): void {
    this.jobs.push({ jobId: `job-${++this.seq}`, tableId, kind: 'refresh', status: 'SUCCEEDED', startMs: atMs, endMs: atMs + this.jobDurationMs });
  }

  activities(): AmcActivities & FakeChildActivities {
    const iso = (ms: number) => new Date(ms).toISOString();
    const ensured = (name: string) => ({ name, arn: `arn:aws:entityresolution:us-east-1:111122223333:idnamespace/${name}`, action: 'unchanged' as const, drift: [] });
    const latest = (tableId: string) => this.jobs.filter((j) => j.tableId === tableId).sort((a, b) => b.startMs - a.startMs)[0];
    const jobRef = (j: Job, now: number): AmcMappingJob => ({ jobId: j.jobId, status: now >= j.endMs ? 'SUCCEEDED' : 'RUNNING', startedAt: iso(j.startMs), endedAt: now >= j.endMs ? iso(j.endMs) : undefined });
    const startJob = (tableId: string, kind: Job['kind'], now: number): Job => {
      const job: Job = { jobId: `job-${++this.seq}`, tableId, kind, status: 'QUEUED', startMs: now, endMs: now + this.jobDurationMs };
      this.jobs.push(job);
      return job;
    };
    const collaboration = async () => {
      const active = (await this.now()) >= this.collaborationActiveAt;
      return { collaborationId: 'collab-1', status: active ? 'ACTIVE' : 'PENDING_ACCEPTANCE', customerAcceptanceLink: this.link, membershipId: 'a1b2c3d4-0000-4000-8000-000000000001' };
    };
    return {
      checkAmcPrerequisites: async () => ({ region: 'us-east-1', buckets: {}, credentialKeys: ['clientId', 'clientSecret', 'refreshToken'] }),
      checkMembership: async ({ membershipId, collaborationId }) => ({ membershipId, membershipArn: `arn:aws:cleanrooms:us-east-1:111122223333:membership/${membershipId}`, collaborationId: collaborationId ?? 'collab-1', collaborationName: 'amc', status: 'ACTIVE' }),
      inputListing: async () => {
        this.inputListings += 1;
        const text = JSON.stringify(this.input);
        return { hash: createHash('sha256').update(text).digest('hex'), objects: 1, bytes: text.length };
      },
      ensureGlueTable: async ({ table }) => ensured(table),
      ensureSchemaMapping: async ({ schemaName }) => ensured(schemaName),
      ensureIdNamespace: async ({ spec }) => ensured(spec.idNamespaceName),
      ensureIdNamespaceAssociation: async ({ name }) => ({ ...ensured(name), id: `assoc-${name}`, collaborationId: 'collab-1' }),
      pruneGenerations: async ({ keep }) => {
        this.kept.push([...keep].sort());
        return { deleted: [], objects: 0 };
      },
      readGuardState: async ({ workPrefix }) => ({ uri: `${workPrefix}guard.json`, state: structuredClone(this.guardFiles.get(workPrefix)) ?? null }),
      writeGuardState: async ({ workPrefix, state }) => {
        this.guardFiles.set(workPrefix, structuredClone(state));
        return { uri: `${workPrefix}guard.json` };
      },
      deleteGuardState: async ({ workPrefix }) => {
        this.guardFiles.delete(workPrefix);
        return { uri: `${workPrefix}guard.json` };
      },
      diffGenerationFingerprints: async ({ previous, current }): Promise<FingerprintDiff> => diff(this.snapshots.get(previous)!, this.snapshots.get(current)!),
      getAmcCollaboration: collaboration,
      checkAmcCollaboration: async () => {
        const c = await collaboration();
        if (c.status !== 'ACTIVE') throw ApplicationFailure.create({ type: AMC_COLLABORATION_PENDING, message: c.status, category: ApplicationFailureCategory.BENIGN });
        return { collaborationId: c.collaborationId, membershipId: c.membershipId, status: 'ACTIVE' as const };
      },
      listAmcMappingTables: async () => ({ tables: structuredClone(this.tables) }),
      findOrCreateAmcMappingTable: async ({ name, sourceIdNamespaceArn }) => {
        const now = await this.now();
        const existing = this.tables.find((t) => t.name === name);
        if (existing) {
          const job = latest(existing.id);
          return { table: existing, job: job && jobRef(job, now), created: false };
        }
        if (this.tables.length >= 5) throw ApplicationFailure.nonRetryable('5 tables', AMC_TABLE_LIMIT);
        this.posts += 1;
        const table: AmcMappingTable = { id: `table-${++this.seq}`, name, sourceIdNamespaceArn, createTime: iso(now) };
        this.tables.push(table);
        const job = startJob(table.id, 'create', now);
        if (this.loseNextCreateResponse) {
          this.loseNextCreateResponse = false;
          throw ApplicationFailure.retryable('the connection was reset before the answer arrived');
        }
        return { table, job: jobRef(job, now), created: true };
      },
      checkAmcMappingJob: async ({ jobId }) => {
        const now = await this.now();
        const job = this.jobs.find((j) => j.jobId === jobId)!;
        if (now < job.endMs) throw ApplicationFailure.create({ type: AMC_MAPPING_JOB_RUNNING, message: 'RUNNING', category: ApplicationFailureCategory.BENIGN });
        return jobRef(job, now);
      },
      latestAmcMappingJob: async ({ tableId }) => {
        const job = latest(tableId);
        return { job: job && jobRef(job, await this.now()) };
      },
      refreshAmcMappingTable: async ({ tableId, notBefore }) => {
        const now = await this.now();
        const last = latest(tableId);
        if (last && last.kind === 'refresh' && last.startMs >= Date.parse(notBefore)) return { jobId: last.jobId, adopted: true };
        if (last && now - last.startMs < this.refreshIntervalMs) {
          this.refusedRefreshes += 1;
          throw ApplicationFailure.nonRetryable('Refresh allowed once every 14 days', AMC_REFRESH_REFUSED);
        }
        this.refreshes.push(now);
        return { jobId: startJob(tableId, 'refresh', now).jobId, adopted: false };
      },
      deleteAmcMappingTable: async ({ tableId }) => {
        this.tables = this.tables.filter((t) => t.id !== tableId);
        this.deleted.push(tableId);
        return { deleted: true };
      },
      fakePrepare: async ({ output }) => {
        const rows = Object.values(this.input).reduce((n, r) => n + r.length, 0);
        this.snapshots.set(`${output}manifest.json`, structuredClone(this.input));
        return fakePrepSummary(output, rows);
      },
      fakeGroup: async ({ prepared, work, tables, columns }): Promise<GroupByKeyResult> => {
        this.generationsBuilt += 1;
        const snapshot = this.snapshots.get(prepared)!;
        const manifestUri = `${work}manifest.json`;
        this.snapshots.set(manifestUri, snapshot);
        const keys = Object.keys(snapshot).length;
        const identity: AmcOutputColumn[] = Object.entries(columns.columns).map(([name, type]) => ({ name: name.toLowerCase(), source: name.toLowerCase(), type, position: 0 }));
        const planned = this.tablesPerGeneration === 1 ? [identity] : identity.map((c) => [c]);
        const counts: GroupCounts = {
          keys,
          rowsIn: keys,
          rowsOut: keys,
          collapsedKeys: Object.values(snapshot).filter((r) => r.length > 25).length,
          duplicateRowsDropped: 0,
          droppedValues: {},
          emptyRowsDropped: planned.map(() => 0),
          rowsRead: keys,
          rowsWithoutKey: 0,
          widthsCut: {},
        };
        return {
          manifestUri,
          shards: 1,
          plan: { uniqueId: columns.uniqueId.toLowerCase(), widths: Object.fromEntries(identity.map((c) => [c.name, 1])), tables: planned },
          tableLocations: planned.map((_, i) => `${tables.dataPrefix}${planned.length === 1 ? tables.glueBase : `${tables.glueBase}_${i + 1}`}/gen-${tables.gen}/`),
          outputObjects: planned.length,
          counts,
        };
      },
    };
  }
}

function diff(before: Record<string, string[]>, after: Record<string, string[]>): FingerprintDiff {
  const out: FingerprintDiff = { appended: 0, removed: 0, changed: 0, duplicated: 0, unchanged: 0 };
  for (const [key, rows] of Object.entries(after)) {
    const old = before[key];
    if (!old) out.appended += 1;
    else if (rows.length > old.length && rows.slice(0, old.length).join('\n') === old.join('\n')) out.duplicated += 1;
    else if (rows.join('\n') !== old.join('\n')) out.changed += 1;
    else out.unchanged += 1;
  }
  for (const key of Object.keys(before)) if (!(key in after)) out.removed += 1;
  return out;
}
