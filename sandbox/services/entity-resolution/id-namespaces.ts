import { SANDBOX_ACCOUNT } from '../catalog';
import { conflict, notFound } from '../../protocols/errors';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredResource } from '../../state';
import { creationTags } from './tags';
import { epochSeconds, invalid, requireName } from './validation';

const ID_NAMESPACE_ARN = /^arn:(?:aws|aws-us-gov|aws-cn):entityresolution:[a-z]{2}-[a-z]{1,10}-[0-9]:[0-9]{12}:idnamespace\/([a-zA-Z_0-9-]{1,255})$/;

function requireType(type: unknown): void {
  if (type !== 'SOURCE' && type !== 'TARGET') {
    invalid(`Value ${JSON.stringify(type) ?? 'null'} at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SOURCE, TARGET]`);
  }
}

/** ID namespaces (SOURCE or TARGET), as AMC ID mapping (Amazon Ads' "Amazon Marketing Cloud - AWS Clean Rooms" guide) and Clean Rooms associations use them. */
export function idNamespaceRoutes(store: StateStore): RestJsonRoute[] {
  const namespaces = () => store.get().entityResolution.idNamespaces;
  const get = (name: string) => {
    const found = namespaces()[name];
    if (!found) throw notFound(`ID namespace ${name} not found`);
    return found;
  };
  /** GetIdNamespace's input shape (EntityNameOrIdNamespaceArn) takes the namespace's name or its ARN. */
  const getByNameOrArn = (nameOrArn: string) => {
    const arn = ID_NAMESPACE_ARN.exec(nameOrArn);
    if (!arn) return get(nameOrArn);
    const found = namespaces()[arn[1]!];
    if (!found || found.idNamespaceArn !== nameOrArn) throw notFound(`ID namespace ${nameOrArn} not found`);
    return found;
  };
  const members = (body: Record<string, unknown>) => {
    if (body.type !== undefined) requireType(body.type);
    return {
      description: body.description,
      inputSourceConfig: body.inputSourceConfig,
      idMappingWorkflowProperties: body.idMappingWorkflowProperties,
      roleArn: body.roleArn,
    };
  };
  return [
    {
      operation: 'CreateIdNamespace',
      method: 'POST',
      path: '/idnamespaces',
      handle: ({ body, region }) => {
        const idNamespaceName = requireName(body.idNamespaceName, 'idNamespaceName');
        requireType(body.type);
        if (namespaces()[idNamespaceName]) throw conflict(`ID namespace ${idNamespaceName} already exists`);
        const now = epochSeconds();
        const created: StoredResource = {
          idNamespaceName,
          idNamespaceArn: `arn:aws:entityresolution:${region}:${SANDBOX_ACCOUNT}:idnamespace/${idNamespaceName}`,
          type: body.type,
          ...members(body),
          tags: creationTags(body.tags),
          createdAt: now,
          updatedAt: now,
        };
        store.update((s) => (s.entityResolution.idNamespaces[idNamespaceName] = created));
        return created;
      },
    },
    { operation: 'GetIdNamespace', method: 'GET', path: '/idnamespaces/{idNamespaceName}', handle: ({ params }) => getByNameOrArn(params.idNamespaceName!) },
    {
      operation: 'UpdateIdNamespace',
      method: 'PUT',
      path: '/idnamespaces/{idNamespaceName}',
      handle: ({ params, body }) => {
        const updated: StoredResource = { ...get(params.idNamespaceName!), ...members(body), updatedAt: epochSeconds() };
        store.update((s) => (s.entityResolution.idNamespaces[params.idNamespaceName!] = updated));
        // UpdateIdNamespaceOutput has no tags (Create and Get return them).
        const { tags: _tags, ...output } = updated;
        return output;
      },
    },
    {
      operation: 'DeleteIdNamespace',
      method: 'DELETE',
      path: '/idnamespaces/{idNamespaceName}',
      handle: ({ params }) => {
        get(params.idNamespaceName!);
        store.update((s) => delete s.entityResolution.idNamespaces[params.idNamespaceName!]);
        return { message: `ID namespace ${params.idNamespaceName} deleted` };
      },
    },
    {
      operation: 'ListIdNamespaces',
      method: 'GET',
      path: '/idnamespaces',
      handle: ({ query }) => {
        const all = Object.values(namespaces())
          .sort((a, b) => String(a.idNamespaceName).localeCompare(String(b.idNamespaceName)))
          .map(({ idNamespaceName, idNamespaceArn, description, idMappingWorkflowProperties, type, createdAt, updatedAt }) => ({
            idNamespaceName, idNamespaceArn, description, idMappingWorkflowProperties, type, createdAt, updatedAt,
          }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'));
        return { idNamespaceSummaries: page, nextToken };
      },
    },
  ];
}
