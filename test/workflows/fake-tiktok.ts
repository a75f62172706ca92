import { createHash } from 'node:crypto';
import { fakePrepSummary } from './fake-prepare';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import {
  PROTECTED_QUERY_CANCELLED,
  PROTECTED_QUERY_FAILED,
  PROTECTED_QUERY_RUNNING,
  TIKTOK_AUDIENCE_PROCESSING,
  TiktokFailureType,
} from '../../schemas/failures';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';
import type { Activities } from '../../activities';
import type { AudienceSnapshotActivities, AudienceLedger, SnapshotFile } from '../../activities/audience-upload/audience-snapshots';
import type { TiktokApiActivities } from '../../activities/tiktok-api';
import { TIKTOK_IDENTIFIER_TYPES, type TiktokIdentifierType } from '../../schemas/audience-upload/audience-upload';

/** The activities audienceUpload calls, with the signatures the workflow proxies: a fake that drifts fails to compile. */
type AudienceActivities = Pick<
  Activities,
  keyof AudienceSnapshotActivities | keyof TiktokApiActivities | 'startProtectedQuery' | 'checkProtectedQuery' | 'cancelProtectedQuery' | 'checkQueryMembership'
>;

/** The activity the test's stand-in child prepareIdentityData calls. */
export interface FakePrepareActivities {
  fakePrepare(input: PrepareIdentityDataInput): Promise<PrepSummary>;
}

type HashSets = Partial<Record<TiktokIdentifierType, string[]>>;

interface Audience {
  id: string;
  name: string;
  calculateType: TiktokIdentifierType;
  members: Set<string>;
  readyAt: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const md5 = (bytes: string) => createHash('md5').update(bytes).digest('hex');

/**
 * The work bucket, the snapshot engine, Clean Rooms and TikTok as audienceUpload sees them through its
 * activities, on the time-skipping server's clock. The input is identifiers per TikTok type; snapshot
 * files are their sorted SHA-256 hashes, `hashesPerFile` to a file, so MD5s repeat when the input does.
 */
export class FakeTiktok {
  /** TikTok calls by operation. */
  calls = { find: 0, upload: 0, create: 0, update: 0, check: 0 };
  /** audience id → file MD5 → times applied (create or update). */
  appliedFiles: Record<string, Record<string, number>> = {};
  audiences = new Map<string, Audience>();
  hashesPerFile = 1000;
  /** Each file's upload is refused with code 40100 this many times first. */
  throttlesPerFile = 0;
  /** The next create reaches TikTok but its answer is lost. */
  loseNextCreateResponse = false;
  processingMs = 2 * 3_600_000;
  /** The update call of this number (1-based) fails for good without reaching TikTok: the run dies mid-way. */
  failUpdateNumber = 0;
  header = ['age', 'e-mail', 'phone_number', 'mobile_advertiser_id'];
  query: { durationMs: number; outcome: 'SUCCESS' | 'FAILED' | 'CANCELLED' } = { durationMs: 600_000, outcome: 'SUCCESS' };
  queries: { id: string; keyPrefix: string; startedAt: number; cancelled: boolean }[] = [];
  private input: HashSets = {};
  private throttled = new Map<string, number>();
  private files = new Map<string, { md5: string; hashes: string[] }>();
  private manifests = new Map<string, { counts: Partial<Record<TiktokIdentifierType, number>>; hashes: HashSets }>();
  private objects = new Map<string, { hashes: string[]; type: TiktokIdentifierType }>();
  private ledgers = new Map<string, AudienceLedger>();
  private nextId = 7_000_000_000_000_000_000n;

  constructor(private readonly now: () => Promise<number>) {}

  /** The source's identifiers in clear (kept in this process; only hashes and counts leave it). */
  setInput(values: Partial<Record<TiktokIdentifierType, string[]>>): void {
    this.input = Object.fromEntries(Object.entries(values).map(([t, v]) => [t, [...new Set(v.map(sha256))]]));
  }

  membersOf(audienceId: string): HashSets {
    const members = [...(this.audiences.get(audienceId)?.members ?? [])];
    const sets: HashSets = {};
    for (const t of TIKTOK_IDENTIFIER_TYPES) {
      const ofType = members.filter((m) => m.startsWith(`${t}:`)).map((m) => m.slice(t.length + 1));
      if (ofType.length > 0) sets[t] = ofType.sort();
    }
    return sets;
  }

  expectedMembers(values: Partial<Record<TiktokIdentifierType, string[]>>): HashSets {
    return Object.fromEntries(Object.entries(values).map(([t, v]) => [t, [...new Set(v.map(sha256))].sort()]));
  }

  addAudience(name: string): string {
    const id = String(this.nextId++);
    this.audiences.set(id, { id, name, calculateType: 'EMAIL_SHA256', members: new Set(), readyAt: 0 });
    return id;
  }

  activities(): AudienceActivities & FakePrepareActivities {
    return {
      fakePrepare: async ({ output }) => {
        const rows = Math.max(0, ...Object.values(this.input).map((v) => v.length));
        this.manifests.set(`${output}manifest.json`, { counts: {}, hashes: structuredClone(this.input) });
        return fakePrepSummary(output, rows);
      },
      describeAudienceSource: async () => ({ header: this.header, objects: 1, bytes: 1000 }),
      buildAudienceSnapshot: async ({ preparedManifestUri, snapshotPrefix }) => {
        const hashes = this.manifests.get(preparedManifestUri)!.hashes;
        const sorted: HashSets = Object.fromEntries(Object.entries(hashes).map(([t, v]) => [t, [...v].sort()]));
        const counts = Object.fromEntries(Object.entries(sorted).map(([t, v]) => [t, v.length]));
        const manifestUri = `${snapshotPrefix}manifest.json`;
        this.manifests.set(manifestUri, { counts, hashes: sorted });
        return { manifestUri, counts, files: this.writeFiles(sorted, snapshotPrefix) };
      },
      diffAudienceSnapshots: async ({ previousManifestUri, currentManifestUri, outPrefix }) => {
        const before = this.manifests.get(previousManifestUri)!.hashes;
        const after = this.manifests.get(currentManifestUri)!.hashes;
        const additions: HashSets = {};
        const removals: HashSets = {};
        const counts = {} as Record<TiktokIdentifierType, { added: number; removed: number; kept: number }>;
        for (const t of TIKTOK_IDENTIFIER_TYPES) {
          const b = new Set(before[t] ?? []);
          const a = new Set(after[t] ?? []);
          additions[t] = [...a].filter((h) => !b.has(h)).sort();
          removals[t] = [...b].filter((h) => !a.has(h)).sort();
          counts[t] = { added: additions[t].length, removed: removals[t].length, kept: [...a].filter((h) => b.has(h)).length };
        }
        return { additions: this.writeFiles(additions, `${outPrefix}additions/`), removals: this.writeFiles(removals, `${outPrefix}removals/`), counts };
      },
      readAudienceLedger: async ({ current, pending }) => {
        const ledger = this.ledgers.get(current);
        const left = this.ledgers.get(pending);
        if (!left || left.runKey === ledger?.runKey) return ledger && structuredClone(ledger);
        return { ...(ledger ?? left), audienceIds: { ...ledger?.audienceIds, ...left.audienceIds }, applied: { ...ledger?.applied, ...left.applied } };
      },
      writeAudienceLedger: async ({ current, ledger }) => {
        this.ledgers.set(current, structuredClone(ledger));
        this.ledgers.set(current.replace(/current\.json$/, 'pending.json'), structuredClone(ledger));
      },
      recordAudiencePending: async ({ pending, ledger }) => {
        this.ledgers.set(pending, structuredClone(ledger));
      },
      checkQueryMembership: async ({ membershipId }) => ({ membershipArn: `arn:aws:cleanrooms:us-east-1:111122223333:membership/${membershipId}`, canQuery: true, canReceiveResults: true }),
      startProtectedQuery: async ({ keyPrefix }) => {
        const known = this.queries.find((q) => q.keyPrefix === keyPrefix);
        if (known) return { queryId: known.id, adopted: true };
        const id = `q-${this.queries.length + 1}`;
        this.queries.push({ id, keyPrefix, startedAt: await this.now(), cancelled: false });
        return { queryId: id, adopted: false };
      },
      checkProtectedQuery: async ({ queryId }) => {
        const q = this.queries.find((x) => x.id === queryId)!;
        if ((await this.now()) < q.startedAt + this.query.durationMs) {
          throw ApplicationFailure.create({ type: PROTECTED_QUERY_RUNNING, message: `protected query ${queryId} is STARTED`, category: ApplicationFailureCategory.BENIGN });
        }
        if (this.query.outcome === 'FAILED') throw ApplicationFailure.nonRetryable(`protected query ${queryId} FAILED: InsufficientCapacity`, PROTECTED_QUERY_FAILED);
        if (this.query.outcome === 'CANCELLED') throw ApplicationFailure.nonRetryable(`protected query ${queryId} was CANCELLED`, PROTECTED_QUERY_CANCELLED);
        return { resultUri: `s3://query-results/${q.keyPrefix}${queryId}/result/`, totalDurationMs: this.query.durationMs };
      },
      cancelProtectedQuery: async ({ queryId }) => {
        this.queries.find((x) => x.id === queryId)!.cancelled = true;
      },
      checkTiktokCredentials: async () => ({ keys: ['ACCESS_TOKEN', 'ADVERTISER_ID'] }),
      findAudience: async ({ name, id }) => {
        this.calls.find += 1;
        const matches = [...this.audiences.values()].filter((a) => (id ? a.id === id : a.name === name));
        if (matches.length === 0) return { found: 'none' };
        if (matches.length === 1) return { found: 'one', audienceId: matches[0]!.id, calculateType: matches[0]!.calculateType };
        return { found: 'many', audienceIds: matches.map((a) => a.id) };
      },
      uploadAudienceFile: async ({ uri, md5: expected }) => {
        this.calls.upload += 1;
        const seen = this.throttled.get(expected) ?? 0;
        if (seen < this.throttlesPerFile) {
          this.throttled.set(expected, seen + 1);
          throw ApplicationFailure.create({ type: TiktokFailureType.throttled, message: 'code 40100: too many requests', category: ApplicationFailureCategory.BENIGN });
        }
        const object = this.objects.get(uri)!;
        const filePath = `tiktok-files/${expected}-${this.calls.upload}`;
        this.files.set(filePath, { md5: expected, hashes: object.hashes.map((h) => `${object.type}:${h}`) });
        return { filePath };
      },
      createAudience: async ({ name, calculateType, filePaths }) => {
        // As the real activity: find by name first on every attempt, so a create whose answer was lost is adopted.
        const existing = [...this.audiences.values()].find((a) => a.name === name);
        if (existing) return { audienceId: existing.id, adopted: true };
        this.calls.create += 1;
        const id = this.addAudience(name);
        const audience = this.audiences.get(id)!;
        audience.calculateType = calculateType as TiktokIdentifierType;
        this.apply(audience, 'APPEND', filePaths, await this.now());
        if (this.loseNextCreateResponse) {
          this.loseNextCreateResponse = false;
          throw ApplicationFailure.retryable('the connection was reset before the answer arrived', TiktokFailureType.unavailable);
        }
        return { audienceId: id, adopted: false };
      },
      updateAudience: async ({ audienceId, action, filePaths }) => {
        this.calls.update += 1;
        if (this.calls.update === this.failUpdateNumber) throw ApplicationFailure.nonRetryable('the worker lost its network for good', 'FakeOutage');
        this.apply(this.audiences.get(audienceId)!, action, filePaths, await this.now());
      },
      checkAudienceProcessed: async ({ audienceId }) => {
        this.calls.check += 1;
        const audience = this.audiences.get(audienceId)!;
        if ((await this.now()) < audience.readyAt) {
          throw ApplicationFailure.create({ type: TIKTOK_AUDIENCE_PROCESSING, message: `audience ${audienceId} is processing`, category: ApplicationFailureCategory.BENIGN });
        }
        return { audienceId, isValid: true, size: audience.members.size, calculateType: audience.calculateType };
      },
    };
  }

  private apply(audience: Audience, action: 'APPEND' | 'REMOVE' | 'REPLACE', filePaths: string[], now: number): void {
    if (action === 'REPLACE') audience.members.clear();
    for (const path of filePaths) {
      const file = this.files.get(path)!;
      const applied = (this.appliedFiles[audience.id] ??= {});
      applied[file.md5] = (applied[file.md5] ?? 0) + 1;
      for (const member of file.hashes) {
        if (action === 'REMOVE') audience.members.delete(member);
        else audience.members.add(member);
      }
    }
    audience.readyAt = now + this.processingMs;
  }

  private writeFiles(sets: HashSets, prefix: string): SnapshotFile[] {
    return TIKTOK_IDENTIFIER_TYPES.flatMap((type) => {
      const hashes = sets[type] ?? [];
      const files: SnapshotFile[] = [];
      for (let i = 0; i < hashes.length; i += this.hashesPerFile) {
        const part = hashes.slice(i, i + this.hashesPerFile);
        const bytes = part.map((h) => `${h}\n`).join('');
        const uri = `${prefix}${type.toLowerCase()}/part-${files.length}.csv`;
        this.objects.set(uri, { hashes: part, type });
        files.push({ uri, bytes: bytes.length, md5: md5(bytes), type });
      }
      return files;
    });
  }
}
