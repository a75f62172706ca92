import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore } from '../../state';
import { idNamespaceRoutes } from './id-namespaces';
import { matchIdRoutes, type MatchIdLookup } from './match-id';
import { matchingJobRoutes, type MatchingJobs } from './matching-jobs';
import { matchingWorkflowRoutes } from './matching-workflows';
import { providerServiceRoutes } from './provider-services';
import { schemaMappingRoutes } from './schema-mappings';
import { tagRoutes } from './tags';

/** AWS Entity Resolution (REST-JSON, camelCase members, epoch-second timestamps). */
export function entityResolutionRoutes(store: StateStore, jobs: MatchingJobs, lookUpMatchId: MatchIdLookup): RestJsonRoute[] {
  return [
    ...providerServiceRoutes(),
    ...schemaMappingRoutes(store),
    ...matchingWorkflowRoutes(store, jobs),
    ...matchingJobRoutes(store, jobs),
    ...matchIdRoutes(store, lookUpMatchId),
    ...idNamespaceRoutes(store),
    ...tagRoutes(store),
  ];
}
