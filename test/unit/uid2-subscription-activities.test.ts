import {
  AccessDeniedException,
  DataExchangeClient,
  GetAssetCommand,
  GetDataSetCommand,
  InternalServerException,
  ListDataSetsCommand,
  ResourceNotFoundException,
  ThrottlingException,
  type DataSetEntry,
  type ListDataSetsRequest,
  type ListDataSetsResponse,
} from '@aws-sdk/client-dataexchange';
import {
  AccessDeniedException as ErAccessDeniedException,
  EntityResolutionClient,
  GetProviderServiceCommand,
  ListProviderServicesCommand,
  type GetProviderServiceOutput,
  type ListProviderServicesInput,
  type ListProviderServicesOutput,
  type ProviderServiceSummary,
} from '@aws-sdk/client-entityresolution';
import { ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { createUid2SubscriptionActivities } from '../../activities/uid2-subscription/uid2-subscription';
import { AwsFailureType, UID2_PROVIDER_NOT_FOUND, UID2_SUBSCRIPTION_PENDING } from '../../schemas/failures';
import { uid2AssetArn, uid2Provider } from '../helpers/uid2-fixtures';
import { activityFailureOf } from '../helpers/failures';

const er = mockClient(EntityResolutionClient);
const dx = mockClient(DataExchangeClient);
afterAll(() => {
  er.restore();
  dx.restore();
});
beforeEach(() => {
  er.reset();
  dx.reset();
});

const entityResolution = new EntityResolutionClient({ region: 'us-east-1' });
const dataExchange = new DataExchangeClient({ region: 'us-east-1' });
const activities = withAwsFailureMapping(createUid2SubscriptionActivities({ entityResolution, dataExchange }));

const { dataSetId, revisionId, assetId, listingId } = uid2Provider.marketplace;
const dataSetArn = `arn:aws:dataexchange:us-east-1:111122223333:data-sets/${dataSetId}`;
const meta = { httpStatusCode: 400, requestId: 'req-0001' };

/** Runs `fn` in an activity context with the given attempt, as the worker would. */
function run<A extends unknown[], R>(attempt: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment({ attempt }).run(fn, ...args);
}


function service(overrides: Partial<ProviderServiceSummary>): ProviderServiceSummary {
  const summary: ProviderServiceSummary = {
    providerName: 'Acme',
    providerServiceName: 'acme-assignment',
    providerServiceDisplayName: 'Acme identity',
    providerServiceType: 'ASSIGNMENT',
    providerServiceArn: undefined,
    ...overrides,
  };
  summary.providerServiceArn ??= `arn:aws:entityresolution:us-east-1::providerservice/${summary.providerName}/${summary.providerServiceName}`;
  return summary;
}

const uid2Summary = service({
  providerName: uid2Provider.providerName,
  providerServiceName: uid2Provider.providerServiceName,
  providerServiceDisplayName: uid2Provider.providerServiceDisplayName,
  providerServiceArn: uid2Provider.providerServiceArn,
});

function providerServiceOutput(summary: ProviderServiceSummary, marketplace: boolean | Record<string, string> = true): Partial<GetProviderServiceOutput> {
  return {
    providerName: summary.providerName,
    providerServiceName: summary.providerServiceName,
    providerServiceDisplayName: summary.providerServiceDisplayName,
    providerServiceType: 'ASSIGNMENT',
    providerServiceArn: summary.providerServiceArn,
    anonymizedOutput: false,
    providerEndpointConfiguration:
      marketplace === false
        ? undefined
        : {
            marketplaceConfiguration: marketplace === true ? { dataSetId, revisionId, assetId, listingId } : { dataSetId: undefined, revisionId: undefined, assetId: undefined, listingId: undefined, ...marketplace },
          },
  };
}

function dataSet(id: string, overrides: Partial<DataSetEntry> = {}): DataSetEntry {
  return {
    Id: id,
    Arn: `arn:aws:dataexchange:us-east-1:111122223333:data-sets/${id}`,
    Name: `data set ${id}`,
    Description: '',
    AssetType: 'API_GATEWAY_API',
    Origin: 'ENTITLED',
    CreatedAt: new Date(0),
    UpdatedAt: new Date(0),
    ...overrides,
  };
}

describe('findUid2ProviderService', () => {
  it('pages ListProviderServices, ignores ID_MAPPING and other providers, and returns the marketplace configuration', async () => {
    // The paginator reuses one input object across pages, so the token each call was made with is recorded at call time.
    const tokens: (string | undefined)[] = [];
    const pages: ListProviderServicesOutput[] = [
      {
        providerServiceSummaries: [
          service({ providerName: 'UID2', providerServiceName: 'uid2-id-mapping', providerServiceDisplayName: 'UID2 ID mapping', providerServiceType: 'ID_MAPPING' }),
          service({ providerName: 'LiveRamp', providerServiceName: 'assignment', providerServiceDisplayName: 'RampID' }),
        ],
        nextToken: 'page-2',
      },
      { providerServiceSummaries: [service({ providerName: 'TransUnion', providerServiceName: 'tu-assignment', providerServiceDisplayName: 'TruAudience' }), uid2Summary] },
    ];
    er.on(ListProviderServicesCommand).callsFake((input: ListProviderServicesInput) => {
      tokens.push(input.nextToken);
      return pages[tokens.length - 1];
    });
    er.on(GetProviderServiceCommand).resolves(providerServiceOutput(uid2Summary));

    const found = await run(1, activities.findUid2ProviderService, { providerName: 'UID2' });

    expect(found).toEqual(uid2Provider);
    expect(tokens).toEqual([undefined, 'page-2']);
    const getCalls = er.commandCalls(GetProviderServiceCommand);
    expect(getCalls).toHaveLength(1);
    expect(getCalls[0]!.args[0].input).toEqual({ providerName: 'UID2', providerServiceName: uid2Summary.providerServiceArn });
  });

  it.each([
    ['providerName, with case and punctuation', 'uid2', { providerName: 'U.I.D-2', providerServiceName: 'assignment', providerServiceDisplayName: 'Identity' }],
    ['display name "Unified ID 2.0"', 'UID2', { providerName: 'The Trade Desk', providerServiceName: 'assignment', providerServiceDisplayName: 'Unified ID 2.0' }],
    ['service name', 'UID2', { providerName: 'Acme', providerServiceName: 'acme_UID_2_assignment', providerServiceDisplayName: 'Acme identity' }],
    ['a wanted name given with punctuation', 'Uid-2', { providerName: 'Acme', providerServiceName: 'assignment', providerServiceDisplayName: 'UNIFIED-ID-2' }],
  ])('matches UID2 on the %s', async (_label, providerName, fields) => {
    const summary = service(fields);
    er.on(ListProviderServicesCommand).resolves({ providerServiceSummaries: [service({ providerName: 'LiveRamp', providerServiceName: 'ramp' }), summary] });
    er.on(GetProviderServiceCommand).resolves(providerServiceOutput(summary));

    const found = await run(1, activities.findUid2ProviderService, { providerName });

    expect(found.providerServiceArn).toBe(summary.providerServiceArn);
    expect(er.commandCalls(GetProviderServiceCommand)[0]!.args[0].input).toEqual({
      providerName: fields.providerName,
      providerServiceName: summary.providerServiceArn,
    });
  });

  it('fails non-retryably when nothing matches, listing the assignment services it saw', async () => {
    er.on(ListProviderServicesCommand).resolves({
      providerServiceSummaries: [
        service({ providerName: 'LiveRamp', providerServiceName: 'ramp' }),
        service({ providerName: 'UID2', providerServiceName: 'uid2-id-mapping', providerServiceType: 'ID_MAPPING' }),
      ],
    });

    const failure = await activityFailureOf(run(1, activities.findUid2ProviderService, { providerName: 'UID2' }));

    expect(failure.type).toBe(UID2_PROVIDER_NOT_FOUND);
    expect(failure.type).toBe(UID2_PROVIDER_NOT_FOUND);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('"UID2"');
    expect(failure.message).toContain('assignment services in this region: LiveRamp/ramp');
    expect(failure.message).not.toContain('uid2-id-mapping');
    expect(er.commandCalls(GetProviderServiceCommand)).toHaveLength(0);
  });

  it('lists the matching services when providerServiceName picks none of them', async () => {
    er.on(ListProviderServicesCommand).resolves({ providerServiceSummaries: [uid2Summary] });

    const failure = await activityFailureOf(run(1, activities.findUid2ProviderService, { providerName: 'UID2', providerServiceName: 'uid2-other' }));

    expect(failure.type).toBe(UID2_PROVIDER_NOT_FOUND);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('uid2-other');
    expect(failure.message).toContain('UID2/uid2-assignment');
    expect(er.commandCalls(GetProviderServiceCommand)).toHaveLength(0);
  });

  it('asks for providerServiceName when two services match, and providerServiceName disambiguates', async () => {
    const second = service({ providerName: 'UID2', providerServiceName: 'uid2-assignment-eu', providerServiceDisplayName: 'Unified ID 2.0 EU' });
    er.on(ListProviderServicesCommand).resolves({ providerServiceSummaries: [uid2Summary, second] });
    er.on(GetProviderServiceCommand).resolves(providerServiceOutput(second));

    const failure = await activityFailureOf(run(1, activities.findUid2ProviderService, { providerName: 'UID2' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('2 provider services match');
    expect(failure.message).toContain('providerServiceName');
    expect(failure.message).toContain('UID2/uid2-assignment,');
    expect(failure.message).toContain('UID2/uid2-assignment-eu');
    expect(er.commandCalls(GetProviderServiceCommand)).toHaveLength(0);

    const found = await run(1, activities.findUid2ProviderService, { providerName: 'UID2', providerServiceName: 'uid2-assignment-eu' });
    expect(found.providerServiceName).toBe('uid2-assignment-eu');
    expect(er.commandCalls(GetProviderServiceCommand)[0]!.args[0].input).toEqual({ providerName: 'UID2', providerServiceName: second.providerServiceArn });
  });

  it.each([
    ['no endpoint configuration', false],
    ['an incomplete marketplace configuration', { dataSetId, revisionId, listingId }],
  ] as const)('fails non-retryably when the provider has %s', async (_label, marketplace) => {
    er.on(ListProviderServicesCommand).resolves({ providerServiceSummaries: [uid2Summary] });
    er.on(GetProviderServiceCommand).resolves(providerServiceOutput(uid2Summary, marketplace));

    const failure = await activityFailureOf(run(1, activities.findUid2ProviderService, { providerName: 'UID2' }));

    expect(failure.type).toBe(UID2_PROVIDER_NOT_FOUND);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(uid2Provider.providerServiceArn);
    expect(failure.message).toContain('marketplace configuration');
  });

  it('maps an Entity Resolution AccessDeniedException to a non-retryable AwsAccessDenied', async () => {
    er.on(ListProviderServicesCommand).rejects(new ErAccessDeniedException({ message: 'not authorized to perform entityresolution:ListProviderServices', $metadata: { httpStatusCode: 403 } }));

    const failure = await activityFailureOf(run(1, activities.findUid2ProviderService, { providerName: 'UID2' }));

    expect(failure.type).toBe(AwsFailureType.accessDenied);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('findUid2ProviderService');
    expect(failure.message).toContain('entityresolution:ListProviderServices');
  });
});

describe('checkUid2Entitlement', () => {
  it('returns the data set once GetDataSet shows it ENTITLED, with the attempt from the activity context', async () => {
    dx.on(GetDataSetCommand).resolves({ Id: dataSetId, Arn: dataSetArn, Origin: 'ENTITLED' });

    const check = await run(3, activities.checkUid2Entitlement, { dataSetId });

    expect(check).toMatchObject({ dataSetId, dataSetArn, attempt: 3 });
    expect(Number.isNaN(Date.parse(check.checkedAt))).toBe(false);
    expect(dx.commandCalls(GetDataSetCommand)[0]!.args[0].input).toEqual({ DataSetId: dataSetId });
    expect(dx.commandCalls(ListDataSetsCommand)).toHaveLength(0);
  });

  it.each([
    ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'Data set not found', Message: 'Data set not found', $metadata: { httpStatusCode: 404 } })],
    ['AccessDeniedException', () => new AccessDeniedException({ message: 'Access denied', Message: 'Access denied', $metadata: { httpStatusCode: 403 } })],
  ])('after GetDataSet %s, finds the data set by Id in the paged ENTITLED list', async (_name, error) => {
    dx.on(GetDataSetCommand).rejects(error());
    const requests: ListDataSetsRequest[] = [];
    const pages: ListDataSetsResponse[] = [
      { DataSets: [dataSet('ds-other-1'), dataSet('ds-other-2')], NextToken: 'page-2' },
      { DataSets: [dataSet('ds-other-3'), dataSet(dataSetId, { Arn: dataSetArn })], NextToken: 'page-3' },
      { DataSets: [] },
    ];
    dx.on(ListDataSetsCommand).callsFake((input: ListDataSetsRequest) => {
      requests.push({ ...input });
      return pages[requests.length - 1];
    });

    const check = await run(2, activities.checkUid2Entitlement, { dataSetId });

    expect(check).toMatchObject({ dataSetId, dataSetArn, attempt: 2 });
    // Stops at the page holding the data set.
    expect(requests).toEqual([{ Origin: 'ENTITLED' }, { Origin: 'ENTITLED', NextToken: 'page-2' }]);
  });

  it('finds the data set by SourceId (the subscriber copy of the provider data set)', async () => {
    const entitledArn = 'arn:aws:dataexchange:us-east-1:111122223333:data-sets/ds-subscriber-copy';
    dx.on(GetDataSetCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));
    dx.on(ListDataSetsCommand).resolves({ DataSets: [dataSet('ds-subscriber-copy', { SourceId: dataSetId, Arn: entitledArn })] });

    const check = await run(1, activities.checkUid2Entitlement, { dataSetId });

    expect(check).toMatchObject({ dataSetId, dataSetArn: entitledArn, attempt: 1 });
  });

  it('throws a retryable, benign Uid2SubscriptionPending naming the attempt and data set while not entitled', async () => {
    dx.on(GetDataSetCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: { httpStatusCode: 404 } }));
    dx.on(ListDataSetsCommand)
      .resolvesOnce({ DataSets: [dataSet('ds-other-1')], NextToken: 'page-2' })
      .resolvesOnce({ DataSets: [] });

    const failure = await activityFailureOf(run(7, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(UID2_SUBSCRIPTION_PENDING);
    expect(failure.type).toBe(UID2_SUBSCRIPTION_PENDING);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.message).toContain('check 7');
    expect(failure.message).toContain(dataSetId);
    expect(dx.commandCalls(ListDataSetsCommand)).toHaveLength(2);
  });

  it('ends the round still pending when its check starts behind the round schedule, and keeps polling when on time', async () => {
    dx.on(GetDataSetCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: { httpStatusCode: 404 } }));
    dx.on(ListDataSetsCommand).resolves({ DataSets: [] });
    const hour = 3_600_000;
    const onTime = { since: new Date(Date.now() - 2 * hour).toISOString(), initialIntervalMs: hour, backoffCoefficient: 1, maximumIntervalMs: hour };
    const late = { ...onTime, since: new Date(Date.now() - 2 * hour - 5 * 60_000).toISOString() };

    expect((await activityFailureOf(run(3, activities.checkUid2Entitlement, { dataSetId, schedule: onTime }))).type).toBe(UID2_SUBSCRIPTION_PENDING);
    const check = await run(3, activities.checkUid2Entitlement, { dataSetId, schedule: late });
    expect(check).toMatchObject({ dataSetId, attempt: 3, pending: true });
    expect(check.dataSetArn).toBeUndefined();
    // A round's first check keeps polling however late it starts, or a late round would end at once, round after round.
    expect((await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId, schedule: late }))).type).toBe(UID2_SUBSCRIPTION_PENDING);
  });

  it('falls back to the list when GetDataSet answers with a data set that is not ENTITLED', async () => {
    dx.on(GetDataSetCommand).resolves({ Id: dataSetId, Arn: dataSetArn, Origin: 'OWNED' });
    dx.on(ListDataSetsCommand).resolves({ DataSets: [] });

    const failure = await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(UID2_SUBSCRIPTION_PENDING);
    expect(dx.commandCalls(ListDataSetsCommand)).toHaveLength(1);
  });

  it('surfaces ListDataSets AccessDeniedException as a non-retryable AwsAccessDenied', async () => {
    dx.on(GetDataSetCommand).rejects(new AccessDeniedException({ message: 'denied', Message: 'denied', $metadata: { httpStatusCode: 403 } }));
    dx.on(ListDataSetsCommand).rejects(
      new AccessDeniedException({ message: 'not authorized to perform dataexchange:ListDataSets', Message: 'x', $metadata: { httpStatusCode: 403, requestId: 'req-list' } }),
    );

    const failure = await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(AwsFailureType.accessDenied);
    expect(failure.type).toBe(AwsFailureType.accessDenied);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('checkUid2Entitlement');
    expect(failure.message).toContain('dataexchange:ListDataSets');
    expect(failure.details).toEqual([{ requestId: 'req-list' }]);
  });

  it('maps a GetDataSet ThrottlingException to a retryable AwsThrottled without listing', async () => {
    dx.on(GetDataSetCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    dx.on(ListDataSetsCommand).resolves({ DataSets: [dataSet(dataSetId)] });

    const failure = await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(AwsFailureType.throttled);
    expect(failure.nonRetryable).toBe(false);
    expect(dx.commandCalls(ListDataSetsCommand)).toHaveLength(0);
  });

  it.each([
    ['GetDataSet', true],
    ['ListDataSets', false],
  ])('maps an InternalServerException from %s to a retryable AwsUnavailable', async (_where, fromGet) => {
    const serverError = () => new InternalServerException({ message: 'Internal error', Message: 'Internal error', $metadata: { httpStatusCode: 500 } });
    if (fromGet) dx.on(GetDataSetCommand).rejects(serverError());
    else dx.on(GetDataSetCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));
    dx.on(ListDataSetsCommand).rejects(serverError());

    const failure = await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(AwsFailureType.unavailable);
    expect(failure.nonRetryable).toBe(false);
  });

  it('maps a plain server-fault error (as thrown for unmodelled 5xx) to AwsUnavailable', async () => {
    dx.on(GetDataSetCommand).rejects(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } }));

    const failure = await activityFailureOf(run(1, activities.checkUid2Entitlement, { dataSetId }));

    expect(failure.type).toBe(AwsFailureType.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('HTTP 503');
  });
});

describe('resolveUid2ApiAsset', () => {
  const marketplace = { dataSetId, revisionId, assetId, listingId };
  const derivedArn = `arn:aws:dataexchange:us-east-1:*:data-sets/${dataSetId}/revisions/${revisionId}/assets/${assetId}`;

  it('returns the ARN from GetAsset', async () => {
    dx.on(GetAssetCommand).resolves({ Arn: uid2AssetArn, Id: assetId, DataSetId: dataSetId, RevisionId: revisionId });

    await expect(run(1, activities.resolveUid2ApiAsset, marketplace)).resolves.toEqual({ assetArn: uid2AssetArn, source: 'GetAsset' });
    expect(dx.commandCalls(GetAssetCommand)[0]!.args[0].input).toEqual({ DataSetId: dataSetId, RevisionId: revisionId, AssetId: assetId });
  });

  it.each([
    ['AccessDeniedException', () => new AccessDeniedException({ message: 'denied', Message: 'denied', $metadata: { httpStatusCode: 403 } })],
    ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: { httpStatusCode: 404 } })],
  ])('derives the ARN with any provider account after GetAsset %s', async (_name, error) => {
    dx.on(GetAssetCommand).rejects(error());

    await expect(run(1, activities.resolveUid2ApiAsset, marketplace)).resolves.toEqual({ assetArn: derivedArn, source: 'derived' });
  });

  it('derives the ARN when GetAsset returns no Arn', async () => {
    dx.on(GetAssetCommand).resolves({ Id: assetId });

    await expect(run(1, activities.resolveUid2ApiAsset, marketplace)).resolves.toEqual({ assetArn: derivedArn, source: 'derived' });
  });

  it("takes the region of the Data Exchange client", async () => {
    const euActivities = withAwsFailureMapping(createUid2SubscriptionActivities({ entityResolution, dataExchange: new DataExchangeClient({ region: 'eu-west-1' }) }));
    dx.on(GetAssetCommand).rejects(new AccessDeniedException({ message: 'denied', Message: 'denied', $metadata: {} }));

    const result = await run(1, euActivities.resolveUid2ApiAsset, marketplace);

    expect(result.assetArn).toBe(`arn:aws:dataexchange:eu-west-1:*:data-sets/${dataSetId}/revisions/${revisionId}/assets/${assetId}`);
  });

  it('does not hide other errors behind a derived ARN', async () => {
    dx.on(GetAssetCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: meta }));

    const failure = await activityFailureOf(run(1, activities.resolveUid2ApiAsset, marketplace));

    expect(failure.type).toBe(AwsFailureType.throttled);
    expect(failure.details).toEqual([{ requestId: 'req-0001' }]);
  });
});
