import { ApplicationFailure, defineQuery, defineSignal, defineUpdate, log, setHandler } from '@temporalio/workflow';
import {
  operatorActionSchema,
  type OperatorAction,
  type OperatorDecision,
  type Uid2SubscriptionApprovalStage,
  type Uid2SubscriptionApprovalStatus,
} from '../schemas/uid2-subscription-approval';
import { INVALID_OPERATOR_ACTION } from '../schemas/failures';
import { formatIssues } from '../schemas/format-issues';

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
    const parsed = operatorActionSchema.safeParse(action);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid operator action: ${actionIssues(parsed.error)}`, INVALID_OPERATOR_ACTION);
    const earlier = operator.approval ? 'approved' : operator.cancel ? 'cancelled' : undefined;
    if (earlier) throw ApplicationFailure.nonRetryable(`The wait was already ${earlier} by ${(operator.approval ?? operator.cancel)!.by}`, INVALID_OPERATOR_ACTION);
    if (state.stage !== 'finding-provider' && state.stage !== 'waiting-for-approval') {
      throw ApplicationFailure.nonRetryable(`The wait is over (stage ${state.stage}): there is nothing to decide`, INVALID_OPERATOR_ACTION);
    }
  };

  setHandler(approveUpdate, (action) => decide('approved', operatorActionSchema.parse(action)), { validator });
  setHandler(cancelUpdate, (action) => decide('cancelled', operatorActionSchema.parse(action)), { validator });
  setHandler(approvedSignal, (action) => whenValid('approved', action, (a) => decide('approved', a)));
  setHandler(cancelSignal, (action) => whenValid('cancel', action, (a) => decide('cancelled', a)));
  setHandler(checkNowSignal, () => {
    operator.checkNow = true;
  });
  return operator;
}

/** Each bad field and why, without its value (an operator id field may hold an email by mistake). */
const actionIssues = (error: Parameters<typeof formatIssues>[0]) => formatIssues(error, { root: 'payload', layout: 'inline' });

function whenValid(signal: string, action: unknown, fn: (action: OperatorAction) => void): void {
  const parsed = operatorActionSchema.safeParse(action);
  if (parsed.success) fn(parsed.data);
  else log.warn(`Ignored the '${signal}' signal: ${actionIssues(parsed.error)}`);
}
