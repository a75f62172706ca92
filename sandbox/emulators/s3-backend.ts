import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { versitygwPath } from '../../toolchain/paths';
import { emulatorEnv, freePort, startChildServer, type ChildServer } from './child-process';

/**
 * The sandbox's S3: Versity S3 Gateway (versitygw, Go module installed by scripts/setup-toolchain.mjs)
 * with its posix backend. Each object is one file under `<dir>/objects/<bucket>/<key>` and its
 * metadata a few small files under `<dir>/metadata`; multipart parts are staged on disk and joined
 * into the object's file on completion, so nothing is held in memory or stored twice.
 */
export interface S3Backend extends ChildServer {
  /** versitygw checks signatures against one account and region: the router signs client requests again with them. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** Call after a CreateBucket succeeded. */
  bucketCreated(bucket: string): void;
  /** Deletes every bucket and object (files included). */
  reset(): void;
}

/** Creates `path` owner-only (0700), or makes it so if it exists. */
export function ownerOnlyDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

export async function startS3Backend(dir: string): Promise<S3Backend> {
  const objects = ownerOnlyDir(join(ownerOnlyDir(dir), 'objects'));
  const metadata = ownerOnlyDir(join(dir, 'metadata'));
  const port = await freePort();
  const credentials = { accessKeyId: 'sandbox', secretAccessKey: randomBytes(16).toString('hex') };
  const region = 'us-east-1';
  const gateway = ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet'];
  const posix = ['posix', '--sidecar', metadata, '--dir-perms', '0700', objects];
  const child = await startChildServer({
    name: 'versitygw (S3)',
    command: versitygwPath(),
    args: [...gateway, ...posix],
    url: `http://127.0.0.1:${port}`,
    env: emulatorEnv({ ROOT_ACCESS_KEY_ID: credentials.accessKeyId, ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey }),
  });
  const empty = (path: string) => {
    for (const entry of readdirSync(path)) rmSync(join(path, entry), { recursive: true, force: true });
  };
  return {
    ...child,
    credentials,
    region,
    // versitygw stages uploads in <bucket>/.sgwtmp; while that folder is missing it falls back to a
    // temporary file it chmods to 0644, so the bucket's first object would escape the umask.
    bucketCreated: (bucket) => void ownerOnlyDir(join(objects, bucket, '.sgwtmp')),
    reset: () => {
      empty(objects);
      empty(metadata);
    },
  };
}
