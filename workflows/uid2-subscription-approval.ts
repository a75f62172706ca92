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
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EntitlementCheck } from '../activities/uid2-subscription';
import { durationToMs } from '../schemas/duration';
import { UID2_APPROVAL_CANCELLED, UID2_APPROVAL_DEADLINE_EXCEEDED } from '../schemas/failures';
import { formatIssues } from '../schemas/format-issues';
import { pollProgressAt } from '../schemas/poll-schedule';
import {
  operatorActionSchema,
  sendApiAssetPolicy,
  uid2SubscriptionApprovalInputSchema,
  type OperatorAction,
  type Uid2ApprovalStage,
  type Uid2ApprovalState,
  type Uid2ApprovalStatus,
  type Uid2SubscriptionApprovalArgs,
  type Uid2SubscriptionApprovalConfig,
  type Uid2SubscriptionApprovalResult,
} from '../schemas/uid2-subscription';
import { approvalStatus, cancelledByOperator, deadlineExceeded } from './uid2-approval-status';
import { invalidInput } from './invalid-input';
import { showStage } from './visibility';

/** `asOf` (ISO time, optional): the instant to report checks for; the caller's clock, since a query cannot read the current time. */
export const statusQuery = defineQuery<Uid2ApprovalStatus, [asOf?: string]>('status');
export const approvedSignal = defineSignal<[OperatorAction]>('approved');
export const cancelSignal = defineSignal<[OperatorAction]>('cancel');
/** Ends the current backoff and checks the entitlement at once. */
export const checkNowSignal = defineSignal('checkNow');

const controlPlane = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 20 },
});

function entitlementPoller(config: Uid2SubscriptionApprovalConfig, remainingMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: remainingMs,
    retry: {
      initialInterval: config.poll.initialInterval,
      backoffCoefficient: config.poll.backoffCoefficient,
      maximumInterval: config.poll.maximumInterval,
    },
  }).checkUid2Entitlement;
}

type Interrupt = { kind: 'approved' | 'cancelled' | 'check-now' | 'continue-as-new' | 'retries-exhausted' };

export async function uid2SubscriptionApproval(args: Uid2SubscriptionApprovalArgs): Promise<Uid2SubscriptionApprovalResult> {
  const parsed = uid2SubscriptionApprovalInputSchema.safeParse(args.input);
  if (!parsed.success) throw invalidInput('uid2SubscriptionApproval', parsed.error);
  const config = parsed.data;
  const now = Date.now();
  const state: Uid2ApprovalState = args.carried ?? {
    stage: 'finding-provider',
    startedAt: new Date(now).toISOString(),
    deadlineAt: new Date(now + durationToMs(config.deadline)).toISOString(),
    checksBefore: 0,
    runs: 1,
  };
  const operator: { approval?: OperatorAction; cancel?: OperatorAction; checkNow: boolean } = { checkNow: false };

  setHandler(statusQuery, (asOf) => approvalStatus(state, asOf ? Date.parse(asOf) : Date.now()));
  setHandler(approvedSignal, (action) => {
    operator.approval ??= validOperatorAction('approved', action);
  });
  setHandler(cancelSignal, (action) => {
    operator.cancel ??= validOperatorAction('cancel', action);
  });
  setHandler(checkNowSignal, () => {
    operator.checkNow = true;
  });

  const enter = (stage: Uid2ApprovalStage) => {
    state.stage = stage;
    showStage('uid2-subscription', stage);
  };

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
    enter('approved');
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
    if (isCancellation(err) || (err instanceof ApplicationFailure && err.type === UID2_APPROVAL_CANCELLED)) enter('cancelled');
    else if (err instanceof ApplicationFailure && err.type === UID2_APPROVAL_DEADLINE_EXCEEDED) enter('deadline-exceeded');
    else if (!(err instanceof ContinueAsNew)) enter('failed');
    throw err;
  }

  /**
   * One poll round: a single activity whose retries do the waiting until the subscription is entitled,
   * the deadline passes, its checks fall behind its schedule (a lost attempt, a worker that was down),
   * or an operator or a continue-as-new interrupts it. History does not grow with the wait: only the
   * round's own few events are recorded.
   */
  async function pollRound(dataSetId: string, remainingMs: number): Promise<EntitlementCheck | Interrupt> {
    const schedule = {
      since: new Date(Date.now()).toISOString(),
      initialIntervalMs: durationToMs(config.poll.initialInterval),
      backoffCoefficient: config.poll.backoffCoefficient,
      maximumIntervalMs: durationToMs(config.poll.maximumInterval),
    };
    state.polling = schedule;
    const startedInTask = workflowInfo().historyLength;
    operator.checkNow = false;
    const scope = new CancellationScope();
    const poll = scope.run(() => entitlementPoller(config, remainingMs)({ dataSetId, schedule }));
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
  function closeRoundByEstimate(schedule: NonNullable<Uid2ApprovalState['polling']>) {
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

function validOperatorAction(signal: string, action: unknown): OperatorAction | undefined {
  const parsed = operatorActionSchema.safeParse(action);
  if (parsed.success) return parsed.data;
  log.warn(`Ignored the '${signal}' signal: ${formatIssues(parsed.error, { root: 'payload', layout: 'inline' })}`);
  return undefined;
}
