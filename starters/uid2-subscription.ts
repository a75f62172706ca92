import { Command } from 'commander';
import { workflowIds } from '../schemas/temporal-names';
import { operatorActionSchema } from '../schemas/operator-action';
import { uid2SubscriptionApprovalInputSchema } from '../schemas/uid2-subscription-approval';
import {
  approveUpdate,
  cancelUpdate,
  checkNowSignal,
  uid2SubscriptionApprovalStatusQuery,
  uid2SubscriptionApproval,
} from '../workflows/uid2-subscription-approval/uid2-subscription-approval';
import { loadConfigFile, validateConfig } from './lib/load-config';
import { exitWith, runCli } from './lib/run-cli';
import { runWorkflow } from './lib/run-workflow';
import { starterContext } from './lib/temporal';
import { sendDecision } from './uid2-subscription-decision';
import { renderUid2SubscriptionApprovalStatus } from './uid2-subscription-status';

const program = new Command('uid2-subscription')
  .description('Wait until the UID2 subscription on AWS Data Exchange is approved (workflow uid2SubscriptionApproval).')
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('start the wait (one per account: a second start attaches to the running one)')
  .requiredOption('-c, --config <file>', 'JSON config, e.g. examples/uid2-subscription.json')
  .option('-w, --wait', 'follow progress until the run ends; exit code 0 only on approval')
  .action(async (opts: { config: string; wait?: boolean }) => {
    const input = loadConfigFile(opts.config, uid2SubscriptionApprovalInputSchema);
    const ctx = await starterContext();
    try {
      const code = await runWorkflow({
        ctx,
        workflow: uid2SubscriptionApproval,
        workflowId: workflowIds.uid2SubscriptionApproval(input.account),
        args: [{ input }],
        wait: Boolean(opts.wait),
        status: { query: uid2SubscriptionApprovalStatusQuery, render: renderUid2SubscriptionApprovalStatus },
      });
      exitWith(code);
    } finally {
      await ctx.close();
    }
  });

const accountOption = ['-a, --account <id>', 'the 12-digit AWS account id the wait was started for (default: the wait started without one)'] as const;

program
  .command('status')
  .description('print the status query of the running wait')
  .option(...accountOption)
  .action(async (opts: { account?: string }) =>
    withHandle(opts.account, async (handle) => {
      console.log(JSON.stringify(await handle.query(uid2SubscriptionApprovalStatusQuery, new Date().toISOString()), null, 2));
    }),
  );

for (const [name, update, verb] of [
  ['approve', approveUpdate, 'mark the subscription approved (when it was approved out of band); prints the decision the wait recorded, exit 1 if it refuses'],
  ['cancel', cancelUpdate, 'stop waiting; prints the decision the wait recorded, exit 1 if it refuses'],
] as const) {
  program
    .command(name)
    .description(verb)
    .requiredOption('--by <operator-id>', 'your operator id (not an email or a name)')
    .requiredOption('--reason <text>', 'why, in a few words')
    .option(...accountOption)
    .action(async (opts: { by: string; reason: string; account?: string }) => {
      const action = validateConfig(`--by/--reason`, { by: opts.by, reason: opts.reason }, operatorActionSchema);
      return withHandle(opts.account, async (handle) => exitWith(await sendDecision(handle, update, action)));
    });
}

program
  .command('check-now')
  .description('check the entitlement at once instead of waiting for the next scheduled check')
  .option(...accountOption)
  .action(async (opts: { account?: string }) =>
    withHandle(opts.account, async (handle) => {
      await handle.signal(checkNowSignal);
      console.log(`Sent 'checkNow' to ${handle.workflowId}`);
    }),
  );

async function withHandle(
  account: string | undefined,
  fn: (handle: ReturnType<Awaited<ReturnType<typeof starterContext>>['client']['workflow']['getHandle']>) => Promise<void>,
): Promise<void> {
  const ctx = await starterContext();
  try {
    await fn(ctx.client.workflow.getHandle(workflowIds.uid2SubscriptionApproval(account)));
  } finally {
    await ctx.close();
  }
}

runCli(program);
