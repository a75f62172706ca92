import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateIdNamespaceCommand,
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  DeleteIdNamespaceCommand,
  DeleteMatchingWorkflowCommand,
  DeleteSchemaMappingCommand,
  GetIdNamespaceCommand,
  GetMatchingWorkflowCommand,
  GetProviderServiceCommand,
  GetSchemaMappingCommand,
  ListProviderServicesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateMatchingWorkflowCommand,
  ValidationException,
  type CreateMatchingWorkflowCommandInput,
  type SchemaInputAttribute,
} from '@aws-sdk/client-entityresolution';
import { describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../sandbox/services/catalog';
import { sandboxWithClients, useSandbox } from '../helpers/sandbox';
import { errorOf } from '../helpers/failures';

/** What the official service model (botocore's entityresolution 2018-05-10) says beyond the happy path. */
const ctx = useSandbox({ emulators: false });
const er = () => ctx.aws.entityResolution;

const fields: SchemaInputAttribute[] = [
  { fieldName: 'unique_id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
];
const workflow = (name: string, schemaName = 'customers'): CreateMatchingWorkflowCommandInput => ({
  workflowName: name,
  inputSourceConfig: [{ inputSourceARN: `arn:aws:glue:us-east-1:${SANDBOX_ACCOUNT}:table/identity/customers`, schemaName }],
  outputSourceConfig: [{ outputS3Path: 's3://er-output/rule/', output: [{ name: 'email' }] }],
  resolutionTechniques: { resolutionType: 'RULE_MATCHING', ruleBasedProperties: { rules: [{ ruleName: 'r1', matchingKeys: ['Email'] }], attributeMatchingModel: 'ONE_TO_ONE' } },
  roleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/EntityResolutionWorkflowRole`,
});
// The model's pattern for ProviderServiceArn: AWS-owned, so no account between the region and the resource.
const PROVIDER_SERVICE_ARN = /^arn:(aws|aws-us-gov|aws-cn):(entityresolution):([a-z]{2}-[a-z]{1,10}-[0-9])::providerservice\/([a-zA-Z0-9_-]{1,255})\/([a-zA-Z0-9_-]{1,255})$/;

describe('sandbox: Entity Resolution tags', () => {
  it('keeps the tags given at creation and by TagResource, lists them, removes them, and returns them from Get*', async () => {
    const schema = await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields, tags: { team: 'crm' } }));
    const flow = await er().send(new CreateMatchingWorkflowCommand({ ...workflow('customers-rules'), tags: { team: 'crm', env: 'dev' } }));
    const namespace = await er().send(new CreateIdNamespaceCommand({ idNamespaceName: 'amc-target', type: 'TARGET' }));

    expect((await er().send(new ListTagsForResourceCommand({ resourceArn: schema.schemaArn }))).tags).toEqual({ team: 'crm' });
    await er().send(new TagResourceCommand({ resourceArn: flow.workflowArn, tags: { env: 'prod', owner: 'ops' } }));
    await er().send(new UntagResourceCommand({ resourceArn: flow.workflowArn, tagKeys: ['team', 'absent'] }));
    expect((await er().send(new ListTagsForResourceCommand({ resourceArn: flow.workflowArn }))).tags).toEqual({ env: 'prod', owner: 'ops' });
    expect((await er().send(new GetMatchingWorkflowCommand({ workflowName: 'customers-rules' }))).tags).toEqual({ env: 'prod', owner: 'ops' });

    await er().send(new TagResourceCommand({ resourceArn: namespace.idNamespaceArn, tags: { purpose: 'amc' } }));
    expect((await er().send(new GetIdNamespaceCommand({ idNamespaceName: 'amc-target' }))).tags).toEqual({ purpose: 'amc' });
    expect((await er().send(new GetSchemaMappingCommand({ schemaName: 'customers' }))).tags).toEqual({ team: 'crm' });
  });

  it('answers an ARN that names no resource with ResourceNotFoundException, and one off the pattern with ValidationException', async () => {
    const missing = `arn:aws:entityresolution:us-east-1:${SANDBOX_ACCOUNT}:matchingworkflow/nope`;
    expect(await errorOf(er().send(new ListTagsForResourceCommand({ resourceArn: missing })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await errorOf(er().send(new TagResourceCommand({ resourceArn: missing, tags: { a: 'b' } })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await errorOf(er().send(new UntagResourceCommand({ resourceArn: missing, tagKeys: ['a'] })))).toBeInstanceOf(ResourceNotFoundException);
    const badArn = await errorOf(er().send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })));
    expect(badArn).toBeInstanceOf(ValidationException);
    expect(badArn.message).toContain("at 'resourceArn'");
    const tooLong = await errorOf(er().send(new CreateSchemaMappingCommand({ schemaName: 'x', mappedInputFields: fields, tags: { ['k'.repeat(129)]: 'v' } })));
    expect(tooLong).toBeInstanceOf(ValidationException);
  });

  it('keeps tags across a restart', { timeout: 30_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'er-tags-'));
    try {
      const first = await sandboxWithClients({ dataDir, emulators: false });
      const { schemaArn } = await first.clients.entityResolution.send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }));
      await first.clients.entityResolution.send(new TagResourceCommand({ resourceArn: schemaArn, tags: { team: 'crm' } }));
      await first.sandbox.close();
      const second = await sandboxWithClients({ dataDir, emulators: false });
      try {
        expect((await second.clients.entityResolution.send(new ListTagsForResourceCommand({ resourceArn: schemaArn }))).tags).toEqual({ team: 'crm' });
      } finally {
        await second.sandbox.close();
        process.env.AWS_ENDPOINT_URL = ctx.sandbox.url;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sandbox: Entity Resolution deletes and lookups as the model states them', () => {
  it('answers deleting an unknown matching workflow, schema mapping or ID namespace with ResourceNotFoundException', async () => {
    expect(await errorOf(er().send(new DeleteMatchingWorkflowCommand({ workflowName: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await errorOf(er().send(new DeleteSchemaMappingCommand({ schemaName: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await errorOf(er().send(new DeleteIdNamespaceCommand({ idNamespaceName: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('reads an ID namespace by its ARN as by its name', async () => {
    const { idNamespaceArn } = await er().send(new CreateIdNamespaceCommand({ idNamespaceName: 'amc-source', type: 'SOURCE' }));
    const byArn = await er().send(new GetIdNamespaceCommand({ idNamespaceName: idNamespaceArn }));
    expect(byArn.idNamespaceName).toBe('amc-source');
    const otherRegion = idNamespaceArn!.replace('us-east-1', 'eu-west-1');
    expect(await errorOf(er().send(new GetIdNamespaceCommand({ idNamespaceName: otherRegion })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers a workflow naming an unknown schema with ValidationException, an error its operations model', async () => {
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }));
    const created = await errorOf(er().send(new CreateMatchingWorkflowCommand(workflow('wf', 'no-such-schema'))));
    expect(created).toBeInstanceOf(ValidationException);
    expect(created.message).toContain('no-such-schema');
    await er().send(new CreateMatchingWorkflowCommand(workflow('wf')));
    expect(await errorOf(er().send(new UpdateMatchingWorkflowCommand(workflow('wf', 'no-such-schema'))))).toBeInstanceOf(ValidationException);
  });
});

describe('sandbox: Entity Resolution output members the model requires', () => {
  it('returns a description from CreateSchemaMapping even when none was given', async () => {
    const created = await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: fields }));
    expect(created.description).toBe('');
  });

  it('gives provider services ARNs with an empty account field and an endpoint configuration, and reads each by its ARN (the model types providerServiceName as one)', async () => {
    const { providerServiceSummaries = [] } = await er().send(new ListProviderServicesCommand({}));
    expect(providerServiceSummaries.length).toBeGreaterThan(1);
    for (const summary of providerServiceSummaries) {
      expect(summary.providerServiceArn).toMatch(PROVIDER_SERVICE_ARN);
      const service = await er().send(new GetProviderServiceCommand({ providerName: summary.providerName, providerServiceName: summary.providerServiceArn }));
      expect(service.providerEndpointConfiguration).toHaveProperty('marketplaceConfiguration.dataSetId');
    }
    const uid2 = providerServiceSummaries.find((s) => s.providerName === 'UID2')!;
    const byArn = await er().send(new GetProviderServiceCommand({ providerName: 'UID2', providerServiceName: uid2.providerServiceArn }));
    expect(byArn.providerServiceName).toBe('uid2-assignment');
  });
});
