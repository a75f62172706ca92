import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  TimeoutFailure,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { EntitlementCheck } from '../../activities/uid2-subscription/uid2-subscription';
import { durationToMs } from '../../schemas/duration';
import { UID2_APPROVAL_CANCELLED, UID2_APPROVAL_DEADLINE_EXCEEDED } from '../../schemas/failures';
import { pollProgressAt } from '../../schemas/poll-schedule';
import { PIPELINES } from '../../schemas/search-attributes';
import {
  sendApiAssetPolicy,
  uid2SubscriptionApprovalInputSchema,
  type Uid2SubscriptionApprovalArgs,
  type Uid2SubscriptionApprovalResult,
  type Uid2SubscriptionApprovalState,
} from '../../schemas/uid2-subscription-approval';
import { invalidInput } from '../support/invalid-input';
import { CONTROL_PLANE } from '../support/activity-options';
import { pollSchedule, pollingActivityOptions } from '../support/polling';
import { endedBy, stageTracker } from '../support/stage-tracking';
import { handleOperatorMessages, uid2SubscriptionApprovalStatusQuery } from './uid2-subscription-approval-messages';
import { cancelledByOperator, deadlineExceeded, uid2SubscriptionApprovalStatus } from './uid2-subscription-approval-status';

export {
  approveUpdate,
  approvedSignal,
  cancelSignal,
  cancelUpdate,
  checkNowSignal,
  uid2SubscriptionApprovalStatusQuery,
} from './uid2-subscription-approval-messages';

const controlPlane = proxyActivities<Activities>(CONTROL_PLANE);

type Interrupt = { kind: 'approved' | 'cancelled' | 'check-now' | 'continue-as-new' | 'retries-exhausted' };

/**
 * Waits (days to weeks) until the UID2 subscription on AWS Data Exchange is approved: finds the UID2
 * provider service, polls the entitlement on a backoff schedule until approved, an operator decides
 * (the `approve` / `cancel` Updates, or the older signals), or the deadline passes; then returns the
 * API asset and the IAM policy the Entity Resolution role needs. Continues as new as history grows.
 * Its status query ends in `completed`, `failed`, `cancelled` or `deadline-exceeded`; IdentityStage
 * shows `approved` for `completed`, as it always has (visibility queries use that value).
 */
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
  setHandler(uid2SubscriptionApprovalStatusQuery, (asOf) => uid2SubscriptionApprovalStatus(state, asOf ? Date.parse(asOf) : Date.now()));
  const operator = handleOperatorMessages(state);

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
