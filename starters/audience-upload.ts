import { S3Client } from '@aws-sdk/client-s3';
import { Command, InvalidArgumentError } from 'commander';
import { DATA_FORMATS, type DataFormat } from '../schemas/preparation/prep';
import { workflowIds } from '../schemas/temporal-names';
import { isS3Uri } from '../storage/s3-uri';
import { audienceUpload, audienceUploadStatusQuery } from '../workflows/audience-upload/audience-upload';
import { audienceUploadInputSchema } from '../schemas/audience-upload/audience-upload';
import { guessAudienceColumns, renderColumnGuesses } from './audience-columns';
import { renderAudienceUploadStatus } from './audience-upload-status';
import { loadConfigFile } from './lib/load-config';
import { exitWith, runCli } from './lib/run-cli';
import { runWorkflow } from './lib/run-workflow';
import { withStarterContext } from './lib/temporal';

const program = new Command('audience-upload')
  .description('Upload an S3 file or a Clean Rooms query result to a TikTok custom audience, exactly once, and keep it in step (workflow audienceUpload).')
  .showHelpAfterError();

const configOption = ['-c, --config <file>', 'JSON config, e.g. examples/audience-upload.sandbox.json'] as const;
const dayOf = (day?: string) => {
  if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`--day must be a date such as 2026-11-24, not ${JSON.stringify(day)}`);
  return day ?? new Date().toISOString().slice(0, 10);
};

program
  .command('run', { isDefault: true })
  .description('start the run for a day (one per name and day; a second start attaches to the running one)')
  .requiredOption(...configOption)
  .option('-w, --wait', 'follow the stage, query checks and file counts until the run ends; exit code 0 only on success')
  .option('--day <YYYY-MM-DD>', 'the day the run is for, in its workflow id (default: today, UTC)')
  .action(async (opts: { config: string; wait?: boolean; day?: string }) => {
    const input = loadConfigFile(opts.config, audienceUploadInputSchema);
    await withStarterContext(async (ctx) => {
      exitWith(
        await runWorkflow({
          ctx,
          workflow: audienceUpload,
          workflowId: workflowIds.audienceUpload(input.name, dayOf(opts.day)),
          args: [input],
          wait: Boolean(opts.wait),
          status: { query: audienceUploadStatusQuery, render: renderAudienceUploadStatus },
        }),
      );
    });
  });

program
  .command('columns')
  .description('read the header and the first records of a source and print each column with a guessed TikTok type, and a ready-to-paste "columns" block (names and guesses only, never a value)')
  .requiredOption('--in <uri>', 'an s3:// object or a local file')
  .option('--format <format>', `one of ${DATA_FORMATS.join(', ')} (default: from the name)`, (v) => {
    if (!(DATA_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${DATA_FORMATS.join(', ')}`);
    return v as DataFormat;
  })
  .option('--records <n>', 'records to read', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('a whole number from 1 to 100000');
    return n;
  }, 100)
  .option(...configOption)
  .action(async (opts: { in: string; format?: DataFormat; records: number; config?: string }) => {
    const defined = opts.config ? loadConfigFile(opts.config, audienceUploadInputSchema).columns : undefined;
    const s3 = isS3Uri(opts.in) ? new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined }) : undefined;
    const result = await guessAudienceColumns(opts.in, s3, { format: opts.format, records: opts.records });
    for (const line of renderColumnGuesses(result, defined)) console.log(line);
  });

program
  .command('status')
  .description("print the status query of a day's run")
  .option(...configOption)
  .option('--day <YYYY-MM-DD>', 'the day of the run (default: today, UTC)')
  .option('--workflow-id <id>', 'the run to ask, instead of --config and --day (e.g. a scheduled run)')
  .action(async (opts: { config?: string; day?: string; workflowId?: string }) => {
    if (!opts.workflowId && !opts.config) throw new Error('give --config (with --day) or --workflow-id');
    const workflowId = opts.workflowId ?? workflowIds.audienceUpload(loadConfigFile(opts.config!, audienceUploadInputSchema).name, dayOf(opts.day));
    await withStarterContext(async (ctx) => {
      const status = await ctx.client.workflow.getHandle<typeof audienceUpload>(workflowId).query(audienceUploadStatusQuery, new Date().toISOString());
      console.log(JSON.stringify(status, null, 2));
    });
  });

runCli(program);
