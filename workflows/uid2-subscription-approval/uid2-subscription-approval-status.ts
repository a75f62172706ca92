import { ApplicationFailure } from '@temporalio/workflow';
import { UID2_APPROVAL_CANCELLED, UID2_APPROVAL_DEADLINE_EXCEEDED } from '../../schemas/failures';
import { pollProgressAt } from '../../schemas/poll-schedule';
import type { Uid2SubscriptionApprovalStage, Uid2SubscriptionApprovalState, Uid2SubscriptionApprovalStatus } from '../../schemas/uid2-subscription-approval';


const NEXT_ACTION: Record<Uid2SubscriptionApprovalStage, string> = {
  'finding-provider': 'Looking up the UID2 provider service in Entity Resolution (ListProviderServices).',
  'waiting-for-approval':
    "Waiting for the UID2 team to approve the AWS Data Exchange subscription. Send the 'approve' update if it was approved out of band, or 'checkNow' to check at once.",
  'resolving-asset': 'Reading the UID2 API asset from Data Exchange (GetAsset).',
  completed: 'Attach the returned IAM policy to the Entity Resolution workflow role, then run uid2Matching.',
  'deadline-exceeded': 'Ask your UID2 contact to match your AWS account id with the subscription request, then start a new run.',
  cancelled: 'Nothing: the wait was cancelled.',
  failed: 'Read the failure in the Temporal UI, fix its cause (permissions, region, config), then start a new run.',
};

/** Checks so far, last and next check as of `atMs`: exact counts from finished rounds plus the running round's schedule. */
export function uid2SubscriptionApprovalStatus(state: Uid2SubscriptionApprovalState, atMs: number): Uid2SubscriptionApprovalStatus {
  const live = state.polling ? pollProgressAt(state.polling, Math.max(atMs, Date.parse(state.polling.since))) : undefined;
  const nextCheckAt = live && Date.parse(live.nextCheckAt) < Date.parse(state.deadlineAt) ? live.nextCheckAt : undefined;
  return {
    stage: state.stage,
    startedAt: state.startedAt,
    deadlineAt: state.deadlineAt,
    checks: state.checksBefore + (live?.checks ?? 0),
    lastCheckAt: live?.lastCheckAt ?? state.lastCheckAt,
    nextCheckAt,
    asOf: new Date(atMs).toISOString(),
    providerServiceArn: state.provider?.providerServiceArn,
    dataSetId: state.provider?.marketplace.dataSetId,
    runs: state.runs,
    nextAction: NEXT_ACTION[state.stage],
  };
}

export function deadlineExceeded(state: Uid2SubscriptionApprovalState, account: string | undefined): ApplicationFailure {
  const days = Math.round((Date.parse(state.deadlineAt) - Date.parse(state.startedAt)) / 86_400_000);
  return ApplicationFailure.nonRetryable(
    `The UID2 subscription (Data Exchange data set ${state.provider?.marketplace.dataSetId ?? 'unknown'}) was not approved by ${state.deadlineAt}, ` +
      `${days} days after the wait began (${state.checksBefore} entitlement checks). The UID2 team approves a request after matching it with the ` +
      `AWS account id you sent your UID2 contact: ask them to match account ${account ?? '(your account)'} with the request, subscribe again on ` +
      "AWS Data Exchange if the request expired, then start a new run — or send the 'approve' update if it was approved out of band.",
    UID2_APPROVAL_DEADLINE_EXCEEDED,
  );
}

export function cancelledByOperator(by: string, reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`The UID2 approval wait was cancelled by operator ${by}: ${reason || 'no reason given'}`, UID2_APPROVAL_CANCELLED);
}
