/*
 * The Ads API's AMC answers, read leniently. Amazon publishes the calls but not every member name
 * (collaboration members, namespace lists, job lists), so each reader accepts the spellings seen in
 * Amazon's guide and pages (`id`/`Id`, `arn`/`ARN`, ...) and keeps only the members named here.
 * Verified against the sandbox's AMC stand-in only: real answers recorded from an account belong in
 * test/fixtures/amc/ and should tighten these readers.
 */

import { isObject, list, str, time, type Json } from '../support/lenient-json';

export const COLLABORATION_PENDING_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'PENDING_ACCEPTANCE'] as const;
export const COLLABORATION_ENDED_STATUSES = ['REJECTED', 'DELETED'] as const;

export interface AmcCollaborationMember {
  accountId: string;
  membershipId?: string;
  status?: string;
}

export interface AmcCollaboration {
  id?: string;
  name?: string;
  status: string;
  customerAcceptanceLink?: string;
  members: AmcCollaborationMember[];
}

/** `GET /amc/instances/{id}/collaboration`: members are looked for in every member-shaped field (creator, customer, ...). */
export function readCollaboration(body: unknown): AmcCollaboration {
  const o = isObject(body) && isObject(body.collaboration) ? body.collaboration : isObject(body) ? body : {};
  const members: AmcCollaborationMember[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    const accountId = str(v, 'accountId', 'AccountId', 'awsAccountId');
    if (accountId) members.push({ accountId, membershipId: str(v, 'membershipId', 'MembershipId'), status: str(v, 'status', 'Status') });
  };
  for (const value of Object.values(o)) visit(value);
  return {
    id: str(o, 'id', 'Id', 'collaborationId'),
    name: str(o, 'name', 'Name'),
    status: (str(o, 'status', 'Status') ?? 'UNKNOWN').toUpperCase(),
    customerAcceptanceLink: str(o, 'customerAcceptanceLink', 'CustomerAcceptanceLink'),
    members,
  };
}

export interface AmcNamespace {
  arn: string;
  name?: string;
}

/** `POST .../collaboration/idnamespaces/list`: the namespaces associated with the collaboration and not connected to a table. */
export function readNamespacePage(body: unknown): { namespaces: AmcNamespace[]; nextToken?: string } {
  const items = list(body, 'idNamespaces', 'idNamespaceSummaries', 'collaborationIdNamespaces', 'namespaces', 'idNamespaceAssociations');
  const namespaces = items.flatMap((n) => {
    const arn = str(n, 'idNamespaceArn', 'sourceIdNamespaceArn', 'inputReferenceArn', 'arn', 'ARN');
    return arn ? [{ arn, name: str(n, 'name', 'Name', 'idNamespaceName') }] : [];
  });
  return { namespaces, nextToken: isObject(body) ? str(body, 'nextToken') : undefined };
}

export interface AmcMappingTable {
  id: string;
  name: string;
  arn?: string;
  sourceIdNamespaceArn?: string;
  queryable?: boolean;
  createTime?: string;
  updateTime?: string;
}

function readTable(t: Json): AmcMappingTable | undefined {
  const id = str(t, 'id', 'Id', 'idMappingTableId');
  const name = str(t, 'name', 'Name', 'idMappingTableName');
  if (!id || !name) return undefined;
  const queryable = t.queryable ?? t.Queryable;
  return {
    id,
    name,
    arn: str(t, 'arn', 'ARN', 'Arn'),
    sourceIdNamespaceArn: str(t, 'sourceIdNamespaceArn', 'SourceIdNamespaceArn', 'idNamespaceArn'),
    queryable: typeof queryable === 'boolean' ? queryable : undefined,
    createTime: time(t, 'createTime', 'CreateTime', 'createdAt'),
    updateTime: time(t, 'updateTime', 'UpdateTime', 'updatedAt'),
  };
}

/** `POST .../collaboration/idmappingtables/list`. */
export function readTablePage(body: unknown): { tables: AmcMappingTable[]; nextToken?: string } {
  const items = list(body, 'idMappingTables', 'idMappingTableSummaries', 'collaborationIdMappingTables', 'tables');
  return { tables: items.flatMap((t) => readTable(t) ?? []), nextToken: isObject(body) ? str(body, 'nextToken') : undefined };
}

/** `POST .../collaboration/idmappingtables`: the table and the id of the job that fills it. */
export function readCreatedTable(body: unknown): { table?: AmcMappingTable; jobId?: string } {
  if (!isObject(body)) return {};
  const t = body.idMappingTable ?? body.IdMappingTable;
  return { table: isObject(t) ? readTable(t) : undefined, jobId: str(body, 'idMappingWorkflowJobId', 'jobId', 'JobId') };
}

export interface AmcMappingJob {
  jobId: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  /** AMC's reason for a FAILED job (the caller redacts it). */
  errorMessage?: string;
}

function readJobObject(j: Json): AmcMappingJob | undefined {
  const jobId = str(j, 'jobId', 'JobId', 'id', 'idMappingWorkflowJobId');
  if (!jobId) return undefined;
  const error = j.errorDetails ?? j.ErrorDetails;
  return {
    jobId,
    status: (str(j, 'status', 'Status', 'jobStatus') ?? 'UNKNOWN').toUpperCase(),
    startedAt: time(j, 'startTime', 'StartTime', 'startedAt'),
    endedAt: time(j, 'endTime', 'EndTime', 'endedAt'),
    errorMessage: isObject(error) ? str(error, 'errorMessage', 'message') : typeof error === 'string' ? error : undefined,
  };
}

/** `GET .../jobs/{jobId}`, whether the job is the body or under `job`. */
export function readJob(body: unknown, jobId: string): AmcMappingJob {
  const o = isObject(body) && isObject(body.job) ? body.job : isObject(body) ? body : {};
  return readJobObject(o) ?? { ...readJobObject({ ...o, jobId })!, jobId };
}

/** `POST .../jobs/list`. */
export function readJobPage(body: unknown): { jobs: AmcMappingJob[]; nextToken?: string } {
  const items = list(body, 'jobs', 'idMappingJobs', 'idMappingJobSummaries', 'jobSummaries');
  return { jobs: items.flatMap((j) => readJobObject(j) ?? []), nextToken: isObject(body) ? str(body, 'nextToken') : undefined };
}

/** `POST .../refresh`: the id of the job it started. */
export function readRefreshJobId(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  return str(body, 'idMappingWorkflowJobId', 'jobId', 'JobId') ?? (isObject(body.job) ? str(body.job, 'jobId', 'id') : undefined);
}
