import { AlreadyExistsException, CreateDatabaseCommand, CreateTableCommand, EntityNotFoundException, GetDatabaseCommand } from '@aws-sdk/client-glue';
import { describe, expect, it, vi } from 'vitest';
import { PROVIDER_SERVICES, SANDBOX_ACCOUNT, UID2_LISTING, providerServiceArn } from '../../sandbox/services/catalog';
import { cleanRoomsRoutes } from '../../sandbox/services/clean-rooms';
import { dataExchangeRoutes } from '../../sandbox/services/data-exchange';
import { entityResolutionRoutes } from '../../sandbox/services/entity-resolution';
import { loadServiceModel, type ModelOperation, type ServiceModel } from '../../sandbox/models/service-model';
import { validateShape, type Violation } from '../../sandbox/models/validate-input';
import { validateOutput } from '../../sandbox/models/validate-output';
import { maximalInput, minimalInput, singleViolations, type Input } from '../conformance/model-inputs';
import { toHttpRequest } from '../conformance/model-requests';
import { adminCall, useSandbox } from '../helpers/sandbox';

// The conformance suite: every operation the sandbox implements, driven by inputs generated from the
// botocore models it validates with, sent as raw HTTP so that what an SDK would refuse still arrives.
const ctx = useSandbox();
const REGION = 'us-east-1';
const SERVICES = { entityresolution: loadServiceModel('entityresolution'), dataexchange: loadServiceModel('dataexchange'), cleanrooms: loadServiceModel('cleanrooms') };
type Service = keyof typeof SERVICES;
/** The suite may grow, never shrink unnoticed. */
const MINIMUM = { operations: 38, successes: 260, modelledErrors: 54, refusals: 580, pagination: 58 };
const counted = { operations: new Set<string>(), successes: 0, modelledErrors: 0, refusals: 0, pagination: 0 };

interface Answer {
  status: number;
  errorType?: string;
  body: Record<string, unknown>;
}

async function send(service: Service, operation: string, input: Input): Promise<Answer> {
  const model = SERVICES[service];
  const req = toHttpRequest(model, model.operations.get(operation)!, input);
  const res = await fetch(`${ctx.sandbox.url}${req.path}`, {
    method: req.method,
    body: req.body,
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20250101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`, 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype')?.split(':')[0] ?? undefined, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const describeAnswer = (a: Answer) => `${a.status} ${a.errorType ?? ''} ${JSON.stringify(a.body).slice(0, 400)}`;

/** A success at the model's response code whose body holds to the output shape. */
function expectSuccess(service: Service, operation: string, answer: Answer): void {
  const op = SERVICES[service].operations.get(operation)!;
  expect(answer.status, `${operation}: ${describeAnswer(answer)}`).toBe(op.responseCode);
  expect(validateOutput(SERVICES[service], operation, answer.body), operation).toEqual([]);
  counted.successes++;
}

/** An error the operation's model lists, at the model's status, that is not a refusal of the input. */
function expectModelledError(service: Service, operation: string, answer: Answer): void {
  const op = SERVICES[service].operations.get(operation)!;
  const modelled = op.errors.find((e) => e.name === answer.errorType);
  expect(modelled, `${operation}: ${describeAnswer(answer)}`).toBeDefined();
  expect(answer.status).toBe(modelled!.status);
  expect(answer.errorType).not.toBe('ValidationException');
  counted.modelledErrors++;
}

function expectRefused(service: Service, operation: string, path: string, answer: Answer): void {
  expect(answer.status, `${operation} ${path}: ${describeAnswer(answer)}`).toBe(400);
  expect(answer.errorType).toBe('ValidationException');
  expect(String(answer.body.message ?? answer.body.Message), `${operation} ${path}`).toContain(`'${path}'`);
  counted.refusals++;
}

async function succeed(service: Service, operation: string, input: Input): Promise<Record<string, unknown>> {
  const answer = await send(service, operation, input);
  expectSuccess(service, operation, answer);
  return answer.body;
}

// State a success needs, made through the API itself.
const SCHEMA = 'conformance-schema';
const FIELDS = [
  { fieldName: 'id', type: 'UNIQUE_ID' },
  { fieldName: 'email', type: 'EMAIL_ADDRESS', matchKey: 'Email' },
];
const roleArn = (length = 40) => `arn:aws:iam::${SANDBOX_ACCOUNT}:role/`.padEnd(length, 'r');
const glueArn = (i: number) => `arn:aws:glue:${REGION}:${SANDBOX_ACCOUNT}:table/conformance/t${i}`;
/** Glue tables t0..t(count-1) a workflow's inputs name, so the sources exist as AWS needs them to. */
async function ensureGlueTables(count: number): Promise<void> {
  const glue = ctx.aws.glue;
  try {
    await glue.send(new GetDatabaseCommand({ Name: 'conformance' }));
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'conformance' } }));
  }
  for (let i = 0; i < count; i++) {
    const TableInput = { Name: `t${i}`, StorageDescriptor: { Location: `s3://conformance-input/t${i}/`, Columns: FIELDS.map(({ fieldName }) => ({ Name: fieldName, Type: 'string' })) } };
    await glue.send(new CreateTableCommand({ DatabaseName: 'conformance', TableInput })).catch((err: unknown) => {
      if (!(err instanceof AlreadyExistsException)) throw err;
    });
  }
}
const createSchema = (schemaName: string) => succeed('entityresolution', 'CreateSchemaMapping', { schemaName, mappedInputFields: FIELDS });
/** The schema mapping the suite's workflows read, created once per test. */
async function ensureSchema(): Promise<void> {
  const answer = await send('entityresolution', 'GetSchemaMapping', { schemaName: SCHEMA });
  if (answer.status === 404) await createSchema(SCHEMA);
}
async function createWorkflow(workflowName: string): Promise<void> {
  await ensureSchema();
  await ensureGlueTables(1);
  await succeed('entityresolution', 'CreateMatchingWorkflow', {
    workflowName,
    inputSourceConfig: [{ inputSourceARN: glueArn(0), schemaName: SCHEMA }],
    outputSourceConfig: [{ outputS3Path: 's3://conformance-output/out', output: [{ name: 'email' }] }],
    resolutionTechniques: { resolutionType: 'RULE_MATCHING', ruleBasedProperties: { rules: [{ ruleName: 'email', matchingKeys: ['Email'] }], attributeMatchingModel: 'ONE_TO_ONE' } },
    roleArn: roleArn(),
  });
}
const createNamespace = (idNamespaceName: string) => succeed('entityresolution', 'CreateIdNamespace', { idNamespaceName, type: 'SOURCE' });

/** What the model cannot state about valid fields: unique names, exactly one UNIQUE_ID. */
function fitFields(input: Input): void {
  const fields = input.mappedInputFields as Input[];
  fields.forEach((field, i) => {
    field.fieldName = `f${i}${String(field.fieldName)}`.slice(0, 255);
    field.type = i === 0 ? 'UNIQUE_ID' : field.type === 'UNIQUE_ID' ? 'NAME' : field.type;
  });
}

/** A workflow input the behaviour accepts: Glue tables, an existing schema, an S3 output, an IAM role, rules on its match keys. */
async function fitWorkflow(input: Input): Promise<void> {
  await ensureSchema();
  const sources = input.inputSourceConfig as Input[];
  await ensureGlueTables(sources.length);
  for (const [i, source] of sources.entries()) Object.assign(source, { inputSourceARN: glueArn(i), schemaName: SCHEMA });
  // The model types roleArn as any string; the service needs an IAM role's ARN.
  input.roleArn = roleArn(Math.max(40, String(input.roleArn).length));
  // The sandbox writes its output to S3 only (the model also allows a Customer Profiles target instead).
  for (const output of input.outputSourceConfig as Input[]) output.outputS3Path ??= 's3://conformance-output/out';
  const techniques = input.resolutionTechniques as Input;
  const rules = (techniques.ruleBasedProperties as Input | undefined)?.rules as Input[] | undefined;
  if (!rules) techniques.resolutionType = 'ML_MATCHING';
  else {
    techniques.resolutionType = 'RULE_MATCHING';
    // AWS's quota is 15 rules per rule-based workflow; the model's list allows 25.
    rules.splice(15);
    for (const rule of rules) rule.matchingKeys = ['Email'];
  }
}

const nameOf = (arn: string) => arn.split('/').at(-1)!;

/** A Clean Rooms membership of the sandbox account (made through the admin API: AWS has no call that joins one). */
async function createMembership(): Promise<string> {
  const { membership } = (await adminCall(ctx.sandbox, 'POST', '/clean-rooms/memberships', {})) as { membership: { id: string } };
  return membership.id;
}
const QUERY_SQL = 'SELECT 1 AS conformance';
/** A start the sandbox can answer: one of SQL text or template (the SQL registered as a result source), and an S3 result. */
async function fitQueryStart(input: Input): Promise<void> {
  input.membershipIdentifier = await createMembership();
  await adminCall(ctx.sandbox, 'PUT', '/clean-rooms/query-sources', { match: { sql: QUERY_SQL }, source: 's3://conformance-results/source.csv' });
  const sql = (input.sqlParameters ?? {}) as Input;
  input.sqlParameters = { queryString: QUERY_SQL, ...(sql.parameters ? { parameters: sql.parameters } : {}) };
  input.resultConfiguration = { outputConfiguration: { s3: { resultFormat: 'CSV', bucket: 'conformance-results', keyPrefix: 'queries/' } } };
}
async function startQuery(membershipIdentifier?: string): Promise<{ membershipIdentifier: string; id: string }> {
  const input: Input = { type: 'SQL' };
  await fitQueryStart(input);
  if (membershipIdentifier) input.membershipIdentifier = membershipIdentifier;
  const { protectedQuery } = (await succeed('cleanrooms', 'StartProtectedQuery', input)) as { protectedQuery: { id: string } };
  return { membershipIdentifier: String(input.membershipIdentifier), id: protectedQuery.id };
}
const NAMESPACE_ARN_PREFIX = `arn:aws:entityresolution:${REGION}:${SANDBOX_ACCOUNT}:idnamespace/`;
let namespaces = 0;
/** An ID namespace whose ARN is as long as the generated one, so maximal inputs stay maximal. */
async function namespaceArnLike(generated: unknown): Promise<string> {
  const name = `ns${++namespaces}`.padEnd(Math.min(255, String(generated).length - NAMESPACE_ARN_PREFIX.length), 'n');
  await createNamespace(name);
  return NAMESPACE_ARN_PREFIX + name;
}
/** Membership, namespace and association an association's operations name; the input's ids point at them. */
async function fitAssociation(input: Input, association = true): Promise<void> {
  input.membershipIdentifier = await createMembership();
  const config = input.inputReferenceConfig as Input | undefined;
  if (config) config.inputReferenceArn = await namespaceArnLike(config.inputReferenceArn);
  if (!association) return;
  const created = await succeed('cleanrooms', 'CreateIdNamespaceAssociation', {
    membershipIdentifier: input.membershipIdentifier,
    name: 'conformance-association',
    inputReferenceConfig: { inputReferenceArn: await namespaceArnLike(NAMESPACE_ARN_PREFIX + 'x'), manageResourcePolicies: true },
  });
  if ('idNamespaceAssociationIdentifier' in input) input.idNamespaceAssociationIdentifier = (created.idNamespaceAssociation as Input).id;
}

interface OperationCase {
  service: Service;
  operation: string;
  /** Makes a generated input one the behaviour accepts, creating what it names first. */
  prepare?: (input: Input) => Promise<void>;
}

const CASES: OperationCase[] = [
  { service: 'entityresolution', operation: 'CreateSchemaMapping', prepare: async (input) => fitFields(input) },
  { service: 'entityresolution', operation: 'GetSchemaMapping', prepare: async (input) => void (await createSchema(String(input.schemaName))) },
  {
    service: 'entityresolution',
    operation: 'UpdateSchemaMapping',
    prepare: async (input) => {
      await createSchema(String(input.schemaName));
      fitFields(input);
    },
  },
  { service: 'entityresolution', operation: 'DeleteSchemaMapping', prepare: async (input) => void (await createSchema(String(input.schemaName))) },
  { service: 'entityresolution', operation: 'ListSchemaMappings', prepare: async () => void (await createSchema(SCHEMA)) },
  { service: 'entityresolution', operation: 'CreateMatchingWorkflow', prepare: fitWorkflow },
  { service: 'entityresolution', operation: 'GetMatchingWorkflow', prepare: (input) => createWorkflow(String(input.workflowName)) },
  {
    service: 'entityresolution',
    operation: 'UpdateMatchingWorkflow',
    prepare: async (input) => {
      await createWorkflow(String(input.workflowName));
      await fitWorkflow(input);
    },
  },
  { service: 'entityresolution', operation: 'DeleteMatchingWorkflow', prepare: (input) => createWorkflow(String(input.workflowName)) },
  { service: 'entityresolution', operation: 'ListMatchingWorkflows', prepare: () => createWorkflow('conformance-workflow') },
  { service: 'entityresolution', operation: 'StartMatchingJob', prepare: (input) => createWorkflow(String(input.workflowName)) },
  {
    service: 'entityresolution',
    operation: 'GetMatchingJob',
    prepare: async (input) => {
      await createWorkflow(String(input.workflowName));
      input.jobId = (await succeed('entityresolution', 'StartMatchingJob', { workflowName: input.workflowName })).jobId;
    },
  },
  {
    service: 'entityresolution',
    operation: 'ListMatchingJobs',
    prepare: async (input) => {
      await createWorkflow(String(input.workflowName));
      await succeed('entityresolution', 'StartMatchingJob', { workflowName: input.workflowName });
    },
  },
  { service: 'entityresolution', operation: 'GetMatchId', prepare: (input) => createWorkflow(String(input.workflowName)) },
  { service: 'entityresolution', operation: 'ListProviderServices', prepare: async (input) => void (input.providerName &&= PROVIDER_SERVICES[0]!.providerName) },
  {
    service: 'entityresolution',
    operation: 'GetProviderService',
    prepare: async (input) => {
      input.providerName = PROVIDER_SERVICES[0]!.providerName;
      input.providerServiceName = providerServiceArn(REGION, PROVIDER_SERVICES[0]!);
    },
  },
  { service: 'entityresolution', operation: 'CreateIdNamespace' },
  { service: 'entityresolution', operation: 'GetIdNamespace', prepare: async (input) => void (await createNamespace(String(input.idNamespaceName))) },
  { service: 'entityresolution', operation: 'UpdateIdNamespace', prepare: async (input) => void (await createNamespace(String(input.idNamespaceName))) },
  { service: 'entityresolution', operation: 'DeleteIdNamespace', prepare: async (input) => void (await createNamespace(String(input.idNamespaceName))) },
  { service: 'entityresolution', operation: 'ListIdNamespaces', prepare: async () => void (await createNamespace('conformance-namespace')) },
  ...(['TagResource', 'UntagResource', 'ListTagsForResource'] as const).map((operation) => ({
    service: 'entityresolution' as const,
    operation,
    prepare: async (input: Input) => {
      input.resourceArn = (await createSchema(nameOf(String(input.resourceArn)))).schemaArn;
    },
  })),
  { service: 'cleanrooms', operation: 'GetMembership', prepare: async (input) => void (input.membershipIdentifier = await createMembership()) },
  { service: 'cleanrooms', operation: 'ListMemberships', prepare: async () => void (await createMembership()) },
  { service: 'cleanrooms', operation: 'CreateIdNamespaceAssociation', prepare: (input) => fitAssociation(input, false) },
  ...(['GetIdNamespaceAssociation', 'UpdateIdNamespaceAssociation', 'DeleteIdNamespaceAssociation', 'ListIdNamespaceAssociations'] as const).map((operation) => ({
    service: 'cleanrooms' as const,
    operation,
    prepare: (input: Input) => fitAssociation(input),
  })),
  { service: 'cleanrooms', operation: 'StartProtectedQuery', prepare: fitQueryStart },
  ...(['GetProtectedQuery', 'UpdateProtectedQuery'] as const).map((operation) => ({
    service: 'cleanrooms' as const,
    operation,
    prepare: async (input: Input) => {
      const { membershipIdentifier, id } = await startQuery();
      Object.assign(input, { membershipIdentifier, protectedQueryIdentifier: id });
    },
  })),
  { service: 'cleanrooms', operation: 'ListProtectedQueries', prepare: async (input) => void (input.membershipIdentifier = (await startQuery()).membershipIdentifier) },
  { service: 'dataexchange', operation: 'ListDataSets', prepare: async (input) => void (await entitle(input)) },
  {
    service: 'dataexchange',
    operation: 'GetDataSet',
    prepare: async (input) => {
      await entitle(input);
      input.DataSetId = UID2_LISTING.dataSetId;
    },
  },
  {
    service: 'dataexchange',
    operation: 'GetAsset',
    prepare: async (input) => {
      await entitle(input);
      Object.assign(input, { DataSetId: UID2_LISTING.dataSetId, RevisionId: UID2_LISTING.revisionId, AssetId: UID2_LISTING.assetId });
    },
  },
];

async function entitle(input: Input): Promise<void> {
  await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});
  if (input.Origin) input.Origin = 'ENTITLED';
}

function opOf(c: OperationCase): ModelOperation {
  return SERVICES[c.service].operations.get(c.operation)!;
}

/** A generated input still within its model after `prepare` changed it (the suite's own inputs must be valid). */
function expectValidInput(model: ServiceModel, shape: string, input: Input): void {
  const out: Violation[] = [];
  validateShape(model, shape, input, '', out);
  expect(out, 'the prepared input breaks the model').toEqual([]);
}

// A case sends up to hundreds of requests: on a busy 2-core machine one can pass the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

describe('model conformance: every implemented operation against its botocore model', () => {
  it('covers every operation the sandbox routes', () => {
    const routed = [...entityResolutionRoutes(undefined as never, undefined as never, undefined as never), ...dataExchangeRoutes(undefined as never), ...cleanRoomsRoutes(undefined as never, undefined as never)].map((r) => r.operation);
    expect(CASES.map((c) => c.operation).sort()).toEqual(routed.sort());
  });

  describe.each(CASES)('$service $operation', (c) => {
    const model = SERVICES[c.service];
    const op = opOf(c);
    const shape = op.input!;

    it.each(['minimal', 'maximal'] as const)('accepts a %s valid input and answers within the output shape', async (kind) => {
      const input = kind === 'minimal' ? minimalInput(model, shape) : maximalInput(model, shape);
      // A token comes only from a previous page (a generated one is refused: see the pagination checks).
      delete input.nextToken;
      delete input.NextToken;
      if (op.requestUri.includes('{') && op.errors.some((e) => e.name === 'ResourceNotFoundException') && c.prepare) {
        // Before its resources exist, the same input gets a modelled error, not a refusal.
        expectModelledError(c.service, c.operation, await send(c.service, c.operation, input));
      }
      await c.prepare?.(input);
      expectValidInput(model, shape, input);
      expectSuccess(c.service, c.operation, await send(c.service, c.operation, input));
      counted.operations.add(`${c.service}:${c.operation}`);
    });

    it('refuses each constraint broken once with ValidationException naming the member', async () => {
      const base = maximalInput(model, shape);
      delete base.nextToken;
      delete base.NextToken;
      await c.prepare?.(base);
      const violations = singleViolations(model, shape, base);
      expect(violations.length).toBeGreaterThan(0);
      for (const violation of violations) {
        const out: Violation[] = [];
        validateShape(model, shape, violation.input, '', out);
        expect(out.map((v) => v.path), `generator: ${violation.constraint} at ${violation.path}`).toContain(violation.path);
        expectRefused(c.service, c.operation, violation.path, await send(c.service, c.operation, violation.input));
      }
    });
  });
});

interface ListCase {
  service: Service;
  operation: string;
  /** The member listing the items, and each item's identifying member. */
  items: string;
  key: string;
  /** Creates the items to page through (their keys), plus the input members every call carries. */
  setUp: () => Promise<{ keys: string[]; input?: Input }>;
}

const PAGE_NAMES = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
const createAll = (create: (name: string) => Promise<unknown>) => async () => {
  for (const name of PAGE_NAMES) await create(name);
  return { keys: PAGE_NAMES };
};

const LIST_CASES: ListCase[] = [
  { service: 'entityresolution', operation: 'ListSchemaMappings', items: 'schemaList', key: 'schemaName', setUp: createAll(createSchema) },
  { service: 'entityresolution', operation: 'ListMatchingWorkflows', items: 'workflowSummaries', key: 'workflowName', setUp: createAll(createWorkflow) },
  { service: 'entityresolution', operation: 'ListIdNamespaces', items: 'idNamespaceSummaries', key: 'idNamespaceName', setUp: createAll(createNamespace) },
  {
    service: 'entityresolution',
    operation: 'ListProviderServices',
    items: 'providerServiceSummaries',
    key: 'providerServiceArn',
    setUp: async () => ({ keys: PROVIDER_SERVICES.map((entry) => providerServiceArn(REGION, entry)) }),
  },
  {
    service: 'entityresolution',
    operation: 'ListMatchingJobs',
    items: 'jobs',
    key: 'jobId',
    setUp: async () => {
      await createWorkflow('paged-workflow');
      const { jobId } = await succeed('entityresolution', 'StartMatchingJob', { workflowName: 'paged-workflow' });
      return { keys: [String(jobId)], input: { workflowName: 'paged-workflow' } };
    },
  },
  {
    service: 'cleanrooms',
    operation: 'ListMemberships',
    items: 'membershipSummaries',
    key: 'id',
    setUp: async () => {
      const keys: string[] = [];
      for (let i = 0; i < 4; i++) keys.push(await createMembership());
      return { keys };
    },
  },
  {
    service: 'cleanrooms',
    operation: 'ListIdNamespaceAssociations',
    items: 'idNamespaceAssociationSummaries',
    key: 'name',
    setUp: async () => {
      const membershipIdentifier = await createMembership();
      for (const name of PAGE_NAMES) {
        const inputReferenceArn = await namespaceArnLike(NAMESPACE_ARN_PREFIX + 'x');
        await succeed('cleanrooms', 'CreateIdNamespaceAssociation', { membershipIdentifier, name, inputReferenceConfig: { inputReferenceArn, manageResourcePolicies: false } });
      }
      return { keys: PAGE_NAMES, input: { membershipIdentifier } };
    },
  },
  {
    service: 'cleanrooms',
    operation: 'ListProtectedQueries',
    items: 'protectedQueries',
    key: 'id',
    setUp: async () => {
      const { membershipIdentifier, id } = await startQuery();
      const keys = [id];
      for (let i = 0; i < 4; i++) keys.push((await startQuery(membershipIdentifier)).id);
      return { keys, input: { membershipIdentifier } };
    },
  },
  {
    service: 'dataexchange',
    operation: 'ListDataSets',
    items: 'DataSets',
    key: 'Id',
    setUp: async () => {
      await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});
      return { keys: [UID2_LISTING.dataSetId], input: { Origin: 'ENTITLED' } };
    },
  },
];

describe('model conformance: pagination', () => {
  it.each(LIST_CASES)('$operation: maxResults at its bounds, a foreign token refused, every item once across pages', async ({ service, operation, items, key, setUp }) => {
    const model = SERVICES[service];
    const members = model.shapes[model.operations.get(operation)!.input!]!.members!;
    const [maxMember, tokenMember] = members.maxResults ? ['maxResults', 'nextToken'] : ['MaxResults', 'NextToken'];
    const bounds = model.shapes[members[maxMember]!.shape]!;
    const { keys, input } = await setUp();
    // Some list operations state no minimum (the sandbox, like a paginator, takes 1 as the least page).
    const least = bounds.min ?? 1;
    for (const maxResults of [least, bounds.max!]) {
      expectSuccess(service, operation, await send(service, operation, { ...input, [maxMember]: maxResults }));
      counted.pagination++;
    }
    for (const maxResults of [...(bounds.min === undefined ? [] : [bounds.min - 1]), bounds.max! + 1]) {
      expectRefused(service, operation, maxMember, await send(service, operation, { ...input, [maxMember]: maxResults }));
      counted.pagination++;
    }
    const foreign = await send(service, operation, { ...input, [tokenMember]: 'Zm9yZWlnbi10b2tlbg' });
    expect(foreign.status, describeAnswer(foreign)).toBe(400);
    expect(foreign.errorType).toBe('ValidationException');
    counted.pagination++;

    const pageSize = Math.max(least, Math.ceil(keys.length / 3));
    const seen: string[] = [];
    let token: unknown;
    do {
      const page = await succeed(service, operation, { ...input, [maxMember]: pageSize, ...(token ? { [tokenMember]: token } : {}) });
      seen.push(...(page[items] as Input[]).map((item) => String(item[key])));
      token = page[tokenMember];
      counted.pagination++;
    } while (token);
    expect(seen.sort()).toEqual([...keys].sort());
  });
});

describe('model conformance: coverage', () => {
  it('checked every operation and at least the minimum counts', () => {
    const checks = counted.successes + counted.modelledErrors + counted.refusals + counted.pagination;
    console.log(
      `model conformance: ${counted.operations.size} operations, ${checks} checks (${counted.successes} successes held to the output shape, ${counted.modelledErrors} modelled errors, ${counted.refusals} refusals naming the member, ${counted.pagination} pagination)`,
    );
    expect(counted.operations.size).toBeGreaterThanOrEqual(MINIMUM.operations);
    expect(counted.successes).toBeGreaterThanOrEqual(MINIMUM.successes);
    expect(counted.modelledErrors).toBeGreaterThanOrEqual(MINIMUM.modelledErrors);
    expect(counted.refusals).toBeGreaterThanOrEqual(MINIMUM.refusals);
    expect(counted.pagination).toBeGreaterThanOrEqual(MINIMUM.pagination);
  });
});
