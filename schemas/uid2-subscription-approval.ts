import { z } from 'zod';
import { durationSchema } from './duration';
import { pollIntervalsShape, pollScheduleSchema } from './poll-schedule';
import { TERMINAL_STAGES } from './stages';

/** Checks every 10 minutes at first, then less often, at most an hour apart. */
const APPROVAL_POLL = { initialInterval: '10 minutes', maximumInterval: '1 hour', backoffCoefficient: 1.5 };

/** Input of `uid2SubscriptionApproval` (UID2 docs, "AWS Entity Resolution Integration Guide": subscribe on AWS Data Exchange, wait for the UID2 team's approval). */
export const uid2SubscriptionApprovalInputSchema = z
  .object({
    /** AWS account id the subscription belongs to; names the workflow id, one wait per account. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Matched (case and punctuation ignored) against the provider name, display name and service name from ListProviderServices. */
    providerName: z.string().min(1).default('UID2'),
    /** Exact providerServiceName, when more than one service matches providerName. */
    providerServiceName: z.string().min(1).optional(),
    /** How long to wait for the approval. The UID2 provider has 45 days to act on a Data Exchange subscription request. */
    deadline: durationSchema.default('45 days'),
    poll: z
      .object(pollIntervalsShape(APPROVAL_POLL))
      .strict()
      .default(APPROVAL_POLL),
    /** Continue-as-new past this many history events even if the server has not suggested it yet. */
    maxHistoryEvents: z.number().int().min(20).max(50_000).default(10_000),
  })
  .strict();
export type Uid2SubscriptionApprovalInput = z.input<typeof uid2SubscriptionApprovalInputSchema>;
export type Uid2SubscriptionApprovalConfig = z.output<typeof uid2SubscriptionApprovalInputSchema>;

export const uid2MarketplaceConfigurationSchema = z.object({
  dataSetId: z.string(),
  revisionId: z.string(),
  assetId: z.string(),
  listingId: z.string(),
});
export type Uid2MarketplaceConfiguration = z.infer<typeof uid2MarketplaceConfigurationSchema>;

export const uid2ProviderServiceSchema = z.object({
  providerServiceArn: z.string(),
  providerName: z.string(),
  providerServiceName: z.string(),
  providerServiceDisplayName: z.string(),
  marketplace: uid2MarketplaceConfigurationSchema,
});
export type Uid2ProviderService = z.infer<typeof uid2ProviderServiceSchema>;

/** What the `approve` and `cancel` updates return: the operator decision now recorded, and the run's stage. */
export interface OperatorDecision {
  decision: 'approved' | 'cancelled';
  by: string;
  reason: string;
  stage: Uid2SubscriptionApprovalStage;
}

/** `completed` is upserted as IdentityStage "approved", the value it had before the stages were unified. */
export const uid2SubscriptionApprovalStages = ['finding-provider', 'waiting-for-approval', 'resolving-asset', ...TERMINAL_STAGES, 'deadline-exceeded'] as const;
export type Uid2SubscriptionApprovalStage = (typeof uid2SubscriptionApprovalStages)[number];

/** State carried across continue-as-new: plain JSON only. */
export const uid2SubscriptionApprovalStateSchema = z.object({
  stage: z.enum(uid2SubscriptionApprovalStages),
  startedAt: z.string().datetime(),
  deadlineAt: z.string().datetime(),
  /** Checks finished in earlier poll rounds and runs. */
  checksBefore: z.number().int().min(0),
  lastCheckAt: z.string().datetime().optional(),
  /** The poll round in progress: its schedule tells how many checks were made when. */
  polling: pollScheduleSchema.optional(),
  provider: uid2ProviderServiceSchema.optional(),
  runs: z.number().int().min(1),
});
export type Uid2SubscriptionApprovalState = z.infer<typeof uid2SubscriptionApprovalStateSchema>;

export interface Uid2SubscriptionApprovalArgs {
  input: Uid2SubscriptionApprovalInput;
  /** Set by the workflow itself when it continues as new. */
  carried?: Uid2SubscriptionApprovalState;
}

export interface Uid2SubscriptionApprovalStatus {
  stage: Uid2SubscriptionApprovalStage;
  startedAt: string;
  deadlineAt: string;
  /** Checks made so far, last and next check: exact after a poll round ends, derived from the retry schedule while one runs. */
  checks: number;
  lastCheckAt?: string;
  nextCheckAt?: string;
  /** The instant the figures above describe (the query's `asOf` argument, or the workflow's last step). */
  asOf: string;
  providerServiceArn?: string;
  dataSetId?: string;
  runs: number;
  nextAction: string;
}

export interface Uid2SubscriptionApprovalResult {
  /** `operator-signal`: an operator approved it, by the `approve` update or the `approved` signal. */
  approvedVia: 'entitlement' | 'operator-signal';
  approvedBy?: string;
  approvedAt: string;
  checks: number;
  providerServiceArn: string;
  dataSetId: string;
  revisionId: string;
  assetId: string;
  /** From Data Exchange GetAsset when readable; otherwise built from the marketplace configuration with any provider account. */
  assetArn: string;
  assetArnSource: 'GetAsset' | 'derived';
  /** Attach to the Entity Resolution workflow role (the same guide's service access step). */
  iamPolicy: {
    Version: '2012-10-17';
    Statement: { Effect: 'Allow'; Sid: 'DataExchangePermissions'; Action: 'dataexchange:SendApiAsset'; Resource: string[] }[];
  };
}

export function sendApiAssetPolicy(assetArn: string): Uid2SubscriptionApprovalResult['iamPolicy'] {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Sid: 'DataExchangePermissions', Action: 'dataexchange:SendApiAsset', Resource: [assetArn] }],
  };
}

