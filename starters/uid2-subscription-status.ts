import type { Uid2ApprovalStatus } from '../schemas/uid2-subscription';

/** One progress line for `--wait`: stage, checks made, last and next check, deadline. */
export function renderApprovalStatus(s: Uid2ApprovalStatus): string {
  const parts = [`[${s.stage}]`, `checks ${s.checks}`];
  if (s.lastCheckAt) parts.push(`last ${s.lastCheckAt}`);
  if (s.nextCheckAt) parts.push(`next ${s.nextCheckAt}`);
  parts.push(`deadline ${s.deadlineAt}`);
  if (s.runs > 1) parts.push(`run ${s.runs}`);
  return parts.join('  ');
}
