import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { AMC_TABLE_LIMIT } from '../schemas/failures';
import { pollingActivityOptions, pollSchedule } from './support/polling';
import { amcTableName, type AmcActivities } from './amc-id-mapping-ports';
import { processInput } from './amc-id-mapping-guard';
import { publishGeneration } from './amc-id-mapping-generation';
import { awaitJob, controlPlane, saveGuardState, type AmcRun } from './amc-id-mapping-run';

/** AMC's limit of ID mapping tables per instance (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"). */
const TABLES_PER_INSTANCE = 5;

/**
 * Steps 1–8 of the seed: prerequisites, the collaboration (waited for until the customer accepts), the
 * table budget, the first generation, Glue / Entity Resolution / Clean Rooms resources, and the AMC table
 * created exactly once with its first job. A run that starts over adopts what exists and reads AMC's own
 * last job time, so it never refreshes early.
 */
export async function setUp(run: AmcRun): Promise<void> {
  const { config, state, enter } = run;
  enter('checking');
  await controlPlane.checkAmcPrerequisites({ config });

  enter('waiting-for-collaboration');
  await awaitCollaboration(run);
  const collaboration = state.collaboration!;
  await controlPlane.checkMembership({ membershipId: collaboration.membershipId, collaborationId: collaboration.id });

  enter('checking-limits');
  const tableName = amcTableName(config);
  const existing = await controlPlane.listAmcMappingTables({ amc: config.amc });
  if (!existing.tables.some((t) => t.name === tableName) && existing.tables.length >= TABLES_PER_INSTANCE) {
    throw ApplicationFailure.nonRetryable(
      `AMC instance ${config.amc.instanceId} already holds ${existing.tables.length} ID mapping tables (${existing.tables.map((t) => t.name).join(', ')}); ` +
        `it allows ${TABLES_PER_INSTANCE}. Nothing was created: delete one of them or set amc.tableName to one to reuse.`,
      AMC_TABLE_LIMIT,
    );
  }

  const saved = await controlPlane.readGuardState({ workPrefix: config.output.workPrefix });
  if (saved) {
    state.current ??= saved.current;
    state.previous ??= saved.previous;
    state.pending ??= saved.pending;
  }
  let namespaceArn = await processInput(run);
  if (!namespaceArn) {
    enter('ensuring-resources');
    namespaceArn = await publishGeneration(config, state.current!.tables);
  }

  enter('associating');
  await controlPlane.ensureIdNamespaceAssociation({
    membershipId: collaboration.membershipId,
    name: config.cleanRooms.associationName ?? config.name,
    description: `AMC ID mapping ${config.name}`,
    idNamespaceArn: namespaceArn,
  });

  enter('creating-table');
  const created = await controlPlane.findOrCreateAmcMappingTable({ amc: config.amc, name: tableName, sourceIdNamespaceArn: namespaceArn });
  const table = { name: created.table.name, id: created.table.id, sourceIdNamespaceArn: namespaceArn, createdAt: created.table.createdAt };
  state.tables = [table];
  if (created.job) await awaitJob(run, table.id, created.job, 'create');

  const latest = await controlPlane.latestAmcMappingJob({ amc: config.amc, tableId: table.id });
  state.lastRefreshAt = latest?.startedAt && Date.parse(latest.startedAt) > Date.parse(table.createdAt) ? latest.startedAt : table.createdAt;
  await saveGuardState(run);
}

/** Step 2: the collaboration must be ACTIVE; while the customer has not accepted, polled on its schedule (the status shows the link). */
async function awaitCollaboration(run: AmcRun): Promise<void> {
  const { config, state } = run;
  const request = { amc: config.amc, account: config.account, membershipId: config.cleanRooms.membershipId };
  let collaboration = await controlPlane.getAmcCollaboration(request);
  state.collaboration = { id: collaboration.id, membershipId: collaboration.membershipId ?? '', status: collaboration.status, customerAcceptanceLink: collaboration.customerAcceptanceLink };
  if (collaboration.status !== 'ACTIVE') {
    state.collaboration.polling = pollSchedule(config.collaborationPoll, Date.now());
    const polling = proxyActivities<AmcActivities>(pollingActivityOptions(config.collaborationPoll, config.collaborationPoll.giveUpAfter));
    collaboration = await polling.checkAmcCollaboration(request);
  }
  state.collaboration = { id: collaboration.id, membershipId: collaboration.membershipId ?? config.cleanRooms.membershipId ?? '', status: collaboration.status, customerAcceptanceLink: collaboration.customerAcceptanceLink };
}
