import { AMC_PREPARED_TYPES } from './amc-columns';
import type { AmcIdMappingConfig } from './amc-id-mapping';
import type { IdentifierType, PrepRulesInput } from '../preparation/prep';

/**
 * The preparation rules of an AMC identity table: the `amc` profile normalises (and hashes) the columns it has
 * rules for; MAID, LRP, EXP and MKL are copied as read, and a row holding one of them is kept even without an
 * email or a phone. Headers are written lowercase (the Glue columns must equal them).
 */
export function amcPrepRules(config: AmcIdMappingConfig): PrepRulesInput {
  const prepared: Record<string, IdentifierType> = {};
  const passThrough: string[] = [];
  for (const [column, type] of Object.entries(config.columns)) {
    const rule = AMC_PREPARED_TYPES[type];
    if (rule) prepared[column] = rule;
    else passThrough.push(column);
  }
  return {
    profile: 'amc',
    columns: prepared,
    ...(passThrough.length > 0 ? { passThrough } : {}),
    hash: config.prepare.hash,
    defaultRegion: config.prepare.defaultRegion,
    country: config.prepare.country,
    keepRowWhen: config.prepare.keepRowWhen,
    outputHeader: 'lowercase',
  };
}
