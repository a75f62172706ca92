import { amcIdMappingInputSchema, type AmcIdMappingConfig } from '../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../schemas/amc-id-mapping/amc-id-mapping-resources';
import { workflowIds } from '../schemas/temporal-names';
import { loadConfigFile } from '../starters/lib/load-config';
import { runWorkflow } from '../starters/lib/run-workflow';
import { starterContext, type StarterContext } from '../starters/lib/temporal';
import { PROJECT_ROOT } from '../toolchain/paths';
import { amcIdMapping, amcIdMappingStatusQuery } from '../workflows/amc-id-mapping/amc-id-mapping';
import type { AmcIdMappingStatus } from '../workflows/amc-id-mapping/amc-id-mapping-status';
import { seedDemoAmc } from './demo-data-seed';

/** The demo's AMC config: the example's, its Ads API and Login with Amazon pointed at this sandbox. */
export function demoAmcConfig(sandboxUrl: string): AmcIdMappingConfig {
  const config = loadConfigFile(`${PROJECT_ROOT}/examples/amc-id-mapping.sandbox.json`, amcIdMappingInputSchema);
  return { ...config, amc: { ...config.amc, baseUrl: sandboxUrl, tokenUrl: `${sandboxUrl}/auth/o2/token` } };
}

/** Seeds the AMC instance (pending acceptance for two checks) and starts the demo customers' table guard; returns its workflow id. */
export async function startDemoAmc(ctx: StarterContext, region: string, sandboxUrl: string, out: (line: string) => void): Promise<string> {
  await seedDemoAmc(region, sandboxUrl);
  const input = demoAmcConfig(sandboxUrl);
  const workflowId = workflowIds.amcIdMapping(input.amc.instanceId, amcTableName(input));
  await runWorkflow({ ctx, workflow: amcIdMapping, workflowId, args: [{ input }], wait: false, out });
  return workflowId;
}

const ENDED = new Set(['failed', 'completed']);

/**
 * Once the table exists and its create job succeeded: one line of counts and ids. Polls the status query
 * only (no long poll left open on a run that lasts months), and closes its connection only between calls.
 */
export function reportAmcTableWhenGuarding(env: NodeJS.ProcessEnv, workflowId: string, everyMs = 2000): () => void {
  let stopped = false;
  const watch = async () => {
    const ctx = await starterContext(env);
    try {
      const handle = ctx.client.workflow.getHandle<typeof amcIdMapping>(workflowId);
      while (!stopped) {
        const status = await handle.query(amcIdMappingStatusQuery, new Date().toISOString()).catch(() => undefined);
        const line = status && amcTableLine(status);
        if (line && !stopped) console.log(line);
        if (line || (status && ENDED.has(status.stage))) return;
        await new Promise((resolve) => setTimeout(resolve, everyMs).unref());
      }
    } finally {
      await ctx.close();
    }
  };
  watch().catch(() => undefined);
  return () => {
    stopped = true;
  };
}

/** Counts when the last look published a generation (an unchanged look, e.g. after a restarted demo, has none). */
export function amcTableLine(s: AmcIdMappingStatus): string | undefined {
  const table = s.tables[0];
  if (!table || s.lastJob?.status !== 'SUCCEEDED') return undefined;
  const c = s.lastInput?.counts;
  const counts = c ? `: ${c.inputRows} rows in, ${c.rejected} rejected, ${c.keys} customer keys (${c.collapsedKeys} collapsed from over 25 rows)` : '';
  const next = s.nextEligibleAt ? `; AMC allows its next refresh from ${s.nextEligibleAt}` : '';
  return `demo: AMC mapping table ${table.name} (id ${table.id}) ready${counts}, ${s.lastJob.kind} job ${s.lastJob.status}${next}`;
}
