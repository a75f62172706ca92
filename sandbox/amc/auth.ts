import type { IncomingMessage } from 'node:http';
import type { StateStore } from '../state';
import { AmcError } from './amc-errors';
import { amcStateOf, type AmcInstance } from './amc-state';

/**
 * The checks the Ads API makes of an AMC call: a live access token for the client id the
 * Amazon-Advertising-API-ClientId header names (401), an instance the advertiser and marketplace
 * headers own (403 naming the header), and the instance itself (404).
 */
export function authorise(req: IncomingMessage, store: StateStore, instanceId: string, now: number): AmcInstance {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const bearer = /^Bearer (.+)$/i.exec(header('authorization') ?? '')?.[1];
  const amc = amcStateOf(store.get());
  const token = bearer === undefined ? undefined : amc.tokens[bearer];
  if (!token || token.expiresAt <= now) throw new AmcError(401, 'Not authorized: the access token in Authorization is missing, unknown or expired', 'UNAUTHORIZED');
  const clientId = header('amazon-advertising-api-clientid');
  if (!clientId) throw new AmcError(400, 'Amazon-Advertising-API-ClientId header is required');
  if (clientId !== token.clientId) throw new AmcError(401, 'Amazon-Advertising-API-ClientId does not match the access token', 'UNAUTHORIZED');
  const instance = amc.instances[instanceId];
  if (!instance) throw new AmcError(404, `AMC instance ${instanceId} not found`, 'NOT_FOUND');
  if (header('amazon-advertising-api-advertiserid') !== instance.advertiserId) {
    throw new AmcError(403, 'Amazon-Advertising-API-AdvertiserId does not own this AMC instance', 'FORBIDDEN');
  }
  if (header('amazon-advertising-api-marketplaceid') !== instance.marketplaceId) {
    throw new AmcError(403, 'Amazon-Advertising-API-MarketplaceId is not the marketplace of this AMC instance', 'FORBIDDEN');
  }
  return instance;
}
