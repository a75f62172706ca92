import { SANDBOX_ACCOUNT } from '../catalog';
import { conflict, notFound } from '../../protocols/errors';
import { paginate } from '../paginate';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { StateStore, StoredResource } from '../../state';
import { creationTags } from './tags';
import { epochSeconds, invalid, requireArray, requireName } from './validation';

export const SCHEMA_ATTRIBUTE_TYPES = new Set([
  'NAME', 'NAME_FIRST', 'NAME_MIDDLE', 'NAME_LAST', 'ADDRESS', 'ADDRESS_STREET1', 'ADDRESS_STREET2', 'ADDRESS_STREET3',
  'ADDRESS_CITY', 'ADDRESS_STATE', 'ADDRESS_COUNTRY', 'ADDRESS_POSTALCODE', 'PHONE', 'PHONE_NUMBER', 'PHONE_COUNTRYCODE',
  'EMAIL_ADDRESS', 'UNIQUE_ID', 'DATE', 'STRING', 'PROVIDER_ID', 'IPV4', 'IPV6', 'MAID',
]);

/** Schema mappings: 2–35 fields, known types, exactly one UNIQUE_ID, unique field names. */
function validateFields(value: unknown): Record<string, unknown>[] {
  const fields = requireArray(value, 'mappedInputFields', 2, 35);
  const names = new Set<string>();
  fields.forEach((field, i) => {
    const name = requireName(field.fieldName, `mappedInputFields.${i + 1}.member.fieldName`, /^[a-zA-Z_0-9- ]{1,255}$/);
    if (names.has(name)) invalid(`Duplicate fieldName '${name}' in mappedInputFields`);
    names.add(name);
    if (typeof field.type !== 'string' || !SCHEMA_ATTRIBUTE_TYPES.has(field.type)) {
      invalid(`Value '${String(field.type)}' at 'mappedInputFields.${i + 1}.member.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...SCHEMA_ATTRIBUTE_TYPES].join(', ')}]`);
    }
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
        const schemaName = requireName(body.schemaName, 'schemaName');
        const mappedInputFields = validateFields(body.mappedInputFields);
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
        const updated: StoredResource = { ...stored, description: body.description, mappedInputFields: validateFields(body.mappedInputFields), updatedAt: epochSeconds() };
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
