import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import { AMC_IDENTITY_COLUMNS_PER_TABLE } from '../../schemas/amc-id-mapping/amc-columns';
import { durationToMs } from '../../schemas/duration';
import { AMC_REFRESH_REFUSED, AMC_TABLE_LAYOUT_CHANGED } from '../../schemas/failures';
import type { AmcIdMappingArgs, AmcIdMappingResult, GenerationRef } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import { buildGeneration, generationId, publishGeneration } from './amc-id-mapping-generation';
import { awaitJob, controlPlane, nextEligibleAtMs, saveGuardState, type AmcRun } from './amc-id-mapping-run';
import { rootFailure } from '../support/root-failure';

type PublishedGroups = Awaited<ReturnType<typeof publishGeneration>>;

/**
 * Step 9, for months: looks at the input when told (`dataChanged`, from a Schedule or an operator),
 * publishes each changed generation at once, and refreshes the AMC table at most once per
 * `refresh.minInterval` (AMC's 14 days), and only when keys changed, were removed or duplicated:
 * several changes inside a window make one refresh at its end. Every wait is a durable timer, and
 * none while idle. Continues as new, carrying its state, before history grows large.
 */
export async function guard(run: AmcRun, args: AmcIdMappingArgs): Promise<AmcIdMappingResult> {
  const { state, enter } = run;
  for (;;) {
    if (state.deleteRequested) return deleteTables(run);
    if (state.inbox.notices > 0) {
      state.inbox.notices = 0;
      await processInput(run);
      if (state.pending) await readLastRefreshFromAmc(run);
      continue;
    }
    const eligibleAt = nextEligibleAtMs(run) ?? 0;
    if (state.pending && Date.now() >= eligibleAt) {
      await refreshOnce(run);
      continue;
    }
    if (shouldContinueAsNew(run)) {
      await condition(allHandlersFinished);
      if (state.inbox.notices === 0 && !state.deleteRequested) {
        await continueAsNew<(a: AmcIdMappingArgs) => Promise<AmcIdMappingResult>>({ input: args.input, carried: { ...state, runs: state.runs + 1 } });
      }
      continue;
    }
    enter(state.pending ? 'waiting-for-refresh-window' : 'guarding');
    const woken = () => state.inbox.notices > 0 || Boolean(state.deleteRequested) || shouldContinueAsNew(run);
    if (state.pending) await condition(woken, Math.max(1, eligibleAt - Date.now()));
    else await condition(woken);
  }
}

/**
 * One look at the input: an unchanged listing costs nothing more; otherwise a new generation is built,
 * compared with the published one by per-key fingerprints, and published. Appended keys alone reach
 * AMC by themselves; changed, removed or duplicated keys make a refresh pending. Returns the namespace
 * groups when it published.
 */
export async function processInput(run: AmcRun): Promise<PublishedGroups | undefined> {
  const { config, state, enter } = run;
  enter('processing-input');
  const at = new Date(Date.now()).toISOString();
  const listing = await controlPlane.inputListing({ uri: config.input.uri });
  if (state.current && state.current.inputListingHash === listing.hash) {
    state.inputsUnchanged += 1;
    state.lastInput = { at, generation: state.current.id, unchanged: true };
    return undefined;
  }
  state.generations += 1;
  const generation = await buildGeneration(config, state.generations, listing.hash, enter);
  if (state.current) refuseLayoutChange(state.current, generation);
  const diff = state.current ? await controlPlane.diffGenerationFingerprints({ previous: state.current.manifestUri, current: generation.manifestUri }) : undefined;

  enter('ensuring-resources');
  const published = await publishGeneration(config, generation.tables);
  state.previous = state.current;
  state.current = generation;
  state.inputsProcessed += 1;
  state.lastInput = { at, generation: generation.id, unchanged: false, counts: generation.counts, diff };
  if (diff && diff.changed + diff.removed + diff.duplicated > 0) {
    const pending = state.pending;
    state.pending = {
      since: pending?.since ?? at,
      changedKeys: (pending?.changedKeys ?? 0) + diff.changed,
      removedKeys: (pending?.removedKeys ?? 0) + diff.removed,
      duplicatedKeys: (pending?.duplicatedKeys ?? 0) + diff.duplicated,
      generations: (pending?.generations ?? 0) + 1,
    };
  }
  await controlPlane.pruneGenerations({
    prefixes: [config.output.workPrefix, ...generation.tables.map((t) => `${config.output.dataPrefix}${t.glueTable}/`)],
    keep: generationsToKeep(run),
  });
  if (state.tables.length > 0) await saveGuardState(run);
  return published;
}

/**
 * The AMC tables read the published layout: a generation split into another number of tables would leave a Glue
 * table (or a namespace and its AMC table) outside every refresh, or rename them under a live table. Fails before publishing.
 */
function refuseLayoutChange(published: GenerationRef, next: GenerationRef): void {
  if (next.tables.length === published.tables.length) return;
  const tables = (g: GenerationRef) => `${g.tables.length} table${g.tables.length > 1 ? 's' : ''} (${g.tables.map((t) => t.glueTable).join(', ')})`;
  throw ApplicationFailure.nonRetryable(
    `Generation ${next.id} needs ${tables(next)} where the published generation ${published.id} has ${tables(published)}: its identity columns, ` +
      `with the numbered columns of collapsed keys, no longer fit the same number of ${AMC_IDENTITY_COLUMNS_PER_TABLE}-column tables. Nothing of it was published and no refresh was made. ` +
      `Bring the input back within ${tables(published)} (lower collapse.maxValuesPerColumn or map fewer columns) and start the guard again, ` +
      `or move to the new layout: 'delete-table', then start again.`,
    AMC_TABLE_LAYOUT_CHANGED,
  );
}

/** The last `output.keepGenerations` generations, and always the published one and its predecessor (the next diff's baseline). */
function generationsToKeep({ config, state }: AmcRun): string[] {
  const recent = Array.from({ length: Math.min(config.output.keepGenerations, state.generations) }, (_, i) => generationId(state.generations - i));
  return [...new Set([state.current!.id, ...(state.previous ? [state.previous.id] : []), ...recent])];
}

/**
 * One refresh of every table, however many changes are pending. AMC's own job list is the clock:
 * a refusal inside its window re-arms the timer from its last job start; a refusal outside it fails.
 */
async function refreshOnce(run: AmcRun): Promise<void> {
  const { config, state, enter } = run;
  enter('refreshing');
  const notBefore = new Date(Date.now()).toISOString();
  for (const table of state.tables) {
    let job;
    try {
      const started = await controlPlane.refreshAmcMappingTable({ amc: config.amc, tableId: table.id, notBefore });
      job = { jobId: started.jobId, status: 'QUEUED' };
    } catch (err) {
      if (rootFailure(err)?.type !== AMC_REFRESH_REFUSED) throw err;
      const latest = (await controlPlane.latestAmcMappingJob({ amc: config.amc, tableId: table.id })).job;
      const minIntervalMs = durationToMs(config.refresh.minInterval);
      if (!latest?.startedAt || Date.parse(latest.startedAt) + minIntervalMs <= Date.now()) {
        throw ApplicationFailure.nonRetryable(
          `AMC refused to refresh table ${table.name} (${table.id}) at ${notBefore} although its last job started at ${latest?.startedAt ?? 'no known time'}, ` +
            `more than ${config.refresh.minInterval} before. Check the table in AMC, then send 'data-changed' again.`,
          AMC_REFRESH_REFUSED,
        );
      }
      state.lastRefreshAt = latest.startedAt;
      return;
    }
    const done = await awaitJob(run, table.id, job, 'refresh');
    state.lastRefreshAt = done.startedAt ?? notBefore;
  }
  state.pending = undefined;
  state.refreshes += 1;
  await saveGuardState(run);
}

/**
 * While a refresh waits, each notice reads AMC's own last job start again: AMC's job list is the clock,
 * so a refresh made elsewhere (or a table's history as AMC reports it) moves the window either way.
 */
async function readLastRefreshFromAmc(run: AmcRun): Promise<void> {
  const { config, state } = run;
  let lastMs = 0;
  for (const table of state.tables) {
    const { job } = await controlPlane.latestAmcMappingJob({ amc: config.amc, tableId: table.id });
    lastMs = Math.max(lastMs, Date.parse(job?.startedAt ?? table.createdAt));
  }
  if (lastMs > 0) state.lastRefreshAt = new Date(lastMs).toISOString();
}

/** The `deleteTable` Update's work, after any running job ended: the AMC tables only. */
async function deleteTables(run: AmcRun): Promise<AmcIdMappingResult> {
  const { config, state, enter } = run;
  enter('deleting');
  state.deletedTables = [];
  for (const table of state.tables) {
    await controlPlane.deleteAmcMappingTable({ amc: config.amc, tableId: table.id });
    state.deletedTables.push({ name: table.name, id: table.id, deletedAt: new Date(Date.now()).toISOString() });
  }
  // Runs recorded before this step kept guard.json, so a new start reused its generation and pending change.
  if (patched('amc-delete-forgets-guard-state')) await controlPlane.deleteGuardState({ workPrefix: config.output.workPrefix });
  const created = state.tables[0]?.createdAt ?? state.startedAt;
  state.tables = [];
  state.pending = undefined;
  enter('completed');
  return {
    name: config.name,
    instanceId: config.amc.instanceId,
    tables: state.deletedTables,
    created,
    refreshes: state.refreshes,
    generations: state.generations,
  };
}

function shouldContinueAsNew(run: AmcRun): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= run.config.refresh.maxHistoryEvents;
}
