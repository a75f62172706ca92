import type { Uid2SubscriptionApprovalStatus } from '../schemas/uid2-subscription-approval';

/** One progress line for `--wait`: stage, checks made, last and next check, deadline. */
export function renderUid2SubscriptionApprovalStatus(s: Uid2SubscriptionApprovalStatus): string {
  const parts = [`[${s.stage}]`, `checks ${s.checks}`];
  if (s.lastCheckAt) parts.push(`last ${s.lastCheckAt}`);
  if (s.nextCheckAt) parts.push(`next ${s.nextCheckAt}`);
  parts.push(`deadline ${s.deadlineAt}`);
  if (s.runs > 1) parts.push(`run ${s.runs}`);
  return parts.join('  ');
}
