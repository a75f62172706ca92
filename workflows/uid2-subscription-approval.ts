import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  TimeoutFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ZodError } from 'zod';
import type { Activities } from '../activities';
import type { EntitlementCheck } from '../activities/uid2-subscription';
import { durationToMs } from '../schemas/duration';
import { pollProgressAt } from '../schemas/poll-schedule';
import { PIPELINES } from '../schemas/search-attributes';
import {
  operatorActionSchema,
  sendApiAssetPolicy,
  uid2SubscriptionApprovalInputSchema,
  type OperatorAction,
  type OperatorDecision,
  type Uid2SubscriptionApprovalState,
  type Uid2SubscriptionApprovalStatus,
  type Uid2SubscriptionApprovalArgs,
  type Uid2SubscriptionApprovalResult,
} from '../schemas/uid2-subscription-approval';
import {
  INVALID_OPERATOR_ACTION,
  UID2_APPROVAL_CANCELLED,
  UID2_APPROVAL_DEADLINE_EXCEEDED,
  uid2SubscriptionApprovalStatus,
  cancelledByOperator,
  deadlineExceeded,
} from './uid2-subscription-approval-status';
import { invalidInput } from './invalid-input';
import { pollSchedule, pollingActivityOptions } from './support/polling';
import { endedBy, stageTracker } from './support/stage-tracking';

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

const controlPlane = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 20 },
});

type Interrupt = { kind: 'approved' | 'cancelled' | 'check-now' | 'continue-as-new' | 'retries-exhausted' };

export async function uid2SubscriptionApproval(args: Uid2SubscriptionApprovalArgs): Promise<Uid2SubscriptionApprovalResult> {
  const parsed = uid2SubscriptionApprovalInputSchema.safeParse(args.input);
  if (!parsed.success) throw invalidInput('uid2SubscriptionApproval', parsed.error);
  const config = parsed.data;
  const now = Date.now();
  const state: Uid2SubscriptionApprovalState = args.carried ?? {
    stage: 'finding-provider',
    startedAt: new Date(now).toISOString(),
    deadlineAt: new Date(now + durationToMs(config.deadline)).toISOString(),
    checksBefore: 0,
    runs: 1,
  };
  const operator: { approval?: OperatorAction; cancel?: OperatorAction; checkNow: boolean } = { checkNow: false };
  const decide = (decision: OperatorDecision['decision'], action: OperatorAction): OperatorDecision => {
    if (decision === 'approved') operator.approval ??= action;
    else operator.cancel ??= action;
    return { decision, by: action.by, reason: action.reason, stage: state.stage };
  };
  /** An update is refused, leaving no trace in the history, unless its payload is valid and the wait still open and undecided. */
  const validateDecision = (action: OperatorAction) => {
    const parsed = operatorActionSchema.safeParse(action);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid operator action: ${actionIssues(parsed.error)}`, INVALID_OPERATOR_ACTION);
    const earlier = operator.approval ? 'approved' : operator.cancel ? 'cancelled' : undefined;
    if (earlier) throw ApplicationFailure.nonRetryable(`The wait was already ${earlier} by ${(operator.approval ?? operator.cancel)!.by}`, INVALID_OPERATOR_ACTION);
    if (state.stage !== 'finding-provider' && state.stage !== 'waiting-for-approval') {
      throw ApplicationFailure.nonRetryable(`The wait is over (stage ${state.stage}): there is nothing to decide`, INVALID_OPERATOR_ACTION);
    }
  };

  setHandler(uid2SubscriptionApprovalStatusQuery, (asOf) => uid2SubscriptionApprovalStatus(state, asOf ? Date.parse(asOf) : Date.now()));
  setHandler(approveUpdate, (action) => decide('approved', operatorActionSchema.parse(action)), { validator: validateDecision });
  setHandler(cancelUpdate, (action) => decide('cancelled', operatorActionSchema.parse(action)), { validator: validateDecision });
  setHandler(approvedSignal, (action) => void whenValid('approved', action, (a) => decide('approved', a)));
  setHandler(cancelSignal, (action) => void whenValid('cancel', action, (a) => decide('cancelled', a)));
  setHandler(checkNowSignal, () => {
    operator.checkNow = true;
  });

  const enter = stageTracker(PIPELINES.uid2SubscriptionApproval, state);

  try {
    if (!state.provider) {
      enter('finding-provider');
      state.provider = await controlPlane.findUid2ProviderService({
        providerName: config.providerName,
        providerServiceName: config.providerServiceName,
      });
    }
    const provider = state.provider;
    enter('waiting-for-approval');

    let entitlement: EntitlementCheck | undefined;
    while (!entitlement && !operator.approval) {
      if (operator.cancel) throw cancelledByOperator(operator.cancel.by, operator.cancel.reason);
      const remainingMs = Date.parse(state.deadlineAt) - Date.now();
      if (remainingMs <= 0) throw deadlineExceeded(state, config.account);
      const outcome = await pollRound(provider.marketplace.dataSetId, remainingMs);
      if ('attempt' in outcome) {
        // A round whose checks fell behind its schedule ends still pending: the next one starts on a fresh schedule.
        if (!outcome.pending) entitlement = outcome;
      } else if (outcome.kind === 'retries-exhausted') {
        // The retry policy stops once the next check would fall past the deadline: wait out the rest.
        await condition(operatorActed, Math.max(1, Date.parse(state.deadlineAt) - Date.now()));
      } else if (outcome.kind === 'continue-as-new' && !operator.approval && !operator.cancel) {
        await continueAsNew<typeof uid2SubscriptionApproval>({ input: args.input, carried: { ...state, runs: state.runs + 1 } });
      }
    }

    enter('resolving-asset');
    const asset = await controlPlane.resolveUid2ApiAsset(provider.marketplace);
    enter('completed');
    return {
      approvedVia: entitlement ? 'entitlement' : 'operator-signal',
      approvedBy: entitlement ? undefined : operator.approval?.by,
      approvedAt: entitlement?.checkedAt ?? new Date(Date.now()).toISOString(),
      checks: state.checksBefore,
      providerServiceArn: provider.providerServiceArn,
      dataSetId: provider.marketplace.dataSetId,
      revisionId: provider.marketplace.revisionId,
      assetId: provider.marketplace.assetId,
      assetArn: asset.assetArn,
      assetArnSource: asset.source,
      iamPolicy: sendApiAssetPolicy(asset.assetArn),
    };
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === UID2_APPROVAL_CANCELLED) enter('cancelled');
    else if (err instanceof ApplicationFailure && err.type === UID2_APPROVAL_DEADLINE_EXCEEDED) enter('deadline-exceeded');
    else if (!(err instanceof ContinueAsNew)) enter(endedBy(err));
    throw err;
  }

  /**
   * One poll round: a single activity whose retries do the waiting until the subscription is entitled,
   * the deadline passes, its checks fall behind its schedule (a lost attempt, a worker that was down),
   * or an operator or a continue-as-new interrupts it. History does not grow with the wait: only the
   * round's own few events are recorded.
   */
  async function pollRound(dataSetId: string, remainingMs: number): Promise<EntitlementCheck | Interrupt> {
    const schedule = pollSchedule(config.poll, Date.now());
    state.polling = schedule;
    const startedInTask = workflowInfo().historyLength;
    operator.checkNow = false;
    const scope = new CancellationScope();
    const poll = scope.run(() => proxyActivities<Activities>(pollingActivityOptions(config.poll, remainingMs)).checkUid2Entitlement({ dataSetId, schedule }));
    const interrupt = condition(() => operatorActed() || shouldContinueAsNew()).then(
      (): Interrupt => ({
        kind: operator.cancel ? 'cancelled' : operator.approval ? 'approved' : operator.checkNow ? 'check-now' : 'continue-as-new',
      }),
    );
    try {
      const outcome = await Promise.race([poll, interrupt]);
      if ('attempt' in outcome) {
        state.checksBefore += outcome.attempt;
        state.lastCheckAt = outcome.checkedAt;
      } else {
        scope.cancel();
        await poll.catch((err: unknown) => {
          if (!isCancellation(err)) throw err;
        });
        // Interrupted in the workflow task that scheduled it (a continue-as-new due at once): the
        // activity never reached the server, so no check was made.
        if (workflowInfo().historyLength !== startedInTask) closeRoundByEstimate(schedule);
      }
      return outcome;
    } catch (err) {
      if (!isRetriesExhausted(err)) throw err;
      closeRoundByEstimate(schedule);
      return { kind: 'retries-exhausted' };
    } finally {
      state.polling = undefined;
    }
  }

  /** An interrupted round reports no attempt count: its schedule tells how many checks it made. */
  function closeRoundByEstimate(schedule: NonNullable<Uid2SubscriptionApprovalState['polling']>) {
    const progress = pollProgressAt(schedule, Math.min(Date.now(), Date.parse(state.deadlineAt)));
    state.checksBefore += progress.checks;
    state.lastCheckAt = progress.lastCheckAt;
  }

  function operatorActed(): boolean {
    return Boolean(operator.approval || operator.cancel || operator.checkNow);
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= config.maxHistoryEvents;
  }
}

/** The poll round reached its schedule-to-close time (the deadline) or the last retry that fits before it. */
function isRetriesExhausted(err: unknown): boolean {
  return err instanceof ActivityFailure && (err.cause instanceof TimeoutFailure || err.retryState === 'TIMEOUT');
}

/** Each bad field and why, without its value (an operator id field may hold an email by mistake). */
function actionIssues(error: ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ');
}

function whenValid(signal: string, action: unknown, fn: (action: OperatorAction) => void): void {
  const parsed = operatorActionSchema.safeParse(action);
  if (parsed.success) fn(parsed.data);
  else log.warn(`Ignored the '${signal}' signal: ${actionIssues(parsed.error)}`);
}
