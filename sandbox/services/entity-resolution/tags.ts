import { notFound } from '../../protocols/errors';
import type { RestJsonRoute } from '../../protocols/rest-json';
import type { SandboxState, StateStore, StoredResource } from '../../state';
import { invalid } from './validation';

/** The model's VeniceGlobalArn: the Entity Resolution resources that carry tags. */
const TAGGABLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):entityresolution:[a-z]{2}-[a-z]{1,10}-[0-9]:[0-9]{12}:((schemamapping|matchingworkflow|idmappingworkflow|idnamespace)\/[a-zA-Z_0-9-]{1,255})$/;
const MAX_TAGS = 200;

type Tags = Record<string, string>;
type TaggedCollection = 'schemaMappings' | 'matchingWorkflows' | 'idNamespaces';
const COLLECTIONS: Record<string, { collection: TaggedCollection; arnMember: string }> = {
  schemamapping: { collection: 'schemaMappings', arnMember: 'schemaArn' },
  matchingworkflow: { collection: 'matchingWorkflows', arnMember: 'workflowArn' },
  idnamespace: { collection: 'idNamespaces', arnMember: 'idNamespaceArn' },
};

/** The stored resource an ARN names: its collection and key, or ResourceNotFoundException. */
function locate(state: SandboxState, arn: string): { collection: TaggedCollection; name: string; resource: StoredResource } {
  const match = TAGGABLE_ARN.exec(arn);
  const kind = match ? COLLECTIONS[match[3]!] : undefined;
  const name = match?.[2]?.split('/')[1];
  const resource = kind && name ? state.entityResolution[kind.collection][name] : undefined;
  if (!kind || !name || !resource || resource[kind.arnMember] !== arn) throw notFound(`Resource ${arn} not found`);
  return { collection: kind.collection, name, resource };
}

function requireArn(arn: string): void {
  if (!TAGGABLE_ARN.test(arn)) invalid(`Value '${arn}' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAGGABLE_ARN.source}`);
}

function requireTags(value: unknown): Tags {
  if (!value || typeof value !== 'object' || Array.isArray(value)) invalid(`Value at 'tags' failed to satisfy constraint: Member must not be null`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TAGS) invalid(`Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`);
  for (const [key, tag] of entries) {
    if (key.length < 1 || key.length > 128) invalid(`Value at 'tags' failed to satisfy constraint: Map keys must have length between 1 and 128`);
    if (typeof tag !== 'string' || tag.length > 256) invalid(`Value at 'tags.${key}' failed to satisfy constraint: Member must be a string of length less than or equal to 256`);
  }
  return value as Tags;
}

/** Tags given at creation (the `tags` member), checked as TagResource checks them. */
export const creationTags = (value: unknown): Tags => (value === undefined ? {} : requireTags(value));

/** TagResource, UntagResource and ListTagsForResource on schema mappings, matching workflows and ID namespaces. */
export function tagRoutes(store: StateStore): RestJsonRoute[] {
  const setTags = (arn: string, change: (tags: Tags) => Tags) =>
    store.update((s) => {
      const { collection, name, resource } = locate(s, arn);
      s.entityResolution[collection][name] = { ...resource, tags: change({ ...(resource.tags as Tags | undefined) }) };
    });
  return [
    {
      operation: 'TagResource',
      method: 'POST',
      path: '/tags/{resourceArn}',
      handle: ({ params, body }) => {
        requireArn(params.resourceArn!);
        const added = requireTags(body.tags);
        setTags(params.resourceArn!, (tags) => {
          const merged = { ...tags, ...added };
          if (Object.keys(merged).length > MAX_TAGS) invalid(`A resource can have at most ${MAX_TAGS} tags`);
          return merged;
        });
        return {};
      },
    },
    {
      operation: 'UntagResource',
      method: 'DELETE',
      path: '/tags/{resourceArn}',
      handle: ({ params, query }) => {
        const removed = new Set(query.getAll('tagKeys'));
        setTags(params.resourceArn!, (tags) => Object.fromEntries(Object.entries(tags).filter(([key]) => !removed.has(key))));
        return {};
      },
    },
    {
      operation: 'ListTagsForResource',
      method: 'GET',
      path: '/tags/{resourceArn}',
      handle: ({ params }) => {
        requireArn(params.resourceArn!);
        return { tags: { ...(locate(store.get(), params.resourceArn!).resource.tags as Tags | undefined) } };
      },
    },
  ];
}
