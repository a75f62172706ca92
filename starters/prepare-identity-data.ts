import { Command } from 'commander';
import { prepareIdentityDataInputSchema, type PrepStatus } from '../schemas/preparation/prep';
import { workflowIds } from '../schemas/temporal-names';
import { prepareIdentityData, prepStatusQuery } from '../workflows/preparation/prepare-identity-data';
import { loadConfigFile } from './lib/load-config';
import { exitWith, runCli } from './lib/run-cli';
import { runWorkflow } from './lib/run-workflow';
import { starterContext } from './lib/temporal';

const render = (status: PrepStatus) => `stage ${status.stage}: ${status.tasksDone}/${status.tasks} tasks done`;

const program = new Command('prepare-identity-data')
  .description('Normalise, validate and hash an S3 dataset for one destination on the workers (workflow prepareIdentityData).')
  .requiredOption('-c, --config <file>', 'JSON config, e.g. examples/prepare-identity-data.sandbox.json')
  .option('-w, --wait', 'follow progress until the run ends; exit code 0 only on success')
  .action(async (opts: { config: string; wait?: boolean }) => {
    const input = loadConfigFile(opts.config, prepareIdentityDataInputSchema);
    const ctx = await starterContext();
    try {
      exitWith(
        await runWorkflow({
          ctx,
          workflow: prepareIdentityData,
          workflowId: workflowIds.prepareIdentityData(input.output),
          args: [input],
          wait: Boolean(opts.wait),
          status: { query: prepStatusQuery, render },
        }),
      );
    } finally {
      await ctx.close();
    }
  });

runCli(program);
