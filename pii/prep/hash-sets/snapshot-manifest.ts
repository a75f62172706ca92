import { z } from 'zod';

/*
 * What a snapshot and an audience's ledger hold, as written to S3 (never to Temporal: `first`/`last` bound each file's
 * hashes). Read back through these schemas, so a damaged or foreign object fails naming the field, not later.
 */

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

export const hashFileSchema = z.object({ uri: z.string(), bytes: z.number().int().min(0), md5: hex(32), sha256: hex(64), count: z.number().int().min(0), first: hex(64), last: hex(64) });

export const snapshotManifestSchema = z.object({
  version: z.literal(1),
  /** The prepared manifest the snapshot was built from. */
  prepared: z.string(),
  /** Per TikTok identifier type: distinct hashes, and the sorted files holding them. */
  types: z.record(z.string(), z.object({ count: z.number().int().min(0), files: z.array(hashFileSchema) })),
});
export type SnapshotManifest = z.output<typeof snapshotManifestSchema>;

const APPLY_ACTIONS = ['CREATE', 'APPEND', 'REMOVE', 'REPLACE'] as const;

export const audienceLedgerSchema = z.object({
  version: z.literal(1),
  /** The run (its first execution's run id) that applied the snapshot. */
  runKey: z.string().min(1),
  audienceIds: z.record(z.string(), z.string()),
  snapshotManifestUri: z.string(),
  counts: z.record(z.string(), z.number().int().min(0)),
  /** File MD5 → how it was applied: a file the ledger holds is never applied again. */
  applied: z.record(hex(32), z.enum(APPLY_ACTIONS)),
  /** Snapshot manifests of earlier runs, newest first (the pruning's memory). */
  history: z.array(z.string()).optional(),
});
