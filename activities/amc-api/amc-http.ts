import { logger } from '../../temporal-client/logger';
import type { AmcCredentialsReader } from './amc-credentials';
import type { AmcTarget } from './amc-target';
import { AmcHttpError, AmcNetworkError, parseRetryAfter, readErrorBody } from './http-errors';
import type { AccessTokens } from './lwa-token';

/** The Ads API's media type for AMC instance resources. */
export const AMC_MEDIA_TYPE = 'application/vnd.amcinstances.v1+json';
const TIMEOUT_MS = 30_000;

export interface AmcHttpDeps {
  credentials: AmcCredentialsReader;
  tokens: AccessTokens;
  fetch: typeof fetch;
  now: () => number;
}

export interface AmcRequest {
  /** Names the call in errors and logs, e.g. CreateCollaborationIdMappingTable. */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Under the instance: `/collaboration/...` becomes `/amc/instances/<id>/collaboration/...`. */
  path: string;
  body?: unknown;
}

const log = logger.child({ component: 'amc-api' });

/**
 * One Ads API call under the target's AMC instance, with a Login with Amazon access token. A 401
 * exchanges a fresh token and tries once more; any other non-2xx throws AmcHttpError for the
 * classifier. Logs the operation, status and request id, never headers or bodies.
 */
export async function amcCall(deps: AmcHttpDeps, target: AmcTarget, request: AmcRequest): Promise<unknown> {
  const credentials = await deps.credentials.read(target.credentialsSecretId);
  const url = `${target.baseUrl.replace(/\/+$/, '')}/amc/instances/${encodeURIComponent(target.instanceId)}${request.path}`;
  for (let attempt = 1; ; attempt++) {
    const token = await deps.tokens.get(target.tokenUrl, credentials);
    let res: Response;
    try {
      res = await deps.fetch(url, {
        method: request.method,
        headers: {
          authorization: `Bearer ${token}`,
          'amazon-advertising-api-clientid': credentials.clientId,
          'amazon-advertising-api-advertiserid': target.advertiserId,
          'amazon-advertising-api-marketplaceid': target.marketplaceId,
          accept: AMC_MEDIA_TYPE,
          ...(request.body === undefined ? {} : { 'content-type': AMC_MEDIA_TYPE }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new AmcNetworkError(request.operation, (err as Error).name);
    }
    const requestId = res.headers.get('x-amzn-requestid') ?? undefined;
    log.debug({ operation: request.operation, status: res.status, requestId }, 'Ads API call');
    const text = await res.text();
    if (res.status === 401 && attempt === 1) {
      deps.tokens.invalidate(target.tokenUrl, credentials);
      continue;
    }
    if (!res.ok) {
      const { code, detail } = readErrorBody(text);
      throw new AmcHttpError(request.operation, res.status, code, detail, parseRetryAfter(res.headers.get('retry-after'), deps.now()), requestId);
    }
    if (text.length === 0) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AmcHttpError(request.operation, 502, undefined, 'the answer is not JSON', undefined, requestId);
    }
  }
}
