import { randomUUID } from 'node:crypto';
import type { Faults } from '../admin/faults';
import type { SandboxState, StateStore } from '../state';
import { AmcError } from './amc-errors';
import { amcStateOf, jobStatus, type AmcInstance, type AmcJob, type AmcTable } from './amc-state';

/** What the namespace's input data is now (a digest of its Glue tables' objects), or undefined when it cannot be read. */
export type InputSignature = (idNamespaceArn: string) => Promise<string | undefined>;

export interface MappingTableContext {
  store: StateStore;
  faults: Faults;
  inputSignature: InputSignature;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Namespaces associated with the collaboration: set through the admin API, or Clean Rooms associations of the customer's membership. */
function associatedNamespaces(state: SandboxState, instance: AmcInstance): string[] {
  const associations = Object.values(state.cleanRooms.idNamespaceAssociations).flatMap((a) =>
    a.membershipId === instance.collaboration.membershipId ? [a.inputReferenceConfig.inputReferenceArn] : [],
  );
  return [...new Set([...instance.idNamespaces, ...associations])];
}

const tablesOf = (state: SandboxState, instanceId: string) => Object.values(amcStateOf(state).tables).filter((t) => t.instanceId === instanceId);
const jobsOf = (state: SandboxState, tableId: string) => Object.values(amcStateOf(state).jobs).filter((j) => j.tableId === tableId);

function requireActive(instance: AmcInstance): void {
  if (instance.collaboration.status !== 'ACTIVE') throw new AmcError(400, `The collaboration of instance ${instance.instanceId} is ${instance.collaboration.status}, not ACTIVE`);
}

function requireTable(state: SandboxState, instance: AmcInstance, tableId: string): AmcTable {
  const table = amcStateOf(state).tables[tableId];
  if (!table || table.instanceId !== instance.instanceId) throw new AmcError(404, `ID mapping table ${tableId} not found`, 'NOT_FOUND');
  return table;
}

/** `{maxResults, nextToken}` pagination in the body; the token is the next offset. */
function page<T>(items: T[], body: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const max = Math.min(Math.max(Number(body.maxResults ?? 100) || 100, 1), 100);
  const start = typeof body.nextToken === 'string' ? Number(body.nextToken) || 0 : 0;
  const next = start + max;
  return { items: items.slice(start, next), ...(next < items.length ? { nextToken: String(next) } : {}) };
}

const tableShape = (t: AmcTable) => ({
  id: t.id,
  arn: t.arn,
  name: t.name,
  description: '',
  queryable: true,
  workflowArn: t.workflowArn,
  sourceIdNamespaceArn: t.sourceIdNamespaceArn,
  createTime: iso(t.createTime),
  updateTime: iso(t.updateTime),
});

function jobShape(ctx: MappingTableContext, job: AmcJob) {
  const { status, endTime } = jobStatus(job, amcStateOf(ctx.store.get()).jobDurations, ctx.now());
  return {
    jobId: job.jobId,
    status,
    startTime: iso(job.startTime),
    ...(endTime === undefined ? {} : { endTime: iso(endTime) }),
    ...(status === 'FAILED' ? { errorDetails: { errorMessage: 'The ID mapping job failed (injected by the sandbox)' } } : {}),
  };
}

async function startJob(ctx: MappingTableContext, table: AmcTable, kind: AmcJob['kind'], operation: string): Promise<AmcJob> {
  return {
    jobId: randomUUID().replaceAll('-', ''),
    tableId: table.id,
    kind,
    startTime: ctx.now(),
    failed: ctx.faults.jobShouldFail('amc', operation),
    inputSignature: await ctx.inputSignature(table.sourceIdNamespaceArn),
  };
}

export function listNotConnectedNamespaces(ctx: MappingTableContext, instance: AmcInstance, body: Record<string, unknown>) {
  const state = ctx.store.get();
  const connected = new Set(tablesOf(state, instance.instanceId).map((t) => t.sourceIdNamespaceArn));
  const free = associatedNamespaces(state, instance).filter((arn) => !connected.has(arn));
  const { items, nextToken } = page(free, body);
  return { idNamespaces: items.map((arn) => ({ idNamespaceArn: arn, name: arn.split('/').pop() })), ...(nextToken ? { nextToken } : {}) };
}

export function listTables(ctx: MappingTableContext, instance: AmcInstance, body: Record<string, unknown>) {
  const tables = tablesOf(ctx.store.get(), instance.instanceId).sort((a, b) => a.createTime - b.createTime);
  const { items, nextToken } = page(tables, body);
  return { collaborationId: instance.collaboration.id, idMappingTables: items.map(tableShape), ...(nextToken ? { nextToken } : {}) };
}

/** Create: a unique name, an associated namespace not connected to another table, and fewer than the instance's limit of tables. */
export async function createTable(ctx: MappingTableContext, instance: AmcInstance, body: Record<string, unknown>) {
  requireActive(instance);
  const name = body.idMappingTableName;
  const arn = body.sourceIdNamespaceArn;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(name)) throw new AmcError(400, 'idMappingTableName is required: 1 to 100 letters, digits, _ or -');
  if (typeof arn !== 'string') throw new AmcError(400, 'sourceIdNamespaceArn is required');
  const state = ctx.store.get();
  const tables = tablesOf(state, instance.instanceId);
  if (tables.some((t) => t.name === name)) throw new AmcError(409, `An ID mapping table named ${name} already exists`, 'CONFLICT');
  if (tables.length >= amcStateOf(state).limits.tablesPerInstance) throw new AmcError(400, `An instance can have up to ${amcStateOf(state).limits.tablesPerInstance} mapping tables`);
  if (tables.some((t) => t.sourceIdNamespaceArn === arn)) throw new AmcError(400, 'The ID namespace is already connected to an ID mapping table');
  if (!associatedNamespaces(state, instance).includes(arn)) throw new AmcError(400, 'The ID namespace is not associated with the collaboration');
  const id = randomUUID();
  const now = ctx.now();
  const table: AmcTable = {
    id,
    instanceId: instance.instanceId,
    name,
    arn: `arn:aws:cleanrooms:us-east-1:000000000000:membership/${instance.collaboration.membershipId}/idmappingtable/${id}`,
    workflowArn: `arn:aws:entityresolution:us-east-1:000000000000:idmappingworkflow/amc-${id}`,
    sourceIdNamespaceArn: arn,
    createTime: now,
    updateTime: now,
  };
  const job = await startJob(ctx, table, 'create', 'CreateCollaborationIdMappingTable');
  ctx.store.update((s) => {
    amcStateOf(s).tables[id] = table;
    amcStateOf(s).jobs[job.jobId] = job;
  });
  return { idMappingWorkflowJobId: job.jobId, idMappingTable: tableShape(table), collaborationId: instance.collaboration.id };
}

export function getJob(ctx: MappingTableContext, instance: AmcInstance, tableId: string, jobId: string) {
  const state = ctx.store.get();
  requireTable(state, instance, tableId);
  const job = amcStateOf(state).jobs[jobId];
  if (!job || job.tableId !== tableId) throw new AmcError(404, `ID mapping job ${jobId} not found`, 'NOT_FOUND');
  return jobShape(ctx, job);
}

export function listJobs(ctx: MappingTableContext, instance: AmcInstance, tableId: string, body: Record<string, unknown>) {
  const state = ctx.store.get();
  requireTable(state, instance, tableId);
  const jobs = jobsOf(state, tableId).sort((a, b) => b.startTime - a.startTime);
  const { items, nextToken } = page(jobs, body);
  return { jobs: items.map((j) => jobShape(ctx, j)), ...(nextToken ? { nextToken } : {}) };
}

/**
 * Refresh, refused as AMC refuses it: while a job runs, within the refresh interval (14 days) of the
 * last job's start, and when the namespace's input is the same as at the last job.
 */
export async function refreshTable(ctx: MappingTableContext, instance: AmcInstance, tableId: string) {
  const state = ctx.store.get();
  const table = requireTable(state, instance, tableId);
  const amc = amcStateOf(state);
  const last = jobsOf(state, tableId).sort((a, b) => b.startTime - a.startTime)[0];
  if (last) {
    const { status } = jobStatus(last, amc.jobDurations, ctx.now());
    if (status === 'QUEUED' || status === 'RUNNING') throw new AmcError(409, 'An ID mapping job of this table is in progress', 'CONFLICT');
    if (ctx.now() - last.startTime < amc.limits.refreshIntervalMs) throw new AmcError(400, `Refresh allowed once every ${Math.round(amc.limits.refreshIntervalMs / 86_400_000)} days`);
  }
  const job = await startJob(ctx, table, 'refresh', 'RefreshCollaborationIdMappingTable');
  if (last?.inputSignature !== undefined && job.inputSignature === last.inputSignature) {
    throw new AmcError(400, 'Refresh refused: the input of the ID namespace has not changed since the last job');
  }
  ctx.store.update((s) => {
    amcStateOf(s).jobs[job.jobId] = job;
    amcStateOf(s).tables[tableId]!.updateTime = job.startTime;
  });
  return { idMappingWorkflowJobId: job.jobId, idMappingTableId: tableId };
}

export function deleteTable(ctx: MappingTableContext, instance: AmcInstance, tableId: string) {
  requireTable(ctx.store.get(), instance, tableId);
  ctx.store.update((s) => {
    const amc = amcStateOf(s);
    delete amc.tables[tableId];
    for (const job of Object.values(amc.jobs)) if (job.tableId === tableId) delete amc.jobs[job.jobId];
  });
  return {};
}
