import { Command } from 'commander';
import { workflowIds } from '../schemas/temporal-names';
import { uid2MatchingInputSchema } from '../schemas/uid2-matching/uid2-matching';
import { uid2Matching, uid2MatchingStatusQuery } from '../workflows/uid2-matching/uid2-matching';
import { loadConfigFile } from './lib/load-config';
import { exitWith, runCli } from './lib/run-cli';
import { runWorkflow } from './lib/run-workflow';
import { starterContext } from './lib/temporal';
import { renderUid2MatchingStatus } from './uid2-matching-status';

const program = new Command('uid2-matching')
  .description('Map the emails and/or phone numbers of a Glue table (or an S3 prefix) to raw UID2s through AWS Entity Resolution (workflow uid2Matching).')
  .requiredOption('-c, --config <file>', 'JSON config, e.g. examples/uid2-matching.sandbox.json')
  .option('-w, --wait', 'follow stage and job progress until the run ends; exit code 0 only on success')
  .option('--day <YYYY-MM-DD>', 'the day the run is for, in its workflow id (default: today, UTC); one run per name and day at a time')
  .action(async (opts: { config: string; wait?: boolean; day?: string }) => {
    const input = loadConfigFile(opts.config, uid2MatchingInputSchema);
    if (opts.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.day)) throw new Error(`--day must be a date such as 2026-11-24, not ${JSON.stringify(opts.day)}`);
    const ctx = await starterContext();
    try {
      exitWith(
        await runWorkflow({
          ctx,
          workflow: uid2Matching,
          workflowId: workflowIds.uid2Matching(input.name, opts.day ?? new Date().toISOString().slice(0, 10)),
          args: [input],
          wait: Boolean(opts.wait),
          status: { query: uid2MatchingStatusQuery, render: renderUid2MatchingStatus },
        }),
      );
    } finally {
      await ctx.close();
    }
  });

runCli(program);
