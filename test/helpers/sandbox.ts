import type { ActivityDeps } from '../../activities';
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
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
