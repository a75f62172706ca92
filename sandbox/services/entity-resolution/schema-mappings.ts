import { SANDBOX_ACCOUNT } from '../catalog';
import { conflict, notFound } from '../../protocols/errors';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredResource } from '../../state';
import { creationTags } from './tags';
import { epochSeconds, invalid } from './validation';

/** What the service model cannot state: unique field names and exactly one UNIQUE_ID (bounds, names and types are the model's). */
function checkFields(fields: Record<string, unknown>[]): Record<string, unknown>[] {
  const names = new Set<string>();
  fields.forEach((field) => {
    const name = field.fieldName as string;
    if (names.has(name)) invalid(`Duplicate fieldName '${name}' in mappedInputFields`);
    names.add(name);
  });
  if (fields.filter((f) => f.type === 'UNIQUE_ID').length !== 1) invalid('mappedInputFields must contain exactly one field of type UNIQUE_ID');
  return fields;
}

export function schemaMappingRoutes(store: StateStore): RestJsonRoute[] {
  const mappings = () => store.get().entityResolution.schemaMappings;
  const usedByWorkflows = (name: string) =>
    Object.values(store.get().entityResolution.matchingWorkflows).some((w) =>
      (w.inputSourceConfig as { schemaName?: string }[]).some((source) => source.schemaName === name),
    );
  const get = (name: string): StoredResource & { hasWorkflows: boolean } => {
    const mapping = mappings()[name];
    if (!mapping) throw notFound(`Schema mapping ${name} not found`);
    return { ...mapping, hasWorkflows: usedByWorkflows(name) };
  };
  // CreateSchemaMappingOutput requires `description`: one created without it reads back as empty.
  const view = (m: StoredResource) => ({ schemaName: m.schemaName, schemaArn: m.schemaArn, description: m.description ?? '', mappedInputFields: m.mappedInputFields });

  return [
    {
      operation: 'CreateSchemaMapping',
      method: 'POST',
      path: '/schemas',
      handle: ({ body, region }) => {
        const schemaName = body.schemaName as string;
        const mappedInputFields = checkFields(body.mappedInputFields as Record<string, unknown>[]);
        if (mappings()[schemaName]) throw conflict(`Schema mapping ${schemaName} already exists`);
        const now = epochSeconds();
        const created: StoredResource = {
          schemaName,
          schemaArn: `arn:aws:entityresolution:${region}:${SANDBOX_ACCOUNT}:schemamapping/${schemaName}`,
          description: body.description,
          mappedInputFields,
          tags: creationTags(body.tags),
          createdAt: now,
          updatedAt: now,
        };
        store.update((s) => (s.entityResolution.schemaMappings[schemaName] = created));
        return view(created);
      },
    },
    { operation: 'GetSchemaMapping', method: 'GET', path: '/schemas/{schemaName}', handle: ({ params }) => get(params.schemaName!) },
    {
      operation: 'UpdateSchemaMapping',
      method: 'PUT',
      path: '/schemas/{schemaName}',
      handle: ({ params, body }) => {
        const current = get(params.schemaName!);
        if (current.hasWorkflows) throw conflict(`Schema mapping ${params.schemaName} is used by a matching workflow and cannot be updated`);
        const { hasWorkflows: _derived, ...stored } = current;
        const updated: StoredResource = { ...stored, description: body.description, mappedInputFields: checkFields(body.mappedInputFields as Record<string, unknown>[]), updatedAt: epochSeconds() };
        store.update((s) => (s.entityResolution.schemaMappings[params.schemaName!] = updated));
        return view(updated);
      },
    },
    {
      operation: 'DeleteSchemaMapping',
      method: 'DELETE',
      path: '/schemas/{schemaName}',
      handle: ({ params }) => {
        if (get(params.schemaName!).hasWorkflows) throw conflict(`Schema mapping ${params.schemaName} is used by a matching workflow`);
        store.update((s) => delete s.entityResolution.schemaMappings[params.schemaName!]);
        return { message: `Schema mapping ${params.schemaName} deleted` };
      },
    },
    {
      operation: 'ListSchemaMappings',
      method: 'GET',
      path: '/schemas',
      handle: ({ query }) => {
        const all = Object.keys(mappings())
          .sort()
          .map((name) => get(name))
          .map((m) => ({ schemaName: m.schemaName, schemaArn: m.schemaArn, createdAt: m.createdAt, updatedAt: m.updatedAt, hasWorkflows: m.hasWorkflows }));
        const { page, nextToken } = paginate(all, query.get('maxResults'), query.get('nextToken'));
        return { schemaList: page, nextToken };
      },
    },
  ];
}
