/**
 * Step 6 of audienceUpload (plan §3.7), pure: which TikTok calls bring each audience in step with this
 * run's snapshot, or why none may be made. Refusals happen here, before any TikTok call.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { AUDIENCE_REPLACE_TOO_LARGE, AUDIENCE_TOO_MANY_FILES, AUDIENCE_TOO_SMALL } from '../../schemas/failures';
import type { ApplyAction as AudienceAction, AudienceLedger, SnapshotDiff, SnapshotFile, SnapshotSummary } from '../../activities/audience-upload/audience-snapshots';
import { TIKTOK_IDENTIFIER_TYPES, perTypeAudienceName, type AudienceUploadConfig, type TiktokIdentifierType } from '../../schemas/audience-upload/audience-upload';

/** Bounds one run's history: each file is one upload activity, so a few hundred at most. */
export const MAX_FILES_PER_RUN = 500;

/** One create or update call: one identifier type's files (TikTok's calculate_type is per call). */
export interface AudienceStep {
  /** `<action>:<md5>,…`: the run's record of a call made, so a replayed or resumed run never repeats it. */
  key: string;
  action: AudienceAction;
  type: TiktokIdentifierType;
  files: SnapshotFile[];
}

/** One TikTok audience and the calls that bring it in step: `layout: one` has one, `per-type` one per type. */
export interface AudienceTargetPlan {
  name: string;
  types: TiktokIdentifierType[];
  /** The audience the ledger or TikTok knows; none: the first step creates it. */
  audienceId?: string;
  /** Not the audience the ledger knows (none yet, adopted, or made again): it is given the whole snapshot. */
  fresh: boolean;
  steps: AudienceStep[];
  /** Identifiers the audience holds once every step is applied. */
  expectedSize: number;
  added: number;
  removed: number;
}

export interface AudiencePlan {
  targets: AudienceTargetPlan[];
  outcome: 'apply' | 'unchanged';
  /** Steps an earlier run of this audience already applied (its pending ledger), skipped here. */
  skipped: number;
}

/** What planning reads: the config, this run's snapshot, the ledger (with any pending run merged) and the delta. */
export interface PlanInput {
  config: AudienceUploadConfig;
  snapshot: SnapshotSummary;
  ledger?: AudienceLedger;
  diff?: SnapshotDiff;
  /** Audience ids TikTok reported per target name (step 7); unset before that step. */
  found?: Record<string, string | undefined>;
}

interface Target {
  name: string;
  types: TiktokIdentifierType[];
}

export function audienceTargets(config: AudienceUploadConfig, snapshot: SnapshotSummary): Target[] {
  const types = TIKTOK_IDENTIFIER_TYPES.filter((t) => (snapshot.counts[t] ?? 0) > 0 || config.columns.some((c) => c.kind === 'PII' && c.type === t));
  if (config.audience.layout === 'one') return [{ name: config.audience.name, types }];
  return types.map((t) => ({ name: perTypeAudienceName(config.audience.name, t), types: [t] }));
}

/** The audience id a target's calls go to: TikTok's answer once known, else the ledger's. */
function knownAudienceId(input: PlanInput, target: Target): { id?: string; fromLedger: boolean } {
  // A pending ledger of a first run that died has ids but no snapshot to diff against.
  const ledgerId = input.ledger?.snapshotManifestUri ? input.ledger.audienceIds[target.types[0]!] : undefined;
  if (!input.found) return { id: ledgerId, fromLedger: ledgerId !== undefined };
  const found = input.found[target.name];
  return { id: found, fromLedger: found !== undefined && found === ledgerId };
}

export function planAudienceChanges(input: PlanInput): AudiencePlan {
  const { config } = input;
  let skipped = 0;
  const targets = audienceTargets(config, input.snapshot).map((target): AudienceTargetPlan => {
    const { id, fromLedger } = knownAudienceId(input, target);
    const planned = fromLedger ? plannedUpdate(input, target) : plannedFirst(input, target, id);
    // Files the ledger applied went to the audience it names: if TikTok no longer has that one, they count for nothing.
    const ledgerId = input.ledger?.audienceIds[target.types[0]!];
    const gone = input.found !== undefined && ledgerId !== undefined && input.found[target.name] !== ledgerId;
    const steps = gone ? planned.steps : planned.steps.filter((s) => !s.files.every((f) => sameEffect(input.ledger?.applied[f.md5], s.action)));
    skipped += planned.steps.length - steps.length;
    return { ...planned, name: target.name, types: target.types, audienceId: id, fresh: !fromLedger, steps };
  });
  const files = new Set(targets.flatMap((t) => t.steps.flatMap((s) => s.files.map((f) => f.md5))));
  if (files.size > MAX_FILES_PER_RUN) {
    throw refusal(AUDIENCE_TOO_MANY_FILES, `this run would upload ${files.size} files, more than ${MAX_FILES_PER_RUN}: raise output.maxFileBytes (now ${config.output.maxFileBytes})`);
  }
  return { targets, skipped, outcome: targets.some((t) => t.steps.length > 0) || skipped > 0 ? 'apply' : 'unchanged' };
}

type Planned = Pick<AudienceTargetPlan, 'steps' | 'expectedSize' | 'added' | 'removed'>;

/** A target without a known audience: create it with the first type's first batch, then APPEND the rest (or adopt TikTok's and APPEND all). */
function plannedFirst(input: PlanInput, target: Target, adoptedId: string | undefined): Planned {
  const { config } = input;
  const size = countOf(input.snapshot.counts, target.types);
  if (size < config.audience.minimumSize && !(config.audience.allowSmallCreate && adoptedId === undefined)) {
    throw refusal(
      AUDIENCE_TOO_SMALL,
      `audience "${target.name}" would hold ${size} identifiers, fewer than audience.minimumSize (${config.audience.minimumSize}); no TikTok call was made` +
        (adoptedId === undefined ? ' (set audience.allowSmallCreate to create it anyway)' : ''),
    );
  }
  const files = filesOf(input.snapshot.files, target.types);
  if (config.audience.mode === 'replace') {
    // Checked on the create too: an audience a REPLACE could never update must not be made.
    const steps = replaceSteps(config, target, files);
    return { steps: adoptedId === undefined ? steps.map((s) => stepOf('CREATE', s.type, s.files)) : steps, expectedSize: size, added: size, removed: 0 };
  }
  const batches = batchesOf(files, 'APPEND', config.tiktok.filesPerRequest);
  if (adoptedId === undefined && batches.length > 0) batches[0] = stepOf('CREATE', batches[0]!.type, batches[0]!.files);
  return { steps: batches, expectedSize: size, added: size, removed: 0 };
}

/** A target whose audience the ledger knows: what changed since the ledger's snapshot, per mode. */
function plannedUpdate(input: PlanInput, target: Target): Planned {
  const { config, snapshot, ledger } = input;
  const previous = countOf(ledger?.counts ?? {}, target.types);
  const current = countOf(snapshot.counts, target.types);
  const files = filesOf(snapshot.files, target.types);
  switch (config.audience.mode) {
    case 'append': {
      const fresh = files.filter((f) => ledger?.applied[f.md5] === undefined);
      return { steps: batchesOf(fresh, 'APPEND', config.tiktok.filesPerRequest), expectedSize: Math.max(previous, current), added: fresh.length > 0 ? current : 0, removed: 0 };
    }
    case 'replace': {
      const unchanged = files.length > 0 && files.every((f) => ledger?.applied[f.md5] !== undefined) && previous === current;
      if (current < config.audience.minimumSize) {
        throw refusal(AUDIENCE_TOO_SMALL, `REPLACE would leave audience "${target.name}" with ${current} identifiers, fewer than audience.minimumSize (${config.audience.minimumSize}); no TikTok call was made`);
      }
      return unchanged ? { steps: [], expectedSize: current, added: 0, removed: 0 } : { steps: replaceSteps(config, target, files), expectedSize: current, added: current, removed: previous };
    }
    case 'delta': {
      const diff = input.diff;
      const added = countOf(mapCounts(diff, 'added'), target.types);
      const removed = countOf(mapCounts(diff, 'removed'), target.types);
      const size = previous - removed + added;
      if ((added > 0 || removed > 0) && size < config.audience.minimumSize) {
        throw refusal(
          AUDIENCE_TOO_SMALL,
          `audience "${target.name}" holds ${previous} identifiers; adding ${added} and removing ${removed} would leave ${size}, fewer than audience.minimumSize (${config.audience.minimumSize}), which TikTok refuses; no TikTok call was made`,
        );
      }
      // Additions first, so the audience never dips below its size on the way.
      const steps = [
        ...batchesOf(filesOf(diff?.additions ?? [], target.types), 'APPEND', config.tiktok.filesPerRequest),
        ...batchesOf(filesOf(diff?.removals ?? [], target.types), 'REMOVE', config.tiktok.filesPerRequest),
      ];
      return { steps, expectedSize: size, added, removed };
    }
  }
}

/** REPLACE overwrites the audience with one call's files, so one call must carry all of them, of one type. */
function replaceSteps(config: AudienceUploadConfig, target: Target, files: SnapshotFile[]): AudienceStep[] {
  const types = [...new Set(files.map((f) => f.type))];
  if (types.length > 1) {
    throw refusal(AUDIENCE_REPLACE_TOO_LARGE, `mode "replace" needs one identifier type per audience, and "${target.name}" has ${types.join(', ')}: set audience.layout to "per-type" or use mode "delta"`);
  }
  if (files.length > config.tiktok.filesPerRequest) {
    throw refusal(
      AUDIENCE_REPLACE_TOO_LARGE,
      `REPLACE must carry every file in one call, and "${target.name}" needs ${files.length} files, more than tiktok.filesPerRequest (${config.tiktok.filesPerRequest}): raise output.maxFileBytes or use mode "delta"`,
    );
  }
  return files.length === 0 ? [] : [stepOf('REPLACE', types[0]!, files)];
}

function batchesOf(files: SnapshotFile[], action: AudienceAction, perRequest: number): AudienceStep[] {
  return TIKTOK_IDENTIFIER_TYPES.flatMap((type) => {
    const ofType = files.filter((f) => f.type === type);
    const steps: AudienceStep[] = [];
    for (let i = 0; i < ofType.length; i += perRequest) steps.push(stepOf(action, type, ofType.slice(i, i + perRequest)));
    return steps;
  });
}

const stepOf = (action: AudienceAction, type: TiktokIdentifierType, files: SnapshotFile[]): AudienceStep => ({
  key: `${action}:${files.map((f) => f.md5).join(',')}`,
  action,
  type,
  files,
});

/** A file an earlier run sent with this effect (a CREATE adds its files as an APPEND does). */
function sameEffect(applied: AudienceAction | undefined, action: AudienceAction): boolean {
  const adds = (a: AudienceAction | undefined) => a === 'CREATE' || a === 'APPEND';
  return applied === action || (adds(applied) && adds(action));
}

const filesOf = (files: SnapshotFile[], types: TiktokIdentifierType[]) => files.filter((f) => types.includes(f.type));

const countOf = (counts: Partial<Record<TiktokIdentifierType, number>>, types: TiktokIdentifierType[]) => types.reduce((n, t) => n + (counts[t] ?? 0), 0);

function mapCounts(diff: SnapshotDiff | undefined, field: 'added' | 'removed'): Partial<Record<TiktokIdentifierType, number>> {
  return Object.fromEntries(Object.entries(diff?.counts ?? {}).map(([t, c]) => [t, c[field]]));
}

const refusal = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
