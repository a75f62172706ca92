import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http-io';
import type { S3Backend } from '../emulators/s3-backend';
import { proxyTo } from './proxy';
import { resignedS3Headers } from './resign';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The sandbox's S3 has one region while clients may be configured for any: CreateBucket's
 * `LocationConstraint` (which the SDK adds for every region but us-east-1) is dropped, and
 * requests are signed in the emulator's region.
 */
export function withoutLocationConstraint(body: Buffer): Buffer {
  return Buffer.from(body.toString('utf8').replace(/<LocationConstraint>[^<]*<\/LocationConstraint>/, ''));
}

/** Streams an S3 call (already named `operation`) to versitygw and its answer back. */
export async function forwardToS3Backend(req: IncomingMessage, res: ServerResponse, operation: string, s3: S3Backend): Promise<void> {
  const headers = { ...req.headers };
  let body: Buffer | undefined;
  if (operation === 'CreateBucket') {
    body = withoutLocationConstraint(await readBody(req));
    headers['content-length'] = String(body.length);
    headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
    delete headers['content-md5'];
    delete headers['transfer-encoding'];
  }
  const signed = await resignedS3Headers({ method: req.method, url: req.url, headers }, s3);
  const status = await proxyTo(req, res, s3.url, signed, body);
  const bucket = decodeURIComponent((req.url ?? '/').split(/[/?]/)[1] ?? '');
  if (operation === 'CreateBucket' && status === 200 && BUCKET_NAME.test(bucket)) s3.bucketCreated(bucket);
}
