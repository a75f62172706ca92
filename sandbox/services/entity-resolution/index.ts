import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore } from '../../state';
import { matchingWorkflowRoutes } from './matching-workflows';
import { providerServiceRoutes } from './provider-services';
import { schemaMappingRoutes } from './schema-mappings';

/** AWS Entity Resolution (REST-JSON, camelCase members, epoch-second timestamps). */
export function entityResolutionRoutes(store: StateStore): RestJsonRoute[] {
  return [...providerServiceRoutes(), ...schemaMappingRoutes(store), ...matchingWorkflowRoutes(store)];
}
