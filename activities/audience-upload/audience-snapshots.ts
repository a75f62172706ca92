import { Context } from '@temporalio/activity';
import { failFastOnBadInput } from '../preparation/prepare-dataset';
import type { S3Client } from '@aws-sdk/client-s3';
import { buildSnapshot } from '../../pii/prep/hash-sets/build-snapshot';
import { diffSnapshots } from '../../pii/prep/hash-sets/diff-snapshots';
import type { HashFile } from '../../pii/prep/hash-sets/sorted-files';
import { audienceLedgerSchema, snapshotManifestSchema, type SnapshotManifest } from '../../pii/prep/hash-sets/snapshot-manifest';
import { readJson, readJsonIfAny, removeObjects, removeUnder, writeJson } from '../../pii/prep/hash-sets/stored-objects';
import { PrepInputError } from '../../pii/prep/read/input-errors';
import { openSource } from '../../pii/prep/read/record-sources';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { listInputObjects } from '../../pii/prep/run/plan-tasks';
import { parseLocation } from '../../storage/data-location';
import { TIKTOK_IDENTIFIER_TYPES, TIKTOK_TYPE_OF, type TiktokIdentifierType } from '../../schemas/audience-upload/audience-upload';
import type { DataFormat } from '../../schemas/preparation/prep';

/*
 * An audience's snapshots and ledger, in S3: per TikTok type the distinct hashes of one run, sorted, in TikTok-ready files
 * (so equal sets give equal MD5s, which double as idempotency keys), the delta between two runs, and the ledger of what
 * was applied. Temporal gets URIs, counts and MD5s only.
 */

export interface SnapshotFile {
  uri: string;
  bytes: number;
  md5: string;
  type: TiktokIdentifierType;
}

export interface SnapshotSummary {
  manifestUri: string;
  counts: Partial<Record<TiktokIdentifierType, number>>;
  files: SnapshotFile[];
}

export type ApplyAction = 'CREATE' | 'APPEND' | 'REMOVE' | 'REPLACE';

export interface AudienceLedger {
  version: 1;
  runKey: string;
  audienceIds: Partial<Record<TiktokIdentifierType, string>>;
  /** The last snapshot applied whole; '' when no run has completed (a run died after applying some files). */
  snapshotManifestUri: string;
  counts: Partial<Record<TiktokIdentifierType, number>>;
  applied: Record<string /* md5 */, ApplyAction>;
  /** Earlier snapshot manifests, newest first: which ones pruning keeps. */
  history?: string[];
}

export interface SnapshotDiff {
  additions: SnapshotFile[];
  removals: SnapshotFile[];
  counts: Record<TiktokIdentifierType, { added: number; removed: number; kept: number }>;
}

export interface AudienceSnapshotDeps {
  s3: S3Client;
}

const MANIFEST = 'manifest.json';
const asType = (set: string) => set as TiktokIdentifierType;
const filesOf = (type: TiktokIdentifierType, files: HashFile[]): SnapshotFile[] => files.map((f) => ({ uri: f.uri, bytes: f.bytes, md5: f.md5, type }));
/** The folder (prefix) an object is in. */
const folderOf = (uri: string) => uri.slice(0, uri.lastIndexOf('/') + 1);


const beat = () => Context.current().heartbeat();

export function createAudienceSnapshotActivities(deps: AudienceSnapshotDeps) {
  const { s3 } = deps;
  const readSnapshot = async (uri: string): Promise<SnapshotManifest> => snapshotManifestSchema.parse(await readJson(uri, s3));
  const readLedger = async (uri: string): Promise<AudienceLedger | undefined> => {
    const found = await readJsonIfAny(uri, s3);
    return found === undefined ? undefined : audienceLedgerSchema.parse(found);
  };

  return {
    /** The run's snapshot from its prepared per-type output: `<snapshotPrefix><type>/part-NNNNN.csv` and `manifest.json`. */
    async buildAudienceSnapshot(input: { preparedManifestUri: string; snapshotPrefix: string; maxFileBytes: number }): Promise<SnapshotSummary> {
      return failFastOnBadInput(async () => {
        const prepared = (await readJson(input.preparedManifestUri, s3)) as PrepManifest;
        const inputs: Record<string, { uris: string[]; bytes: number }> = {};
        for (const object of prepared.outputs) {
          if (!object.type) throw new PrepInputError(`${input.preparedManifestUri} lists ${object.uri} without an identifier type: prepare with outputLayout per-type`);
          const set = (inputs[TIKTOK_TYPE_OF[object.type as keyof typeof TIKTOK_TYPE_OF]] ??= { uris: [], bytes: 0 });
          set.uris.push(object.uri);
          set.bytes += object.bytes;
        }
        const types = await buildSnapshot({ inputs, prefix: input.snapshotPrefix, maxFileBytes: input.maxFileBytes, s3, onProgress: beat });
        const manifestUri = `${input.snapshotPrefix}${MANIFEST}`;
        await writeJson(manifestUri, { version: 1, prepared: input.preparedManifestUri, types } satisfies SnapshotManifest, s3);
        return {
          manifestUri,
          counts: Object.fromEntries(Object.entries(types).map(([set, { count }]) => [set, count])),
          files: Object.entries(types).flatMap(([set, { files }]) => filesOf(asType(set), files)),
        };
      });
    },

    /** Additions and removals from the previous snapshot to the current one, as capped files under `outPrefix`. */
    async diffAudienceSnapshots(input: { previousManifestUri: string; currentManifestUri: string; outPrefix: string; maxFileBytes: number }): Promise<SnapshotDiff> {
      const [previous, current] = await Promise.all([readSnapshot(input.previousManifestUri), readSnapshot(input.currentManifestUri)]);
      const sets = await diffSnapshots({ previous: previous.types, current: current.types, prefix: input.outPrefix, maxFileBytes: input.maxFileBytes, s3, onProgress: beat });
      const counts = Object.fromEntries(TIKTOK_IDENTIFIER_TYPES.map((type) => [type, { added: sets[type]?.added ?? 0, removed: sets[type]?.removed ?? 0, kept: sets[type]?.kept ?? 0 }]));
      return {
        additions: Object.entries(sets).flatMap(([set, diff]) => filesOf(asType(set), diff.additions)),
        removals: Object.entries(sets).flatMap(([set, diff]) => filesOf(asType(set), diff.removals)),
        counts: counts as SnapshotDiff['counts'],
      };
    },

    /**
     * The ledger, with what a run that died after applying some files recorded in `pending`: its audience ids and applied
     * files are merged in (so they are neither repeated nor lost). A pending run without a completed one before it leaves
     * `snapshotManifestUri` '' (nothing was applied whole).
     */
    async readAudienceLedger(input: { current: string; pending: string }): Promise<AudienceLedger | undefined> {
      const [current, pending] = await Promise.all([readLedger(input.current), readLedger(input.pending)]);
      if (!pending) return current;
      const base: AudienceLedger = current ?? { version: 1, runKey: pending.runKey, audienceIds: {}, snapshotManifestUri: '', counts: {}, applied: {} };
      return { ...base, audienceIds: { ...base.audienceIds, ...pending.audienceIds }, applied: { ...base.applied, ...pending.applied } };
    },

    /** Promotes a run's snapshot to `current`, drops `pending`, and removes the snapshots past the newest `keep`. */
    async writeAudienceLedger(input: { current: string; ledger: AudienceLedger; keep: number }): Promise<void> {
      const previous = await readLedger(input.current);
      const history = [...new Set([input.ledger.snapshotManifestUri, previous?.snapshotManifestUri ?? '', ...(previous?.history ?? [])])].filter((uri) => uri !== '');
      const kept = history.slice(0, input.keep);
      await writeJson(input.current, { ...input.ledger, history: kept } satisfies AudienceLedger, s3);
      const home = folderOf(input.current);
      await removeObjects([`${home}pending.json`], s3);
      // Only snapshots under the ledger's own folder are removed, whatever an edited ledger names.
      for (const manifest of history.slice(input.keep)) {
        if (manifest.startsWith(home) && manifest.endsWith(`/${MANIFEST}`)) await removeUnder(folderOf(manifest), s3);
        beat();
      }
    },

    /** What a run has applied so far, written before each TikTok change so a later run can finish what this one started. */
    async recordAudiencePending(input: { pending: string; ledger: AudienceLedger }): Promise<void> {
      await writeJson(input.pending, input.ledger, s3);
    },

    /** The source's header (column names only), how many data objects it has and their bytes: no values are read out. */
    async describeAudienceSource(input: { uri: string; format?: DataFormat }): Promise<{ header: string[]; objects: number; bytes: number }> {
      return failFastOnBadInput(async () => {
        const objects = await listInputObjects(input.uri, s3, input.format);
        const first = objects[0]!;
        const source = await openSource(parseLocation(first.uri), s3, { format: first.format });
        await source.close();
        return { header: source.header, objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
      });
    },
  };
}

export type AudienceSnapshotActivities = ReturnType<typeof createAudienceSnapshotActivities>;
