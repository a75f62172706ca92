import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The request's SigV4 date (`x-amz-date: 20260101T120000Z`), so the new signature has the client's time. */
function signingDate(headers: IncomingHttpHeaders): Date | undefined {
  const value = headers['x-amz-date'];
  const match = typeof value === 'string' ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  return match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!)) : undefined;
}

/**
 * The sandbox accepts any credentials; its S3 emulator checks signatures, so an S3 request is signed
 * again with the emulator's key and region. Every header the client sent is kept (and signed), its
 * payload hash included (`UNSIGNED-PAYLOAD`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER` or the body's
 * SHA-256), so the body streams through untouched. S3 paths are signed as sent, not escaped again.
 */
export async function resignedS3Headers(
  request: { method?: string; url?: string; headers: IncomingHttpHeaders },
  signWith: { credentials: { accessKeyId: string; secretAccessKey: string }; region: string },
): Promise<OutgoingHttpHeaders> {
  const [path = '/', search = ''] = (request.url ?? '/').split('?', 2);
  const params = new URLSearchParams(search);
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'authorization' || name === 'x-amz-security-token') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({ ...signWith, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
  const [hostname = '127.0.0.1', port] = (request.headers.host ?? '').split(':');
  const signed = await signer.sign(
    { method: request.method ?? 'GET', protocol: 'http:', hostname, port: port ? Number(port) : undefined, path, query, headers },
    { signingDate: signingDate(request.headers) },
  );
  return signed.headers;
}
