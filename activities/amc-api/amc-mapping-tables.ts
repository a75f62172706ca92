import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { redactPii } from '../../pii/redact';
import { AMC_MAPPING_JOB_FAILED, AMC_MAPPING_JOB_RUNNING, AMC_NAMESPACE_CONNECTED_ELSEWHERE, AMC_REFRESH_REFUSED, AMC_TABLE_LIMIT } from '../../schemas/failures';
import { amcCall, type AmcHttpDeps } from './amc-http';
import {
  readCreatedTable,
  readJob,
  readJobPage,
  readNamespacePage,
  readRefreshJobId,
  readTablePage,
  type AmcMappingJob,
  type AmcMappingTable,
  type AmcNamespace,
} from './amc-shapes';
import type { AmcTarget } from './amc-target';
import { AmcHttpError } from './http-errors';

/** "An instance can have up to 5 mapping tables" (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"). */
export const AMC_TABLES_PER_INSTANCE = 5;
const PAGE_SIZE = 100;
const MAX_PAGES = 1000;

export interface AmcInstanceInput {
  amc: AmcTarget;
}
export interface AmcTableInput {
  amc: AmcTarget;
  tableId: string;
}
export interface FindOrCreateAmcMappingTableInput {
  amc: AmcTarget;
  /** The mapping table's name: the key that makes a retried create adopt the table instead of making another. */
  name: string;
  sourceIdNamespaceArn: string;
}
export interface FindOrCreateAmcMappingTableResult {
  table: AmcMappingTable;
  /** false: an existing table was adopted (by name, or by its source namespace). */
  created: boolean;
  /** The job that fills the table: the create's, or the adopted table's latest. */
  job?: AmcMappingJob;
}
export interface RefreshAmcMappingTableInput extends AmcTableInput {
  /** ISO time the refresh was decided: a job started since then is this refresh's, adopted instead of starting another. */
  notBefore: string;
}

type Page<T> = { items: T[]; nextToken?: string };

async function allPages<T>(fetchPage: (nextToken?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(nextToken);
    items.push(...answer.items);
    if (!answer.nextToken || answer.nextToken === nextToken) return items;
    nextToken = answer.nextToken;
  }
  return items;
}

const latestOf = (jobs: AmcMappingJob[]): AmcMappingJob | undefined =>
  [...jobs].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''))[0];

export function createAmcMappingTableActivities(http: AmcHttpDeps) {
  const tablesPath = '/collaboration/idmappingtables';
  const pageBody = (nextToken?: string) => ({ maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) });

  const listTables = (amc: AmcTarget) =>
    allPages(async (nextToken) => {
      const { tables, nextToken: next } = readTablePage(
        await amcCall(http, amc, { operation: 'ListCollaborationIdMappingTables', method: 'POST', path: `${tablesPath}/list`, body: pageBody(nextToken) }),
      );
      return { items: tables, nextToken: next };
    });

  const listNotConnected = (amc: AmcTarget) =>
    allPages(async (nextToken) => {
      const { namespaces, nextToken: next } = readNamespacePage(
        await amcCall(http, amc, { operation: 'ListCollaborationIdNamespaces', method: 'POST', path: '/collaboration/idnamespaces/list', body: pageBody(nextToken) }),
      );
      return { items: namespaces, nextToken: next };
    });

  const listJobs = (amc: AmcTarget, tableId: string) =>
    allPages(async (nextToken) => {
      const { jobs, nextToken: next } = readJobPage(
        await amcCall(http, amc, {
          operation: 'ListCollaborationIdMappingJobs',
          method: 'POST',
          path: `${tablesPath}/${encodeURIComponent(tableId)}/jobs/list`,
          body: pageBody(nextToken),
        }),
      );
      return { items: jobs, nextToken: next };
    });

  const latestJob = async (amc: AmcTarget, tableId: string) => latestOf(await listJobs(amc, tableId));

  /** Steps 1–3 of an exactly-once create: a table to adopt, or undefined when one may be created. */
  const existing = async (input: FindOrCreateAmcMappingTableInput): Promise<FindOrCreateAmcMappingTableResult | undefined> => {
    const tables = await listTables(input.amc);
    const adopt = async (table: AmcMappingTable) => ({ table, created: false, job: await latestJob(input.amc, table.id) });
    const byName = tables.find((t) => t.name === input.name);
    if (byName) return adopt(byName);
    const byNamespace = tables.find((t) => t.sourceIdNamespaceArn === input.sourceIdNamespaceArn);
    if (byNamespace) return adopt(byNamespace);
    const free = await listNotConnected(input.amc);
    if (!free.some((n) => n.arn === input.sourceIdNamespaceArn)) {
      throw ApplicationFailure.create({
        type: AMC_NAMESPACE_CONNECTED_ELSEWHERE,
        nonRetryable: true,
        message:
          `ID namespace ${input.sourceIdNamespaceArn} is not among the collaboration's namespaces free for a mapping table: ` +
          `a table whose name is not ${input.name} uses it (instance ${input.amc.instanceId} has ${describeTables(tables)}), or it is not associated with the collaboration`,
      });
    }
    if (tables.length >= AMC_TABLES_PER_INSTANCE) {
      throw ApplicationFailure.create({
        type: AMC_TABLE_LIMIT,
        nonRetryable: true,
        message: `instance ${input.amc.instanceId} already has ${tables.length} ID mapping tables (${describeTables(tables)}), AMC's limit is ${AMC_TABLES_PER_INSTANCE}: delete one, or name one of them in amc.tableName`,
      });
    }
    return undefined;
  };

  return {
    async listAmcMappingTables(input: AmcInstanceInput): Promise<{ tables: AmcMappingTable[] }> {
      return { tables: await listTables(input.amc) };
    },

    async listAmcNotConnectedNamespaces(input: AmcInstanceInput): Promise<{ namespaces: AmcNamespace[] }> {
      return { namespaces: await listNotConnected(input.amc) };
    },

    /**
     * Creates the mapping table exactly once: a table of this name (or on this namespace) is adopted,
     * the instance's count is checked before the call, and a retry after a lost answer finds the table
     * by name instead of creating a second one.
     */
    async findOrCreateAmcMappingTable(input: FindOrCreateAmcMappingTableInput): Promise<FindOrCreateAmcMappingTableResult> {
      const found = await existing(input);
      if (found) return found;
      let answer: unknown;
      try {
        answer = await amcCall(http, input.amc, {
          operation: 'CreateCollaborationIdMappingTable',
          method: 'POST',
          path: tablesPath,
          body: { idMappingTableName: input.name, sourceIdNamespaceArn: input.sourceIdNamespaceArn },
        });
      } catch (err) {
        if (!(err instanceof AmcHttpError && err.status === 409)) throw err;
        const adopted = await existing(input);
        if (adopted) return adopted;
        throw err;
      }
      const { table, jobId } = readCreatedTable(answer);
      const created = table ?? (await listTables(input.amc)).find((t) => t.name === input.name);
      if (!created) throw new AmcHttpError('CreateCollaborationIdMappingTable', 502, undefined, 'the answer names no table, and none of that name is listed', undefined, undefined);
      return { table: created, created: true, job: jobId ? { jobId, status: 'QUEUED' } : await latestJob(input.amc, created.id) };
    },

    /** A poll: SUCCEEDED answers the job; QUEUED / RUNNING / UNKNOWN fail benign; FAILED fails for good. */
    async checkAmcMappingJob(input: AmcTableInput & { jobId: string }): Promise<AmcMappingJob> {
      const job = readJob(
        await amcCall(http, input.amc, {
          operation: 'GetCollaborationIdMappingJob',
          method: 'GET',
          path: `${tablesPath}/${encodeURIComponent(input.tableId)}/jobs/${encodeURIComponent(input.jobId)}`,
        }),
        input.jobId,
      );
      if (job.status === 'SUCCEEDED') return { ...job, errorMessage: undefined };
      if (job.status === 'FAILED') {
        throw ApplicationFailure.create({
          type: AMC_MAPPING_JOB_FAILED,
          nonRetryable: true,
          message: `ID mapping job ${job.jobId} of table ${input.tableId} FAILED${job.errorMessage ? `: ${redactPii(job.errorMessage)}` : ''}`,
        });
      }
      throw ApplicationFailure.create({
        type: AMC_MAPPING_JOB_RUNNING,
        category: ApplicationFailureCategory.BENIGN,
        message: `ID mapping job ${job.jobId} of table ${input.tableId} is ${job.status}`,
        details: [{ status: job.status, unknown: job.status !== 'QUEUED' && job.status !== 'RUNNING' }],
      });
    },

    /** The table's most recently started job (creation or refresh), or none. AMC's job list is the authority on the last refresh. */
    async latestAmcMappingJob(input: AmcTableInput): Promise<{ job?: AmcMappingJob }> {
      const job = await latestJob(input.amc, input.tableId);
      return { job: job && { ...job, errorMessage: job.errorMessage && redactPii(job.errorMessage) } };
    },

    /**
     * Starts one refresh: a job started at or after `notBefore` is adopted (a retry after a lost answer).
     * A refusal (AMC allows one per 14 days) fails AmcRefreshRefused with the last job's start, whatever its wording.
     */
    async refreshAmcMappingTable(input: RefreshAmcMappingTableInput): Promise<{ jobId: string; adopted: boolean }> {
      const latest = await latestJob(input.amc, input.tableId);
      if (latest?.startedAt && Date.parse(latest.startedAt) >= Date.parse(input.notBefore)) return { jobId: latest.jobId, adopted: true };
      try {
        const jobId = readRefreshJobId(
          await amcCall(http, input.amc, { operation: 'RefreshCollaborationIdMappingTable', method: 'POST', path: `${tablesPath}/${encodeURIComponent(input.tableId)}/refresh` }),
        );
        if (jobId) return { jobId, adopted: false };
        const started = await latestJob(input.amc, input.tableId);
        if (!started) throw new AmcHttpError('RefreshCollaborationIdMappingTable', 502, undefined, 'the answer names no job, and the table lists none', undefined, undefined);
        return { jobId: started.jobId, adopted: false };
      } catch (err) {
        if (!(err instanceof AmcHttpError && [400, 409, 422].includes(err.status))) throw err;
        throw ApplicationFailure.create({
          type: AMC_REFRESH_REFUSED,
          nonRetryable: true,
          message: `AMC refused to refresh table ${input.tableId} (HTTP ${err.status}); its last job started ${latest?.startedAt ?? 'at an unlisted time'}`,
          details: [{ lastJobStartedAt: latest?.startedAt, status: err.status }],
        });
      }
    },

    /** Deletes the table; one already gone answers deleted: false. */
    async deleteAmcMappingTable(input: AmcTableInput): Promise<{ deleted: boolean }> {
      try {
        await amcCall(http, input.amc, { operation: 'DeleteCollaborationIdMappingTable', method: 'DELETE', path: `${tablesPath}/${encodeURIComponent(input.tableId)}` });
        return { deleted: true };
      } catch (err) {
        if (err instanceof AmcHttpError && err.status === 404) return { deleted: false };
        throw err;
      }
    },
  };
}

function describeTables(tables: AmcMappingTable[]): string {
  return tables.length === 0 ? 'no tables' : tables.map((t) => `${t.name} (${t.id})`).join(', ');
}
