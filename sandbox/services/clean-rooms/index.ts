import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore } from '../../state';
import { idNamespaceAssociationRoutes } from './id-namespace-associations';
import { membershipRoutes } from './memberships';
import { protectedQueryRoutes, type QueryDeps } from './protected-queries';

/** AWS Clean Rooms (REST-JSON, camelCase members, epoch-second timestamps): memberships, ID namespace associations, protected queries. */
export function cleanRoomsRoutes(store: StateStore, queries: Omit<QueryDeps, 'store'>): RestJsonRoute[] {
  return [...membershipRoutes(store), ...idNamespaceAssociationRoutes(store), ...protectedQueryRoutes({ store, ...queries })];
}
