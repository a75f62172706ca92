import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { audienceUploadInputSchema, type AudienceUploadConfig, type AudienceUploadResult } from '../schemas/audience-upload/audience-upload';
import { workflowIds } from '../schemas/temporal-names';
import { loadConfigFile } from '../starters/lib/load-config';
import { runWorkflow } from '../starters/lib/run-workflow';
import { starterContext, type StarterContext } from '../starters/lib/temporal';
import { PROJECT_ROOT } from '../toolchain/paths';
import { audienceUpload } from '../workflows/audience-upload/audience-upload';
import { sandboxAdmin } from './demo-data-seed';

/** The secret examples/audience-upload.sandbox.json names. */
export const DEMO_TIKTOK_SECRET_ID = 'identity-demo/tiktok';
/** The sandbox's TikTok advertiser: demo values the stand-in accepts, not credentials of anything real. */
const DEMO_TIKTOK_CREDENTIALS = { accessToken: 'sandbox-demo-tiktok-token', advertiserId: '7000000000000000001' };

/** The demo's audience config: the sandbox example's, its TikTok URL pointed at this sandbox. */
export function demoTiktokConfig(sandboxUrl: string): AudienceUploadConfig {
  const config = loadConfigFile(`${PROJECT_ROOT}/examples/audience-upload.sandbox.json`, audienceUploadInputSchema);
  return { ...config, tiktok: { ...config.tiktok, baseUrl: sandboxUrl } };
}

/** Gives the TikTok stand-in the demo advertiser and stores the same in the sandbox's Secrets Manager, where the activities read it. */
export async function seedDemoTiktok(region: string, sandboxUrl: string): Promise<void> {
  const secrets = new SecretsManagerClient({ region });
  try {
    const SecretString = JSON.stringify({ ACCESS_TOKEN: DEMO_TIKTOK_CREDENTIALS.accessToken, ADVERTISER_ID: DEMO_TIKTOK_CREDENTIALS.advertiserId });
    await secrets.send(new CreateSecretCommand({ Name: DEMO_TIKTOK_SECRET_ID, SecretString })).catch(async (err: unknown) => {
      if ((err as Error).name !== 'ResourceExistsException') throw err;
      await secrets.send(new PutSecretValueCommand({ SecretId: DEMO_TIKTOK_SECRET_ID, SecretString }));
    });
  } finally {
    secrets.destroy();
  }
  await sandboxAdmin(sandboxUrl, 'PUT', '/tiktok/credentials', DEMO_TIKTOK_CREDENTIALS);
}

/** Seeds the advertiser and starts today's upload of the demo customers; returns its workflow id. */
export async function startDemoTiktok(ctx: StarterContext, region: string, sandboxUrl: string, out: (line: string) => void): Promise<string> {
  await seedDemoTiktok(region, sandboxUrl);
  const input = demoTiktokConfig(sandboxUrl);
  const workflowId = workflowIds.audienceUpload(input.name, new Date().toISOString().slice(0, 10));
  await runWorkflow({ ctx, workflow: audienceUpload, workflowId, args: [input], wait: false, out });
  return workflowId;
}

/** Once the upload run ends: one line of counts and audience ids. */
export function reportTiktokAudienceWhenDone(env: NodeJS.ProcessEnv, workflowId: string): () => void {
  const watching = starterContext(env);
  watching
    .then(async (ctx) => console.log(tiktokAudienceLine(await ctx.client.workflow.getHandle<typeof audienceUpload>(workflowId).result())))
    .catch(() => undefined)
    .finally(() => void watching.then((ctx) => ctx.close()).catch(() => undefined));
  return () => void watching.then((ctx) => ctx.close()).catch(() => undefined);
}

export function tiktokAudienceLine(r: AudienceUploadResult): string {
  const audiences = Object.entries(r.audienceIds)
    .map(([type, id]) => `${type} ${id} (${r.identifiers[type as keyof typeof r.identifiers] ?? 0} identifiers)`)
    .join(', ');
  const what = r.outcome === 'unchanged' ? 'unchanged since the last upload' : r.created ? 'created' : 'updated';
  return `demo: TikTok audiences ${audiences} ${what}: ${r.rows.in} rows in, ${r.rows.rejected} rejected, ${r.files.applied} files applied (see ${r.rejectsPrefix} for the rejects)`;
}
