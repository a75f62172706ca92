import { adminAuthHeaders } from '../sandbox/admin/admin-guard';
import { workflowIds } from '../schemas/temporal-names';
import { prepareIdentityDataInputSchema } from '../schemas/preparation/prep';
import { uid2MatchingInputSchema, type Uid2MatchingResult } from '../schemas/uid2-matching/uid2-matching';
import { uid2SubscriptionApprovalInputSchema } from '../schemas/uid2-subscription-approval';
import { loadConfigFile } from '../starters/lib/load-config';
import { runWorkflow } from '../starters/lib/run-workflow';
import { starterContext } from '../starters/lib/temporal';
import { prepareIdentityData } from '../workflows/preparation/prepare-identity-data';
import { uid2Matching } from '../workflows/uid2-matching/uid2-matching';
import { uid2SubscriptionApproval } from '../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { logger } from '../temporal-client/logger';
import { DEMO_DATABASE, DEMO_DATA_URI, DEMO_TABLE, seedDemoData } from './demo-data-seed';
import { reportAmcTableWhenGuarding, startDemoAmc } from './demo-amc';
import { reportTiktokAudienceWhenDone, startDemoTiktok } from './demo-tiktok';
import { PROJECT_ROOT } from '../toolchain/paths';

export const DEMO_APPROVAL_DELAY_MS = 60_000;

/**
 * The newcomer's demo under `npm start` with the sandbox: demo customer data in S3 and Glue, one run
 * of each workflow that exists
 * (uid2SubscriptionApproval; prepareIdentityData preparing the demo customers for UID2; uid2Matching, which waits for the
 * approval and then maps the customers' emails and phones to UID2s; amcIdMapping making them an AMC ID mapping table once
 * the sandbox's AMC accepts its collaboration; audienceUpload sending them to TikTok custom audiences), and the sandbox approving the UID2 subscription a minute later, as the UID2
 * team would, so the runs complete in front of you in the Temporal UI.
 */
export async function startDemo(env: NodeJS.ProcessEnv, sandboxUrl: string): Promise<() => void> {
  const seeded = await seedDemoData(env.AWS_REGION ?? 'us-east-1');
  console.log(`demo: ${seeded.rows} synthetic customer records (two sources, dirty values) in ${DEMO_DATA_URI}, Glue table ${DEMO_DATABASE}.${DEMO_TABLE}`);
  const input = loadConfigFile(`${PROJECT_ROOT}/examples/uid2-subscription.sandbox.json`, uid2SubscriptionApprovalInputSchema);
  const ctx = await starterContext(env);
  let matchingId: string;
  let amcId: string;
  let tiktokId: string;
  try {
    await runWorkflow({
      ctx,
      workflow: uid2SubscriptionApproval,
      workflowId: workflowIds.uid2SubscriptionApproval(input.account),
      args: [{ input }],
      wait: false,
      out: (line) => console.log(`demo: ${line}`),
    });
    const prep = loadConfigFile(`${PROJECT_ROOT}/examples/prepare-identity-data.sandbox.json`, prepareIdentityDataInputSchema);
    await runWorkflow({
      ctx,
      workflow: prepareIdentityData,
      workflowId: workflowIds.prepareIdentityData(prep.output),
      args: [prep],
      wait: false,
      out: (line) => console.log(`demo: ${line}`),
    });
    // Waits on the approval run above, then maps the demo's emails and phones to UID2s in two ER workflows.
    const matching = loadConfigFile(`${PROJECT_ROOT}/examples/uid2-matching.sandbox.json`, uid2MatchingInputSchema);
    matchingId = workflowIds.uid2Matching(matching.name, new Date().toISOString().slice(0, 10));
    await runWorkflow({
      ctx,
      workflow: uid2Matching,
      workflowId: matchingId,
      args: [matching],
      wait: false,
      out: (line) => console.log(`demo: ${line}`),
    });
    amcId = await startDemoAmc(ctx, env.AWS_REGION ?? 'us-east-1', sandboxUrl, (line) => console.log(`demo: ${line}`));
    tiktokId = await startDemoTiktok(ctx, env.AWS_REGION ?? 'us-east-1', sandboxUrl, (line) => console.log(`demo: ${line}`));
  } finally {
    await ctx.close();
  }
  const approveAt = new Date(Date.now() + DEMO_APPROVAL_DELAY_MS);
  console.log(`demo: the sandbox approves the UID2 subscription at ${approveAt.toLocaleTimeString()}; watch the run complete in the UI.`);
  const timer = setTimeout(() => {
    fetch(`${sandboxUrl}/_sandbox/data-exchange/entitle`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', ...adminAuthHeaders(env) } })
      .then((res) => logger.info(`demo: sandbox approved the UID2 subscription (HTTP ${res.status})`))
      .catch((err: unknown) => logger.warn(`demo: could not approve in the sandbox: ${(err as Error).message}`));
  }, DEMO_APPROVAL_DELAY_MS);
  const stopReporting = [reportPhonesWhenDone(env, matchingId), reportAmcTableWhenGuarding(env, amcId), reportTiktokAudienceWhenDone(env, tiktokId)];
  return () => {
    clearTimeout(timer);
    for (const stop of stopReporting) stop();
  };
}

/** Once the matching run completes: how many of the demo's phones normalisation recovered (counts and a URI only). */
function reportPhonesWhenDone(env: NodeJS.ProcessEnv, workflowId: string): () => void {
  const watching = starterContext(env);
  watching
    .then(async (ctx) => {
      const result = await ctx.client.workflow.getHandle<typeof uid2Matching>(workflowId).result();
      const line = phonesLine(result);
      if (line) console.log(line);
    })
    .catch(() => undefined)
    .finally(() => void watching.then((ctx) => ctx.close()).catch(() => undefined));
  return () => void watching.then((ctx) => ctx.close()).catch(() => undefined);
}

export function phonesLine(result: Uid2MatchingResult): string | undefined {
  const phone = result.identifiers.find((i) => i.identifier === 'phone');
  const c = phone?.counts;
  if (!c || !phone.preparation) return undefined;
  return `demo: phones: ${c.inputRows} in, ${c.recovered} recovered by normalisation (rewritten into E.164), ${c.matched} matched, ${c.rejectedBeforeEr} rejected before Entity Resolution (see ${phone.preparation.rejectsPrefix})`;
}
