/**
 * How every run and every job within it ends, in every workflow's `status` query: one vocabulary.
 * A workflow may add terminal stages that name a specific failure (`deadline-exceeded`).
 */
export const TERMINAL_STAGES = ['completed', 'failed', 'cancelled'] as const;
export type TerminalStage = (typeof TERMINAL_STAGES)[number];
