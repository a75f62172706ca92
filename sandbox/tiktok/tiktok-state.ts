import type { SandboxState } from '../state';

/** The calculate_type values the stand-in accepts (the four SHA-256 types the AWS solution uploads). */
export const CALCULATE_TYPES = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'GAID_SHA256'] as const;

export interface TiktokLimits {
  /** "The APPEND, REMOVE and REPLACE operations will fail if the audience size is less than 1,000 after the operation." */
  minimumSize: number;
  /** How long an audience stays `is_valid: false` after a create or an update. */
  processingMs: number;
  /** Refuse files whose calculate_type differs from the audience's (TikTok's SDK documents the rule; the AWS solution ignores it). */
  strictCalculateType: boolean;
}

/** An uploaded customer file; its lines are kept so a create or update can apply them. */
export interface TiktokFile {
  md5: string;
  calculateType: string;
  advertiserId: string;
  bytes: number;
  hashes: string[];
}

export interface TiktokAudience {
  id: string;
  name: string;
  advertiserId: string;
  calculateType: string;
  /** Members per calculate_type (sets kept as sorted arrays). */
  members: Record<string, string[]>;
  history: { action: string; filePaths: string[]; at: number }[];
  createdAt: number;
  readyAt: number;
  retentionDays?: number;
}

/** An answer the admin API told the stand-in to give instead of serving `operation` (its next `remaining` calls). */
export interface TiktokRefusal {
  operation: string;
  code: number;
  message: string;
  /** Answer with this HTTP status (and no envelope) instead of code-in-a-200. */
  httpStatus?: number;
  remaining: number;
}

export interface TiktokSandboxState {
  credentials?: { accessToken: string; advertiserId: string; revoked: boolean };
  files: Record<string, TiktokFile>;
  audiences: Record<string, TiktokAudience>;
  /** Per audience, per file MD5: how many times a create or update applied it. */
  appliedFiles: Record<string, Record<string, number>>;
  nextId: number;
  limits: TiktokLimits;
  refusals: TiktokRefusal[];
}

const initialTiktokState = (): TiktokSandboxState => ({
  files: {},
  audiences: {},
  appliedFiles: {},
  nextId: 1,
  limits: { minimumSize: 1000, processingMs: 2000, strictCalculateType: false },
  refusals: [],
});

/** The stand-in's state inside the sandbox's, created on first use (so state files from before it load as they are). */
export function tiktokStateOf(state: SandboxState): TiktokSandboxState {
  state.tiktok = { ...initialTiktokState(), ...state.tiktok };
  return state.tiktok;
}

export function audienceSize(audience: TiktokAudience): number {
  return Object.values(audience.members).reduce((n, members) => n + members.length, 0);
}
