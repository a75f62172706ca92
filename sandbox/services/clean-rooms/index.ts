import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore } from '../../state';
import { idNamespaceAssociationRoutes } from './id-namespace-associations';
import { membershipRoutes } from './memberships';

/** AWS Clean Rooms (REST-JSON, camelCase members, epoch-second timestamps): memberships and ID namespace associations. */
export function cleanRoomsRoutes(store: StateStore): RestJsonRoute[] {
  return [...membershipRoutes(store), ...idNamespaceAssociationRoutes(store)];
}
