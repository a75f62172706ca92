import { PREP_INPUT_ERROR } from '../../schemas/failures';
import type { IdentifierType, PrepProfile, PrepRules } from '../../schemas/prep';

/*
 * What the main thread checks before any row is prepared, without loading the rules themselves (their
 * modules, libphonenumber's metadata and the address tables are ~20 MB of memory, needed by the worker
 * threads only).
 */

/**
 * Input the data's owner must fix. Its message names objects, columns, counts and byte offsets, never a
 * value: it is shown on terminals and sent to Temporal, and a file without a header line has a data row
 * where its column names should be.
 */
export class PrepInputError extends Error {
  override name = PREP_INPUT_ERROR;
}

/** Every mapped column is in the header. */
export function checkMappedColumns(header: string[], rules: Pick<PrepRules, 'columns'>): void {
  const missing = Object.keys(rules.columns).filter((name) => !header.includes(name));
  if (missing.length > 0) {
    const what = `mapped column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not in the input`;
    throw new PrepInputError(`${what}'s header (${header.length} columns; is its first line a header?)`);
  }
}

/** The identifier types each profile takes, in the order its rules list them (profile-rules' `supportedTypes`, pinned by a test). */
export const PROFILE_TYPES: Readonly<Record<PrepProfile, readonly IdentifierType[]>> = {
  uid2: ['EMAIL', 'PHONE'],
  tiktok: ['EMAIL', 'PHONE', 'IDFA', 'GAID'],
  amc: ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY'],
  er: ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY'],
};
