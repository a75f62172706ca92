import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAssetCommand, GetDataSetCommand, ListDataSetsCommand, ResourceNotFoundException } from '@aws-sdk/client-dataexchange';
import {
  GetProviderServiceCommand,
  ListProviderServicesCommand,
  ResourceNotFoundException as ErNotFound,
  ValidationException as ErValidation,
  paginateListProviderServices,
} from '@aws-sdk/client-entityresolution';
import { describe, expect, it } from 'vitest';
import { UID2_LISTING } from '../../sandbox/services/catalog';
import { startSandbox } from '../../sandbox/server';
import { adminCall, useSandbox } from '../helpers/sandbox';

const ctx = useSandbox({ emulators: false });
const uid2Arn = 'arn:aws:entityresolution:us-east-1::providerservice/UID2/uid2-assignment';

describe('sandbox: Entity Resolution provider services (real SDK client)', () => {
  it('lists the UID2 assignment service among others, paged', async () => {
    const names: string[] = [];
    for await (const page of paginateListProviderServices({ client: ctx.aws.entityResolution, pageSize: 15 }, {})) {
      expect(page.providerServiceSummaries!.length).toBeLessThanOrEqual(15);
      names.push(...page.providerServiceSummaries!.map((s) => `${s.providerName}/${s.providerServiceName}/${s.providerServiceType}`));
    }
    expect(names).toContain('UID2/uid2-assignment/ASSIGNMENT');
    expect(names.length).toBeGreaterThan(1);
    const filtered = await ctx.aws.entityResolution.send(new ListProviderServicesCommand({ providerName: 'UID2' }));
    expect(filtered.providerServiceSummaries?.map((s) => s.providerName)).toEqual(['UID2']);
    expect(filtered.providerServiceSummaries?.[0]?.providerServiceArn).toMatch(/^arn:aws:entityresolution:us-east-1::providerservice\/UID2\//);
  });

  it('describes the UID2 service with its Data Exchange marketplace configuration', async () => {
    const service = await ctx.aws.entityResolution.send(new GetProviderServiceCommand({ providerName: 'UID2', providerServiceName: uid2Arn }));
    expect(service.providerServiceType).toBe('ASSIGNMENT');
    expect(service.providerEndpointConfiguration).toEqual({
      marketplaceConfiguration: {
        dataSetId: UID2_LISTING.dataSetId,
        revisionId: UID2_LISTING.revisionId,
        assetId: UID2_LISTING.assetId,
        listingId: UID2_LISTING.listingId,
      },
    });
  });

  it('answers an unknown provider service with ResourceNotFoundException', async () => {
    const unknown = 'arn:aws:entityresolution:us-east-1::providerservice/Nope/x';
    await expect(ctx.aws.entityResolution.send(new GetProviderServiceCommand({ providerName: 'Nope', providerServiceName: unknown }))).rejects.toBeInstanceOf(ErNotFound);
  });

  it('refuses inputs its service model refuses: a page size under 15, a provider service given by name instead of ARN', async () => {
    await expect(ctx.aws.entityResolution.send(new ListProviderServicesCommand({ maxResults: 1 }))).rejects.toThrow(
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 15",
    );
    const byName = await ctx.aws.entityResolution.send(new GetProviderServiceCommand({ providerName: 'UID2', providerServiceName: 'uid2-assignment' })).catch((e: unknown) => e);
    expect(byName).toBeInstanceOf(ErValidation);
    expect((byName as Error).message).toMatch(/^2 validation errors detected: Value at 'providerServiceName' failed to satisfy constraint: Member must have length greater than or equal to 20; /);
  });
});

describe('sandbox: Data Exchange entitlement (real SDK client)', () => {
  const { dataSetId, revisionId, assetId } = UID2_LISTING;

  it('hides the UID2 data set until the admin API approves the subscription', async () => {
    const err = await ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).ResourceType).toBe('DATA_SET');
    expect((await ctx.aws.dataExchange.send(new ListDataSetsCommand({ Origin: 'ENTITLED' }))).DataSets).toEqual([]);

    await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});

    const dataSet = await ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }));
    expect(dataSet.Origin).toBe('ENTITLED');
    expect(dataSet.CreatedAt).toBeInstanceOf(Date);
    const listed = await ctx.aws.dataExchange.send(new ListDataSetsCommand({ Origin: 'ENTITLED' }));
    expect(listed.DataSets?.map((d) => d.Id)).toEqual([dataSetId]);
    expect((await ctx.aws.dataExchange.send(new ListDataSetsCommand({ Origin: 'OWNED' }))).DataSets).toEqual([]);
    const asset = await ctx.aws.dataExchange.send(new GetAssetCommand({ DataSetId: dataSetId, RevisionId: revisionId, AssetId: assetId }));
    expect(asset.Arn).toBe(`arn:aws:dataexchange:us-east-1:111122223333:data-sets/${dataSetId}/revisions/${revisionId}/assets/${assetId}`);
    expect(asset.Name).toBe('venice-api-gateway-prod');
  });

  it('approves after a given number of entitlement checks, as a provider acting mid-wait', async () => {
    await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', { afterChecks: 2 });
    await expect(ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }))).Origin).toBe('ENTITLED');
  });

  it('revokes an entitlement', async () => {
    await adminCall(ctx.sandbox, 'POST', '/data-exchange/entitle', {});
    expect(await adminCall(ctx.sandbox, 'POST', '/data-exchange/revoke', {})).toEqual({ entitled: [], entitleAfterChecks: {} });
    await expect(ctx.aws.dataExchange.send(new GetDataSetCommand({ DataSetId: dataSetId }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps its state across a restart when given a data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const first = await startSandbox({ port: 0, dataDir, emulators: false });
    await adminCall(first, 'POST', '/data-exchange/entitle', {});
    await first.close();
    const second = await startSandbox({ port: 0, dataDir, emulators: false });
    try {
      expect(second.store.get().dataExchange.entitled).toEqual([dataSetId]);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sandbox: faults on demand', () => {
  it('throttles by the configured probability; the SDK retries ThrottlingException; counters tell', { timeout: 30_000 }, async () => {
    await adminCall(ctx.sandbox, 'PUT', '/faults', { seed: 7, rules: [{ service: 'entityresolution', operation: 'GetProviderService', throttle: 0.3 }] });
    for (let i = 0; i < 6; i++) {
      await ctx.aws.entityResolution.send(new GetProviderServiceCommand({ providerName: 'UID2', providerServiceName: uid2Arn }));
    }
    const counters = (await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>;
    expect(counters['entityresolution:GetProviderService:throttle']).toBeGreaterThan(0);
    expect(counters['entityresolution:GetProviderService']).toBe(6 + counters['entityresolution:GetProviderService:throttle']!);
  });

  it('surfaces a ThrottlingException when every attempt is throttled, and a 500 as InternalServerException', { timeout: 30_000 }, async () => {
    await adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'dataexchange', throttle: 1 }, { service: 'entityresolution', serverError: 1 }] });
    const throttled = (await ctx.aws.dataExchange.send(new ListDataSetsCommand({ Origin: 'ENTITLED' })).catch((e: unknown) => e)) as Error;
    expect(throttled.name).toBe('ThrottlingException');
    const failed = (await ctx.aws.entityResolution.send(new ListProviderServicesCommand({})).catch((e: unknown) => e)) as Error & { $fault?: string };
    expect(failed.name).toBe('InternalServerException');
    expect(failed.$fault).toBe('server');
  });

  it('rejects a bad fault configuration with the field named', async () => {
    await expect(adminCall(ctx.sandbox, 'PUT', '/faults', { rules: [{ service: 'dataexchange', throttle: 2 }] })).rejects.toThrow(/rules\.0\.throttle/);
  });

  it('replays the same faults for the same seed', async () => {
    const run = async () => {
      await adminCall(ctx.sandbox, 'PUT', '/faults', { seed: 42, rules: [{ service: 'dataexchange', throttle: 0.3 }] });
      await adminCall(ctx.sandbox, 'DELETE', '/counters');
      for (let i = 0; i < 8; i++) await ctx.aws.dataExchange.send(new ListDataSetsCommand({ Origin: 'ENTITLED' }));
      return ((await adminCall(ctx.sandbox, 'GET', '/counters')) as Record<string, number>)['dataexchange:ListDataSets'];
    };
    expect(await run()).toBe(await run());
  });
});
