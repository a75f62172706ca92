import type { DataFormat, IdentifierType, OutputFormat, PrepRules } from '../../../schemas/preparation/prep';
import type { WrittenObject } from '../../../storage/data-location';
import { addCounts, emptyCounts, type PrepCounts } from './prep-counts';

export interface PreparedInput {
  uri: string;
  format: DataFormat;
  /** The byte range prepared, when an object was split across activities. */
  range?: { start: number; end: number };
}

/** An output object, with the identifier type it holds when the layout is per-type. */
export type PreparedObject = WrittenObject & { type?: IdentifierType };

/** What a preparation read and wrote: counts, objects and their SHA-256 and MD5. Holds no values. */
export interface PrepManifest {
  profile: PrepRules['profile'];
  columns: PrepRules['columns'];
  outputFormat: OutputFormat;
  inputs: PreparedInput[];
  outputs: PreparedObject[];
  rejects: WrittenObject[];
  counts: PrepCounts;
  /** A published run's own sub-prefix of the output, and where in it its parts and its rejects are. */
  location?: { run: string; data: string; rejects: string };
}

/** One manifest for the whole dataset, from the manifests of its parts, in order. */
export function combineManifests(parts: PrepManifest[]): PrepManifest {
  const first = parts[0];
  if (!first) throw new Error('no manifests to combine');
  const counts = parts.reduce((total, part) => addCounts(total, part.counts), emptyCounts(first.columns));
  return {
    profile: first.profile,
    columns: first.columns,
    outputFormat: first.outputFormat,
    inputs: parts.flatMap((p) => p.inputs),
    outputs: parts.flatMap((p) => p.outputs),
    rejects: parts.flatMap((p) => p.rejects),
    counts,
  };
}
