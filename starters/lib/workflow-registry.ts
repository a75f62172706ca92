import type { z } from 'zod';
import { workflowIds } from '../../schemas/temporal-names';
import { uid2SubscriptionApprovalInputSchema } from '../../schemas/uid2-subscription-approval';
import { prepareIdentityDataInputSchema } from '../../schemas/preparation/prep';
import { uid2MatchingInputSchema } from '../../schemas/uid2-matching/uid2-matching';
import type { amcIdMappingInputArrived, audienceUpload, prepareIdentityData, uid2Matching, uid2SubscriptionApproval } from '../../workflows';
import { amcIdMappingInputSchema } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../../schemas/amc-id-mapping/amc-id-mapping-resources';
import { audienceUploadInputSchema } from '../../schemas/audience-upload/audience-upload';
import { ConfigError, validateConfig } from './load-config';

/** How to start a workflow from a validated config: its input schema, its deterministic id, its arguments. */
export interface RegisteredWorkflow<S extends z.ZodType = z.ZodType, A extends unknown[] = unknown[]> {
  inputSchema: S;
  workflowId(input: z.output<S>): string;
  toArgs(input: z.output<S>): A;
}

/** Infers the input type from the schema so each entry below is type-checked against its workflow's parameters. */
const entry = <S extends z.ZodType, A extends unknown[]>(w: RegisteredWorkflow<S, A>): RegisteredWorkflow => w;

/** Workflows that schedules (and other generic starters) may start, by workflow type name. */
export const workflowRegistry: Record<string, RegisteredWorkflow> = {
  uid2SubscriptionApproval: entry({
    inputSchema: uid2SubscriptionApprovalInputSchema,
    workflowId: (input) => workflowIds.uid2SubscriptionApproval(input.account),
    toArgs: (input): Parameters<typeof uid2SubscriptionApproval> => [{ input }],
  }),
  prepareIdentityData: entry({
    inputSchema: prepareIdentityDataInputSchema,
    workflowId: (input) => workflowIds.prepareIdentityData(input.output),
    toArgs: (input): Parameters<typeof prepareIdentityData> => [input],
  }),
  uid2Matching: entry({
    inputSchema: uid2MatchingInputSchema,
    // A schedule appends each run's scheduled time to this id.
    workflowId: (input) => workflowIds.uid2Matching(input.name),
    toArgs: (input): Parameters<typeof uid2Matching> => [input],
  }),
  /** Tells the one long-lived amcIdMapping run of the table that input may have arrived (starting it on the first tick). */
  amcIdMappingInputArrived: entry({
    inputSchema: amcIdMappingInputSchema,
    workflowId: (input) => workflowIds.amcIdMappingInput(input.amc.instanceId, amcTableName(input)),
    toArgs: (input): Parameters<typeof amcIdMappingInputArrived> => [input],
  }),
  audienceUpload: entry({
    inputSchema: audienceUploadInputSchema,
    // A schedule appends each run's scheduled time to this id; runs on one audience take turns inside the workflow.
    workflowId: (input) => workflowIds.audienceUpload(input.name),
    toArgs: (input): Parameters<typeof audienceUpload> => [input],
  }),
};

/** Workflows a schedule must not start, each with the registered workflow to name instead. */
const NOT_FOR_SCHEDULES: Record<string, string> = {
  amcIdMapping:
    'amcIdMapping runs for months under one id (a schedule would start a new run per tick): schedule "amcIdMappingInputArrived", which signals the running one, or starts it',
};

export interface WorkflowStart {
  workflowType: string;
  workflowId: string;
  args: unknown[];
}

export function registeredWorkflowNames(): string[] {
  return Object.keys(workflowRegistry).sort();
}

/**
 * Validates a workflow name and its input. Errors are ConfigErrors: an unknown name is reported at
 * `nameSource` with the registered names; a bad input at `inputSource` with each bad field.
 */
export function resolveWorkflowStart(name: string, input: unknown, nameSource: string, inputSource = nameSource): WorkflowStart {
  const registered = Object.hasOwn(workflowRegistry, name) ? workflowRegistry[name] : undefined;
  if (!registered && Object.hasOwn(NOT_FOR_SCHEDULES, name)) throw new ConfigError(`${nameSource}: ${NOT_FOR_SCHEDULES[name]}`);
  if (!registered) {
    throw new ConfigError(`${nameSource}: unknown workflow "${name}"; registered workflows: ${registeredWorkflowNames().join(', ')}`);
  }
  const parsed: unknown = validateConfig(inputSource, input, registered.inputSchema);
  return { workflowType: name, workflowId: registered.workflowId(parsed), args: registered.toArgs(parsed) };
}
