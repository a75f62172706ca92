import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { adminAuthHeaders } from '../../sandbox/admin/admin-guard';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { createAwsClients } from '../../worker/aws-clients';

/**
 * A sandbox on a free port and the worker's own AWS clients pointed at it the way users do it:
 * AWS_ENDPOINT_URL plus dummy credentials in the environment.
 */
export async function sandboxWithClients(opts: Partial<SandboxOptions> = {}): Promise<{ sandbox: Sandbox; clients: ActivityDeps }> {
  const sandbox = await startSandbox({ port: 0, ...opts });
  process.env.AWS_ENDPOINT_URL = sandbox.url;
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  return { sandbox, clients: createAwsClients({ AWS_REGION: 'us-east-1' }) };
}

export async function adminCall(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: { ...adminAuthHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Registers the hooks of a suite that talks to its own sandbox, reset before each test. */
export function useSandbox(opts: Partial<SandboxOptions> = {}): { readonly sandbox: Sandbox; readonly aws: ActivityDeps } {
  let started: { sandbox: Sandbox; clients: ActivityDeps } | undefined;
  beforeAll(async () => {
    started = await sandboxWithClients(opts);
  }, 60_000);
  afterAll(async () => {
    await started?.sandbox.close();
  });
  beforeEach(async () => {
    await adminCall(started!.sandbox, 'POST', '/reset');
  });
  return {
    get sandbox() {
      return started!.sandbox;
    },
    get aws() {
      return started!.clients;
    },
  };
}

/** useSandbox(), with these S3 buckets created again after each reset. */
export function useSandboxBuckets(...buckets: string[]): ReturnType<typeof useSandbox> {
  const ctx = useSandbox();
  beforeEach(async () => {
    for (const Bucket of buckets) await ctx.aws.s3.send(new CreateBucketCommand({ Bucket }));
  });
  return ctx;
}
