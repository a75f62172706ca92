import type { PrepRules } from '../../schemas/prep';
import { checkMappedColumns, PrepInputError, PROFILE_TYPES } from './input-errors';

/** The rules fit the input: every mapped column is in its header and of a type the profile takes. */
export function checkRules(rules: PrepRules, header: string[]): void {
  const supported = PROFILE_TYPES[rules.profile];
  const unsupported = Object.entries(rules.columns).filter(([, type]) => !supported.includes(type));
  if (unsupported.length > 0) {
    throw new PrepInputError(`profile ${rules.profile} takes ${supported.join(', ')}: not ${unsupported.map(([name, type]) => `${type} (column "${name}")`).join(', ')}`);
  }
  // Checked here, in this thread, before any object is written: in a worker thread the error would lose its class,
  // and an input without rows would never be checked at all. (RowPreparer checks the same in every thread.)
  checkMappedColumns(header, rules);
}
