import { ApplicationFailure, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { operatorActionSchema, type OperatorAction } from '../../schemas/operator-action';
import type { OperatorDecision, Uid2SubscriptionApprovalStage, Uid2SubscriptionApprovalStatus } from '../../schemas/uid2-subscription-approval';
import { INVALID_OPERATOR_ACTION } from '../../schemas/failures';
import { parsedOrIgnored, parsedOrRefused } from '../support/message-payloads';

/** `asOf` (ISO time, optional): the instant to report checks for; the caller's clock, since a query cannot read the current time. */
export const uid2SubscriptionApprovalStatusQuery = defineQuery<Uid2SubscriptionApprovalStatus, [asOf?: string]>('status');
/** An operator's decision, refused to the caller when its payload is invalid or the wait is already decided or over. */
export const approveUpdate = defineUpdate<OperatorDecision, [OperatorAction]>('approve');
export const cancelUpdate = defineUpdate<OperatorDecision, [OperatorAction]>('cancel');
/** The same decisions as signals, for older clients: an invalid payload is logged and ignored. */
export const approvedSignal = defineSignal<[OperatorAction]>('approved');
export const cancelSignal = defineSignal<[OperatorAction]>('cancel');
/** Ends the current backoff and checks the entitlement at once. */
export const checkNowSignal = defineSignal('checkNow');

/** What operators asked of the wait: the first decision stands. */
export interface OperatorMessages {
  approval?: OperatorAction;
  cancel?: OperatorAction;
  checkNow: boolean;
}

/** Registers the handlers of the operator's messages (call before the first await); `state.stage` tells whether the wait is still open. */
export function handleOperatorMessages(state: { stage: Uid2SubscriptionApprovalStage }): OperatorMessages {
  const operator: OperatorMessages = { checkNow: false };
  const decide = (decision: OperatorDecision['decision'], action: OperatorAction): OperatorDecision => {
    if (decision === 'approved') operator.approval ??= action;
    else operator.cancel ??= action;
    return { decision, by: action.by, reason: action.reason, stage: state.stage };
  };
  /** An update is refused, leaving no trace in the history, unless its payload is valid and the wait still open and undecided. */
  const validator = (action: OperatorAction) => {
    parsedOrRefused(operatorActionSchema, action, 'operator action');
    const earlier = operator.approval ? 'approved' : operator.cancel ? 'cancelled' : undefined;
    if (earlier) throw ApplicationFailure.nonRetryable(`The wait was already ${earlier} by ${(operator.approval ?? operator.cancel)!.by}`, INVALID_OPERATOR_ACTION);
    if (state.stage !== 'finding-provider' && state.stage !== 'waiting-for-approval') {
      throw ApplicationFailure.nonRetryable(`The wait is over (stage ${state.stage}): there is nothing to decide`, INVALID_OPERATOR_ACTION);
    }
  };

  setHandler(approveUpdate, (action) => decide('approved', operatorActionSchema.parse(action)), { validator });
  setHandler(cancelUpdate, (action) => decide('cancelled', operatorActionSchema.parse(action)), { validator });
  setHandler(approvedSignal, (action) => {
    const valid = parsedOrIgnored(operatorActionSchema, action, 'approved');
    if (valid) decide('approved', valid);
  });
  setHandler(cancelSignal, (action) => {
    const valid = parsedOrIgnored(operatorActionSchema, action, 'cancel');
    if (valid) decide('cancelled', valid);
  });
  setHandler(checkNowSignal, () => {
    operator.checkNow = true;
  });
  return operator;
}
