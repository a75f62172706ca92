import type { PrepRules } from '../../../schemas/preparation/prep';
import { DESTINATION_PROFILES } from '../../rules/profiles';
import { PrepInputError } from '../read/input-errors';

/*
 * What the main thread checks before any row is prepared, without loading the rules themselves (their
 * modules, libphonenumber's metadata and the address tables are ~20 MB of memory, needed by the worker
 * threads only).
 */

/** Every mapped or passed-through column is in the header. */
export function checkMappedColumns(header: string[], rules: Pick<PrepRules, 'columns' | 'passThrough'>): void {
  const missing = [...Object.keys(rules.columns), ...(rules.passThrough ?? [])].filter((name) => !header.includes(name));
  if (missing.length > 0) {
    const what = `mapped column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not in the input`;
    throw new PrepInputError(`${what}'s header (${header.length} columns; is its first line a header?)`);
  }
}

/** The rules fit the input: every mapped column is in its header and of a type the profile takes. */
export function checkRules(rules: PrepRules, header: string[]): void {
  const supported: readonly string[] = DESTINATION_PROFILES[rules.profile].types;
  const unsupported = Object.entries(rules.columns).filter(([, type]) => !supported.includes(type));
  if (unsupported.length > 0) {
    throw new PrepInputError(`profile ${rules.profile} takes ${supported.join(', ')}: not ${unsupported.map(([name, type]) => `${type} (column "${name}")`).join(', ')}`);
  }
  // Checked here, in this thread, before any object is written: in a worker thread the error would lose its class,
  // and an input without rows would never be checked at all. (RowPreparer checks the same in every thread.)
  checkMappedColumns(header, rules);
}

/** Where the columns the output keeps are in the input's rows: every one, or (keepUnmapped false) the mapped ones, in input order. */
export function keptColumns(rules: Pick<PrepRules, 'columns' | 'keepUnmapped' | 'passThrough'>, header: string[]): number[] {
  const mapped = (name: string) => name in rules.columns || (rules.passThrough ?? []).includes(name);
  return header.flatMap((name, i) => (rules.keepUnmapped === false && !mapped(name) ? [] : [i]));
}

/**
 * The columns the output is written with: the kept ones (`keptColumns`), as read or lowercased when the rules ask
 * (two columns that would then share a name are refused). A Parquet output's column names even when no header line is written.
 */
export function outputHeaderOf(rules: Pick<PrepRules, 'outputHeader' | 'columns' | 'keepUnmapped' | 'passThrough'>, header: string[]): string[] {
  const at = keptColumns(rules, header);
  const kept = at.map((i) => header[i]!);
  if (rules.outputHeader !== 'lowercase') return kept;
  const lower = kept.map((name) => name.toLowerCase());
  const clash = lower.findIndex((name, i) => lower.indexOf(name) !== i);
  if (clash >= 0) {
    const first = lower.indexOf(lower[clash]!);
    // Positions, not names: a headerless file's first row holds data.
    throw new PrepInputError(`columns ${at[first]! + 1} and ${at[clash]! + 1} of the input would have the same name in lowercase (outputHeader lowercase): rename one`);
  }
  return lower;
}
