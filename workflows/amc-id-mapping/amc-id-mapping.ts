import { ContinueAsNew, setHandler } from '@temporalio/workflow';
import { PIPELINES } from '../../schemas/search-attributes';
import { invalidInput } from '../support/invalid-input';
import { endedBy, stageTracker } from '../support/stage-tracking';
import { amcIdMappingInputSchema } from '../../schemas/amc-id-mapping/amc-id-mapping';
import type { AmcGuardState, AmcIdMappingArgs, AmcIdMappingResult } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import { amcIdMappingStatusQuery, handleAmcMessages } from './amc-id-mapping-messages';
import { amcIdMappingStatus } from './amc-id-mapping-status';
import { nextEligibleAtMs, type AmcRun } from './amc-id-mapping-run';
import { setUp } from './amc-id-mapping-setup';
import { guard } from './amc-id-mapping-guard';

export { amcIdMappingStatusQuery, dataChangedSignal, dataChangedUpdate, deleteTableUpdate } from './amc-id-mapping-messages';

/**
 * An AMC ID mapping table on AWS Clean Rooms, from a raw identity file, kept fresh for months under
 * AMC's rule of one refresh per 14 days (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms"):
 * steps 1–8 create it exactly once, then the guard publishes each new input and refreshes only when
 * keys changed and AMC allows it. One run per table (id `amc-id-mapping/<instance>/<table>`); it ends
 * only with the `deleteTable` Update.
 */
export async function amcIdMapping(args: AmcIdMappingArgs): Promise<AmcIdMappingResult> {
  const parsed = amcIdMappingInputSchema.safeParse(args.input);
  if (!parsed.success) throw invalidInput('amcIdMapping', parsed.error);
  const config = parsed.data;
  const state: AmcGuardState = args.carried ?? {
    stage: 'checking',
    runs: 1,
    startedAt: new Date(Date.now()).toISOString(),
    tables: [],
    inbox: { notices: 0 },
    refreshes: 0,
    generations: 0,
    inputsProcessed: 0,
    inputsUnchanged: 0,
  };
  const run: AmcRun = { config, state, enter: stageTracker(PIPELINES.amcIdMapping, state) };
  setHandler(amcIdMappingStatusQuery, (asOf) => amcIdMappingStatus(state, config, asOf ? Date.parse(asOf) : Date.now()));
  handleAmcMessages(state, () => {
    const at = nextEligibleAtMs(run);
    return at === undefined ? undefined : new Date(at).toISOString();
  });

  try {
    if (state.tables.length === 0) await setUp(run);
    return await guard(run, args);
  } catch (err) {
    if (!(err instanceof ContinueAsNew)) run.enter(endedBy(err));
    throw err;
  }
}
