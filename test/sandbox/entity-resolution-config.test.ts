import {
  ConflictException,
  CreateIdNamespaceCommand,
  DeleteIdNamespaceCommand,
  GetIdNamespaceCommand,
  ListIdNamespacesCommand,
  ResourceNotFoundException,
  UpdateIdNamespaceCommand,
  UpdateSchemaMappingCommand,
  ListSchemaMappingsCommand,
  paginateListSchemaMappings,
  CreateMatchingWorkflowCommand,
  CreateSchemaMappingCommand,
  DeleteMatchingWorkflowCommand,
  DeleteSchemaMappingCommand,
  ExceedsLimitException,
  GetMatchingWorkflowCommand,
  GetSchemaMappingCommand,
  UpdateMatchingWorkflowCommand,
  ValidationException,
  paginateListMatchingWorkflows,
  type CreateMatchingWorkflowCommandInput,
  type SchemaInputAttribute,
} from '@aws-sdk/client-entityresolution';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadServiceModel } from '../../sandbox/models/service-model';
import { useSandbox } from '../helpers/sandbox';
import { errorOf } from '../helpers/failures';

const ctx = useSandbox({ emulators: false });
const er = () => ctx.aws.entityResolution;
const fieldBounds = loadServiceModel('entityresolution').shapes.SchemaInputAttributes!;

const customerFields: SchemaInputAttribute[] = [
  { fieldName: 'unique_id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
  { fieldName: 'full_name', type: 'NAME', matchKey: 'Name' },
];
const uid2Fields: SchemaInputAttribute[] = [
  { fieldName: 'unique_id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS' },
];
const glueTable = 'arn:aws:glue:us-east-1:000000000000:table/identity/customers';
const role = 'arn:aws:iam::000000000000:role/EntityResolutionWorkflowRole';
const uid2Arn = 'arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment';

const ruleWorkflow = (name: string, schemaName = 'customers', keys = ['Email']): CreateMatchingWorkflowCommandInput => ({
  workflowName: name,
  inputSourceConfig: [{ inputSourceARN: glueTable, schemaName, applyNormalization: true }],
  outputSourceConfig: [{ outputS3Path: 's3://er-output/rule/', output: [{ name: 'email' }], applyNormalization: true }],
  resolutionTechniques: { resolutionType: 'RULE_MATCHING', ruleBasedProperties: { rules: [{ ruleName: 'r1', matchingKeys: keys }], attributeMatchingModel: 'ONE_TO_ONE' } },
  roleArn: role,
});

describe('sandbox: Entity Resolution schema mappings', () => {
  it('creates, reads and refuses a duplicate with ConflictException', async () => {
    const created = await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: customerFields }));
    expect(created.schemaArn).toBe('arn:aws:entityresolution:us-east-1:000000000000:schemamapping/customers');
    const got = await er().send(new GetSchemaMappingCommand({ schemaName: 'customers' }));
    expect(got.mappedInputFields).toEqual(customerFields);
    expect(got.createdAt).toBeInstanceOf(Date);
    expect(got.hasWorkflows).toBe(false);
    expect(await errorOf(er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: customerFields })))).toBeInstanceOf(ConflictException);
  });

  it('updates a mapping not yet used by a workflow, and lists mappings page by page', async () => {
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: customerFields }));
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'leads', mappedInputFields: uid2Fields }));
    await er().send(new UpdateSchemaMappingCommand({ schemaName: 'leads', description: 'v2', mappedInputFields: [...uid2Fields, { fieldName: 'phone', type: 'PHONE_NUMBER' }] }));
    const leads = await er().send(new GetSchemaMappingCommand({ schemaName: 'leads' }));
    expect(leads.description).toBe('v2');
    expect(leads.mappedInputFields?.map((f) => f.type)).toEqual(['UNIQUE_ID', 'EMAIL_ADDRESS', 'PHONE_NUMBER']);
    const names: string[] = [];
    for await (const page of paginateListSchemaMappings({ client: er(), pageSize: 1 }, {})) names.push(...(page.schemaList ?? []).map((m) => m.schemaName!));
    expect(names).toEqual(['customers', 'leads']);
  });

  it.each([0, -1])('refuses ListSchemaMappings maxResults %i (its model sets no minimum) with ValidationException', async (maxResults) => {
    const err = await er().send(new ListSchemaMappingsCommand({ maxResults })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toBe("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it.each([
    ['one field', [{ fieldName: 'unique_id', type: 'UNIQUE_ID' }], `Member must have length greater than or equal to ${fieldBounds.min}`],
    [
      `${fieldBounds.max! + 1} fields (the model's bound)`,
      [{ fieldName: 'unique_id', type: 'UNIQUE_ID' }, ...Array.from({ length: fieldBounds.max! }, (_, i) => ({ fieldName: `f${i}`, type: 'STRING' }))],
      `Member must have length less than or equal to ${fieldBounds.max}`,
    ],
    ['no UNIQUE_ID', [{ fieldName: 'a', type: 'EMAIL_ADDRESS' }, { fieldName: 'b', type: 'NAME' }], /exactly one field of type UNIQUE_ID/],
    ['an unknown type', [{ fieldName: 'unique_id', type: 'UNIQUE_ID' }, { fieldName: 'b', type: 'SHOE_SIZE' }], /enum value set/],
  ])('refuses %s with ValidationException', async (_label, fields, message) => {
    const err = await errorOf(er().send(new CreateSchemaMappingCommand({ schemaName: 'bad', mappedInputFields: fields as SchemaInputAttribute[] })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toMatch(message);
  });

  it(`accepts ${fieldBounds.max} fields, the model's bound (the sandbox once stopped at 35)`, async () => {
    const fields = [{ fieldName: 'unique_id', type: 'UNIQUE_ID' }, ...Array.from({ length: fieldBounds.max! - 1 }, (_, i) => ({ fieldName: `f${i}`, type: 'STRING' }))];
    const created = await er().send(new CreateSchemaMappingCommand({ schemaName: 'wide', mappedInputFields: fields as SchemaInputAttribute[] }));
    expect(created.mappedInputFields).toHaveLength(fieldBounds.max!);
  });
});

describe('sandbox: Entity Resolution matching workflows', () => {
  beforeEach(async () => {
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'customers', mappedInputFields: customerFields }));
    await er().send(new CreateSchemaMappingCommand({ schemaName: 'uid2-email', mappedInputFields: uid2Fields }));
  });

  it('creates a rule-based workflow, updates it, lists it, and protects its schema mapping', async () => {
    const created = await er().send(new CreateMatchingWorkflowCommand(ruleWorkflow('customers-rules')));
    expect(created.workflowArn).toBe('arn:aws:entityresolution:us-east-1:000000000000:matchingworkflow/customers-rules');
    await er().send(new UpdateMatchingWorkflowCommand({ ...ruleWorkflow('customers-rules', 'customers', ['Email', 'Name']), description: 'v2' }));
    const got = await er().send(new GetMatchingWorkflowCommand({ workflowName: 'customers-rules' }));
    expect(got.description).toBe('v2');
    expect(got.resolutionTechniques?.ruleBasedProperties?.rules?.[0]?.matchingKeys).toEqual(['Email', 'Name']);
    expect((await er().send(new GetSchemaMappingCommand({ schemaName: 'customers' }))).hasWorkflows).toBe(true);
    expect(await errorOf(er().send(new DeleteSchemaMappingCommand({ schemaName: 'customers' })))).toBeInstanceOf(ConflictException);
    await er().send(new DeleteMatchingWorkflowCommand({ workflowName: 'customers-rules' }));
    await er().send(new DeleteSchemaMappingCommand({ schemaName: 'customers' }));
  });

  it('refuses a rule whose matching key no schema defines', async () => {
    const err = await errorOf(er().send(new CreateMatchingWorkflowCommand(ruleWorkflow('bad-keys', 'customers', ['Phone']))));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toContain("matching key 'Phone'");
  });

  it('accepts a UID2 PROVIDER workflow on an email-only schema and refuses other field types and incremental runs', async () => {
    const uid2 = (schemaName: string, extra: Partial<CreateMatchingWorkflowCommandInput> = {}): CreateMatchingWorkflowCommandInput => ({
      workflowName: `uid2-${schemaName}`,
      inputSourceConfig: [{ inputSourceARN: glueTable, schemaName }],
      outputSourceConfig: [{ outputS3Path: 's3://er-output/uid2/', output: [{ name: 'email' }] }],
      resolutionTechniques: { resolutionType: 'PROVIDER', providerProperties: { providerServiceArn: uid2Arn } },
      roleArn: role,
      ...extra,
    });
    await er().send(new CreateMatchingWorkflowCommand(uid2('uid2-email')));
    const wrongFields = await errorOf(er().send(new CreateMatchingWorkflowCommand(uid2('customers'))));
    expect(wrongFields).toBeInstanceOf(ValidationException);
    expect(wrongFields.message).toContain('UID2 accepts only UNIQUE_ID, EMAIL_ADDRESS and PHONE_NUMBER');
    const incremental = await errorOf(
      er().send(new CreateMatchingWorkflowCommand({ ...uid2('uid2-email'), workflowName: 'uid2-incremental', incrementalRunConfig: { incrementalRunType: 'IMMEDIATE' } })),
    );
    expect(incremental).toBeInstanceOf(ValidationException);
    expect(incremental.message).toContain('not supported for PROVIDER');
  });

  it('refuses the 11th matching workflow with ExceedsLimitException, and pages the 10', async () => {
    for (let i = 0; i < 10; i++) await er().send(new CreateMatchingWorkflowCommand(ruleWorkflow(`wf-${String(i).padStart(2, '0')}`)));
    const err = await errorOf(er().send(new CreateMatchingWorkflowCommand(ruleWorkflow('wf-10'))));
    expect(err).toBeInstanceOf(ExceedsLimitException);
    const names: string[] = [];
    for await (const page of paginateListMatchingWorkflows({ client: er(), pageSize: 4 }, {})) {
      names.push(...(page.workflowSummaries ?? []).map((w) => w.workflowName!));
      expect(page.workflowSummaries?.every((w) => w.resolutionType === 'RULE_MATCHING' && w.createdAt instanceof Date)).toBe(true);
    }
    expect(names).toHaveLength(10);
  });
});

describe('sandbox: Entity Resolution ID namespaces', () => {
  it('creates SOURCE and TARGET namespaces, reads, lists, updates and deletes them', async () => {
    const source = await er().send(
      new CreateIdNamespaceCommand({ idNamespaceName: 'amc-source', type: 'SOURCE', inputSourceConfig: [{ inputSourceARN: glueTable, schemaName: 'customers' }], roleArn: role }),
    );
    expect(source.idNamespaceArn).toBe('arn:aws:entityresolution:us-east-1:000000000000:idnamespace/amc-source');
    await er().send(new CreateIdNamespaceCommand({ idNamespaceName: 'amc-target', type: 'TARGET' }));
    expect(await errorOf(er().send(new CreateIdNamespaceCommand({ idNamespaceName: 'amc-target', type: 'TARGET' })))).toBeInstanceOf(ConflictException);
    expect(await errorOf(er().send(new CreateIdNamespaceCommand({ idNamespaceName: 'x', type: 'BOTH' as never })))).toBeInstanceOf(ValidationException);
    await er().send(new UpdateIdNamespaceCommand({ idNamespaceName: 'amc-source', description: 'AMC identities' }));
    const got = await er().send(new GetIdNamespaceCommand({ idNamespaceName: 'amc-source' }));
    expect(got.description).toBe('AMC identities');
    expect(got.type).toBe('SOURCE');
    expect(got.createdAt).toBeInstanceOf(Date);
    const listed = await er().send(new ListIdNamespacesCommand({}));
    expect(listed.idNamespaceSummaries?.map((n) => `${n.idNamespaceName}:${n.type}`)).toEqual(['amc-source:SOURCE', 'amc-target:TARGET']);
    await er().send(new DeleteIdNamespaceCommand({ idNamespaceName: 'amc-target' }));
    expect(await errorOf(er().send(new GetIdNamespaceCommand({ idNamespaceName: 'amc-target' })))).toBeInstanceOf(ResourceNotFoundException);
  });
});
