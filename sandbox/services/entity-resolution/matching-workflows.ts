import { PROVIDER_SERVICES, SANDBOX_ACCOUNT, providerServiceArn } from '../catalog';
import { GLUE_TABLE_ARN } from '../glue-table-arn';
import { ER_QUOTA_NAMES } from '../../../schemas/uid2-matching/er-quotas';
import { SandboxError, conflict, notFound } from '../../protocols/errors';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredResource } from '../../state';
import type { MatchingJobs } from './matching-jobs';
import { creationTags } from './tags';
import type { WorkflowLimits } from './workflow-limits';
import { epochSeconds, invalid, requireArray, requireName } from './validation';
import { parseS3Uri } from '../../../storage/s3-uri';

/** Matching workflows per account before ExceedsLimitException (the service's default quota). */
export const MATCHING_WORKFLOW_LIMIT = 10;
const UID2_TYPES = new Set(['UNIQUE_ID', 'EMAIL_ADDRESS', 'PHONE_NUMBER']);
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/.+$/;

type Body = Record<string, unknown>;

function validateWorkflow(body: Body, store: StateStore, region: string, limits: WorkflowLimits): void {
  const mappings = store.get().entityResolution.schemaMappings;
  const inputs = requireArray(body.inputSourceConfig, 'inputSourceConfig', 1, 20);
  const schemaFields = inputs.flatMap((input, i) => {
    if (typeof input.inputSourceARN !== 'string' || !GLUE_TABLE_ARN.test(input.inputSourceARN)) {
      invalid(`Value '${String(input.inputSourceARN)}' at 'inputSourceConfig.${i + 1}.member.inputSourceARN' is not a Glue table ARN`);
    }
    const mapping = mappings[String(input.schemaName)];
    // A missing schema is bad input here: CreateMatchingWorkflow's model lists no ResourceNotFoundException.
    if (!mapping) invalid(`Schema mapping ${String(input.schemaName)} at 'inputSourceConfig.${i + 1}.member.schemaName' does not exist`);
    return mapping.mappedInputFields as { fieldName: string; type: string; matchKey?: string }[];
  });
  const outputs = requireArray(body.outputSourceConfig, 'outputSourceConfig', 1, 1);
  if (typeof outputs[0]!.outputS3Path !== 'string' || !parseS3Uri(outputs[0]!.outputS3Path)) {
    invalid(`Value at 'outputSourceConfig.1.member.outputS3Path' failed to satisfy constraint: Member must be an s3:// path`);
  }
  if (typeof body.roleArn !== 'string' || !ROLE_ARN.test(body.roleArn)) invalid(`Value '${String(body.roleArn)}' at 'roleArn' is not an IAM role ARN`);

  const techniques = (body.resolutionTechniques ?? {}) as Body;
  const type = techniques.resolutionType;
  if (type === 'RULE_MATCHING') {
    const rules = requireArray((techniques.ruleBasedProperties as Body | undefined)?.rules, 'resolutionTechniques.ruleBasedProperties.rules', 1, 25);
    // The model allows 25 rules; the quotas page allows 15 per rule-based workflow.
    if (rules.length > limits.rulesPerWorkflow) {
      invalid(
        `Value at 'resolutionTechniques.ruleBasedProperties.rules' failed to satisfy constraint: Member must have length less than or equal to ${limits.rulesPerWorkflow} (the quota of matching rules per rule-based workflow)`,
      );
    }
    const keys = new Set(schemaFields.map((f) => f.matchKey ?? f.fieldName));
    for (const rule of rules) {
      for (const key of (rule.matchingKeys as string[] | undefined) ?? []) {
        if (!keys.has(key)) invalid(`Rule '${String(rule.ruleName)}' uses matching key '${key}' that no schema mapping defines`);
      }
    }
  } else if (type === 'PROVIDER') {
    const arn = (techniques.providerProperties as Body | undefined)?.providerServiceArn;
    const provider = PROVIDER_SERVICES.find((p) => providerServiceArn(region, p) === arn);
    if (!provider) invalid(`Provider service ${String(arn)} does not exist in ${region}`);
    if (provider.providerName === 'UID2') {
      const refused = schemaFields.filter((f) => !UID2_TYPES.has(f.type));
      if (refused.length > 0) {
        invalid(`UID2 accepts only UNIQUE_ID, EMAIL_ADDRESS and PHONE_NUMBER fields; remove ${refused.map((f) => `${f.fieldName} (${f.type})`).join(', ')}`);
      }
    }
    if (body.incrementalRunConfig) invalid('incrementalRunConfig is not supported for PROVIDER matching workflows');
  } else if (type !== 'ML_MATCHING') {
    invalid(`Value '${String(type)}' at 'resolutionTechniques.resolutionType' failed to satisfy constraint: Member must satisfy enum value set: [RULE_MATCHING, ML_MATCHING, PROVIDER]`);
  }
  const incremental = (body.incrementalRunConfig as Body | undefined)?.incrementalRunType;
  if (incremental !== undefined && incremental !== 'IMMEDIATE') invalid(`incrementalRunType must be IMMEDIATE`);
}

export function matchingWorkflowRoutes(store: StateStore, jobs: Pick<MatchingJobs, 'isRunning' | 'limits'>): RestJsonRoute[] {
  const workflows = () => store.get().entityResolution.matchingWorkflows;
  const get = (name: string) => {
    const workflow = workflows()[name];
    if (!workflow) throw notFound(`Matching workflow ${name} not found`);
    return workflow;
  };
  const members = (body: Body) => ({
    description: body.description,
    inputSourceConfig: body.inputSourceConfig,
    outputSourceConfig: body.outputSourceConfig,
    resolutionTechniques: body.resolutionTechniques,
    incrementalRunConfig: body.incrementalRunConfig,
    roleArn: body.roleArn,
  });
  const view = ({ createdAt: _c, updatedAt: _u, tags: _t, ...rest }: StoredResource) => rest;

  return [
    {
      operation: 'CreateMatchingWorkflow',
      method: 'POST',
      path: '/matchingworkflows',
      handle: ({ body, region }) => {
        const workflowName = requireName(body.workflowName, 'workflowName');
        validateWorkflow(body, store, region, jobs.limits.current);
        if (workflows()[workflowName]) throw conflict(`Matching workflow ${workflowName} already exists`);
        if (Object.keys(workflows()).length >= MATCHING_WORKFLOW_LIMIT) {
          throw new SandboxError(402, 'ExceedsLimitException', `You have reached the quota of ${MATCHING_WORKFLOW_LIMIT} matching workflows`, {
            quotaName: ER_QUOTA_NAMES.matchingWorkflows,
            quotaValue: MATCHING_WORKFLOW_LIMIT,
          });
        }
        const now = epochSeconds();
        const created: StoredResource = {
          workflowName,
          workflowArn: `arn:aws:entityresolution:${region}:${SANDBOX_ACCOUNT}:matchingworkflow/${workflowName}`,
          ...members(body),
          tags: creationTags(body.tags),
          createdAt: now,
          updatedAt: now,
        };
        store.update((s) => (s.entityResolution.matchingWorkflows[workflowName] = created));
        return view(created);
      },
    },
    { operation: 'GetMatchingWorkflow', method: 'GET', path: '/matchingworkflows/{workflowName}', handle: ({ params }) => get(params.workflowName!) },
    {
      operation: 'UpdateMatchingWorkflow',
      method: 'PUT',
      path: '/matchingworkflows/{workflowName}',
      handle: ({ params, body, region }) => {
        const current = get(params.workflowName!);
        validateWorkflow(body, store, region, jobs.limits.current);
        const updated: StoredResource = { ...current, ...members(body), updatedAt: epochSeconds() };
        store.update((s) => (s.entityResolution.matchingWorkflows[params.workflowName!] = updated));
        const { workflowArn: _arn, ...answer } = view(updated); // UpdateMatchingWorkflowOutput has no ARN
        return answer;
      },
    },
    {
      operation: 'DeleteMatchingWorkflow',
      method: 'DELETE',
      path: '/matchingworkflows/{workflowName}',
      handle: ({ params }) => {
        get(params.workflowName!);
        if (jobs.isRunning(params.workflowName!)) throw conflict(`Matching workflow ${params.workflowName} has a running job`);
        store.update((s) => delete s.entityResolution.matchingWorkflows[params.workflowName!]);
        return { message: `Matching workflow ${params.workflowName} deleted` };
      },
    },
    {
      operation: 'ListMatchingWorkflows',
      method: 'GET',
      path: '/matchingworkflows',
      handle: ({ query }) => {
        const all = Object.values(workflows())
          .sort((a, b) => String(a.workflowName).localeCompare(String(b.workflowName)))
          .map((w) => ({
            workflowName: w.workflowName,
            workflowArn: w.workflowArn,
            createdAt: w.createdAt,
            updatedAt: w.updatedAt,
            resolutionType: (w.resolutionTechniques as Body).resolutionType,
          }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'));
        return { workflowSummaries: page, nextToken };
      },
    },
  ];
}
