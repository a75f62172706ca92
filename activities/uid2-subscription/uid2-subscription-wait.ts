import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { DataExchangeClient } from '@aws-sdk/client-dataexchange';
import { UID2_APPROVAL_ENDED, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { uid2EntitlementArn } from './uid2-subscription';

export interface Uid2SubscriptionWaitDeps {
  dataExchange: DataExchangeClient;
  temporal: Client;
}


/** What a UID2 matching run needs before it can start: an approved subscription, seen one way or the other. */
export function createUid2SubscriptionWaitActivities({ dataExchange, temporal }: Uid2SubscriptionWaitDeps) {
  /** One look at the entitlement, without waiting. */
  async function readUid2Entitlement(input: { dataSetId: string }): Promise<{ entitled: boolean }> {
    return { entitled: (await uid2EntitlementArn(dataExchange, input.dataSetId)) !== undefined };
  }

  /**
   * Waits on a uid2SubscriptionApproval run that was already running when this run needed it (a child
   * cannot attach to it). Polled by the infrequent pattern: done when the subscription is entitled or
   * that run completes (an operator may approve it); fails when that run ends otherwise.
   */
  async function awaitUid2Approval(input: { dataSetId: string; approvalWorkflowId: string }): Promise<{ via: 'entitlement' | 'approval-workflow' }> {
    if ((await uid2EntitlementArn(dataExchange, input.dataSetId)) !== undefined) return { via: 'entitlement' };
    let status: string;
    try {
      status = (await temporal.workflow.getHandle(input.approvalWorkflowId).describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      status = 'NOT_FOUND';
    }
    if (status === 'COMPLETED') return { via: 'approval-workflow' };
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
      throw ApplicationFailure.create({
        type: UID2_SUBSCRIPTION_PENDING,
        message: `The UID2 subscription is not approved yet; waiting on ${input.approvalWorkflowId} (check ${Context.current().info.attempt})`,
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    throw ApplicationFailure.nonRetryable(
      `The UID2 subscription is not approved and the approval wait ${input.approvalWorkflowId} ended ${status}: see that run in the Temporal UI, then start this run again`,
      UID2_APPROVAL_ENDED,
    );
  }

  return { readUid2Entitlement, awaitUid2Approval };
}
