import { notFound } from '../../protocols/errors';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredResource } from '../../state';
import { invalid } from './validation';

export type MatchIdLookup = (workflow: StoredResource, record: Record<string, string>, applyNormalization: boolean) => Promise<{ matchId?: string; matchRule?: string }>;

/** GetMatchId, the near-real-time lookup of AWS's blog post "How to build serverless entity resolution workflows on AWS", over a rule-based workflow's last successful run. */
export function matchIdRoutes(store: StateStore, lookup: MatchIdLookup): RestJsonRoute[] {
  return [
    {
      operation: 'GetMatchId',
      method: 'POST',
      path: '/matchingworkflows/{workflowName}/matches',
      handle: async ({ params, body }) => {
        const workflow = store.get().entityResolution.matchingWorkflows[params.workflowName!];
        if (!workflow) throw notFound(`Matching workflow ${params.workflowName} not found`);
        if ((workflow.resolutionTechniques as { resolutionType?: string }).resolutionType !== 'RULE_MATCHING') {
          invalid(`GetMatchId works on RULE_MATCHING workflows; ${params.workflowName} is not one`);
        }
        const record = body.record;
        if (!record || typeof record !== 'object' || Object.values(record).some((v) => typeof v !== 'string')) {
          invalid(`Value at 'record' failed to satisfy constraint: Member must be a map of strings`);
        }
        return lookup(workflow, record as Record<string, string>, body.applyNormalization !== false);
      },
    },
  ];
}
