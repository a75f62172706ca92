import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { AMC_MAPPING_TABLES_PER_INSTANCE as TABLES_PER_INSTANCE } from '../../schemas/amc-id-mapping/amc-columns';
import { AMC_TABLE_LIMIT } from '../../schemas/failures';
import { pollingActivityOptions, pollSchedule } from '../support/polling';
import type { Activities } from '../../activities';
import { amcTableName } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import type { GuardSnapshot } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import { processInput } from './amc-id-mapping-guard';
import { publishGeneration } from './amc-id-mapping-generation';
import { awaitJob, controlPlane, saveGuardState, type AmcRun } from './amc-id-mapping-run';


/**
 * Steps 1–8 of Amazon Ads' guide "Amazon Marketing Cloud - AWS Clean Rooms": prerequisites, the
 * collaboration (waited for until the customer accepts), the table budget, the first generation, Glue /
 * Entity Resolution / Clean Rooms resources, and the AMC table created exactly once with its first job. A run that starts over adopts what exists and reads AMC's own
 * last job time, so it never refreshes early.
 */
export async function setUp(run: AmcRun): Promise<void> {
  const { config, state, enter } = run;
  enter('checking');
  await controlPlane.checkAmcPrerequisites({
    dataPrefix: config.output.dataPrefix,
    workPrefix: config.output.workPrefix,
    queryResultsBucket: config.queryResultsBucket,
    kmsKeyArn: config.output.kmsKeyArn,
    credentialsSecretId: config.amc.credentialsSecretId,
    membershipId: config.cleanRooms.membershipId,
  });

  enter('waiting-for-collaboration');
  await awaitCollaboration(run);
  const collaboration = state.collaboration!;
  await controlPlane.checkMembership({ membershipId: collaboration.membershipId, collaborationId: collaboration.id });

  enter('checking-limits');
  const ours = (name: string) => name === amcTableName(config) || name.startsWith(`${amcTableName(config)}_`);
  await checkTableBudget(run, ours, 1);

  const saved = (await controlPlane.readGuardState({ workPrefix: config.output.workPrefix })).state as GuardSnapshot | null;
  if (saved) {
    state.current ??= saved.current;
    state.previous ??= saved.previous;
    state.pending ??= saved.pending;
  }
  let groups = await processInput(run);
  if (!groups) {
    enter('ensuring-resources');
    groups = await publishGeneration(config, state.current!.tables);
  }
  if (groups.length > 1) await checkTableBudget(run, ours, groups.length);

  enter('associating');
  for (const group of groups) {
    await controlPlane.ensureIdNamespaceAssociation({
      membershipId: collaboration.membershipId,
      name: group.associationName,
      description: `AMC ID mapping ${config.name}`,
      idNamespaceArn: group.namespaceArn,
    });
  }

  enter('creating-table');
  const created = [];
  for (const group of groups) {
    const answer = await controlPlane.findOrCreateAmcMappingTable({ amc: config.amc, name: group.tableName, sourceIdNamespaceArn: group.namespaceArn });
    const table = { name: answer.table.name, id: answer.table.id, sourceIdNamespaceArn: group.namespaceArn, createdAt: answer.table.createTime ?? answer.job?.startedAt ?? new Date(Date.now()).toISOString() };
    state.tables.push(table);
    created.push({ table, job: answer.job });
  }
  let lastRefreshMs = 0;
  for (const { table, job } of created) {
    if (job) await awaitJob(run, table.id, job, 'create');
    const latest = await controlPlane.latestAmcMappingJob({ amc: config.amc, tableId: table.id });
    lastRefreshMs = Math.max(lastRefreshMs, Date.parse(table.createdAt), latest.job?.startedAt ? Date.parse(latest.job.startedAt) : 0);
  }
  state.lastRefreshAt = new Date(lastRefreshMs).toISOString();
  await saveGuardState(run);
}

/** Fails before any AMC table is created when `needed` more of ours would not fit the instance's 5. */
async function checkTableBudget(run: AmcRun, ours: (name: string) => boolean, needed: number): Promise<void> {
  const { config } = run;
  const existing = await controlPlane.listAmcMappingTables({ amc: config.amc });
  const others = existing.tables.filter((t) => !ours(t.name));
  if (others.length + needed > TABLES_PER_INSTANCE) {
    throw ApplicationFailure.nonRetryable(
      `AMC instance ${config.amc.instanceId} holds ${others.length} other ID mapping tables (${others.map((t) => t.name).join(', ')}) and this mapping needs ${needed}; ` +
        `it allows ${TABLES_PER_INSTANCE}. Nothing was created: delete some of them${needed > 1 ? ", or set split.namespaces to 'one'" : ''}.`,
      AMC_TABLE_LIMIT,
    );
  }
}

/** Step 2: the collaboration must be ACTIVE; while the customer has not accepted, polled on its schedule (the status shows the link). */
async function awaitCollaboration(run: AmcRun): Promise<void> {
  const { config, state } = run;
  const request = { amc: config.amc, account: config.account, membershipId: config.cleanRooms.membershipId };
  let collaboration: { collaborationId?: string; membershipId?: string; status: string; customerAcceptanceLink?: string } = await controlPlane.getAmcCollaboration(request);
  const link = collaboration.customerAcceptanceLink;
  state.collaboration = { id: collaboration.collaborationId ?? '', membershipId: collaboration.membershipId ?? '', status: collaboration.status, customerAcceptanceLink: link };
  if (collaboration.status !== 'ACTIVE' || !collaboration.collaborationId || !collaboration.membershipId) {
    state.collaboration.polling = pollSchedule(config.collaborationPoll, Date.now());
    const polling = proxyActivities<Activities>(pollingActivityOptions(config.collaborationPoll, config.collaborationPoll.giveUpAfter));
    collaboration = await polling.checkAmcCollaboration(request);
  }
  state.collaboration = { id: collaboration.collaborationId ?? '', membershipId: collaboration.membershipId ?? '', status: collaboration.status, customerAcceptanceLink: link };
}
