/**
 * The signing scope of a SigV4-signed request: `Credential=<key>/<date>/<region>/<service>/aws4_request`.
 * The sandbox routes by this service name (the SDK's signing name) and accepts any credentials.
 */
export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

export function credentialScope(authorization: string | undefined): CredentialScope | undefined {
  const match = authorization ? CREDENTIAL.exec(authorization) : null;
  if (!match) return undefined;
  return { accessKeyId: match[1]!, region: match[2]!, service: match[3]! };
}
