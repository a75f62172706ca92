/** What a rule makes of one value: a normalised value to hash, an already hashed value, or a rejection with its reason. */
export type RuleOutcome = { kind: 'normalized'; value: string } | { kind: 'prehashed'; value: string } | { kind: 'rejected'; reason: string };

export const normalized = (value: string): RuleOutcome => ({ kind: 'normalized', value });
export const prehashed = (value: string): RuleOutcome => ({ kind: 'prehashed', value });
export const rejected = (reason: string): RuleOutcome => ({ kind: 'rejected', reason });
