import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Command, Option } from 'commander';
import { workflowIds } from '../schemas/temporal-names';
import { operatorActionSchema } from '../schemas/operator-action';
import { amcIdMapping, amcIdMappingStatusQuery, dataChangedSignal, dataChangedUpdate, deleteTableUpdate } from '../workflows/amc-id-mapping/amc-id-mapping';
import { inputNoticeSchema, type InputNotice } from '../workflows/amc-id-mapping/amc-id-mapping-messages';
import { amcIdMappingInputSchema, type AmcIdMappingConfig } from '../schemas/amc-id-mapping/amc-id-mapping';
import { amcTableName } from '../schemas/amc-id-mapping/amc-id-mapping-resources';
import { amcIamDocument, amcIamOutput, IAM_DOCUMENTS, type IamDocument } from './amc-id-mapping-iam';
import { followUntilGuarding, renderDataChangedAnswer } from './amc-id-mapping-status';
import { loadConfigFile, validateConfig } from './lib/load-config';
import { exitWith, runCli } from './lib/run-cli';
import { runWorkflow } from './lib/run-workflow';
import { withStarterContext, type StarterContext } from './lib/temporal';

const program = new Command('amc-id-mapping')
  .description('Create an AMC ID mapping table from a raw identity file and keep it fresh under the 14-day refresh rule (workflow amcIdMapping).')
  .showHelpAfterError();

const configOption = ['-c, --config <file>', 'JSON config, e.g. examples/amc-id-mapping.json'] as const;
const guardId = (input: AmcIdMappingConfig) => workflowIds.amcIdMapping(input.amc.instanceId, amcTableName(input));

program
  .command('start', { isDefault: true })
  .description('start the table’s guard (one per AMC instance and table: a second start attaches to the running one)')
  .requiredOption(...configOption)
  .option('-w, --wait', 'follow progress until the table exists and its first job succeeded; exit code 0 then')
  .action(async (opts: { config: string; wait?: boolean }) => {
    const input = loadConfigFile(opts.config, amcIdMappingInputSchema);
    await withStarterContext(async (ctx) => {
      const workflowId = guardId(input);
      const code = await runWorkflow({ ctx, workflow: amcIdMapping, workflowId, args: [{ input }], wait: false });
      exitWith(code === 0 && opts.wait ? await followUntilGuarding(ctx.client.workflow.getHandle<typeof amcIdMapping>(workflowId), console.log) : code);
    });
  });

program
  .command('status')
  .description('print the status query of the running guard')
  .requiredOption(...configOption)
  .action(async (opts: { config: string }) => {
    const input = loadConfigFile(opts.config, amcIdMappingInputSchema);
    await withStarterContext(async (ctx) => {
      const status = await ctx.client.workflow.getHandle<typeof amcIdMapping>(guardId(input)).query(amcIdMappingStatusQuery, new Date().toISOString());
      console.log(JSON.stringify(status, null, 2));
    });
  });

program
  .command('iam')
  .description("print the pass role's trust and permissions policies and the worker's policy, filled in from the config (no Temporal, no AWS call)")
  .requiredOption(...configOption)
  .addOption(new Option('--document <which>', 'print one policy document alone, for file:// in aws iam create-role / put-role-policy').choices(IAM_DOCUMENTS))
  .action((opts: { config: string; document?: IamDocument }) => {
    const input = loadConfigFile(opts.config, amcIdMappingInputSchema);
    console.log(JSON.stringify(opts.document ? amcIamDocument(input, opts.document) : amcIamOutput(input), null, 2));
  });

program
  .command('data-changed')
  .description('tell the guard the input may have changed (starts the guard when none runs); prints when a pending change will be refreshed')
  .requiredOption(...configOption)
  .option('--reason <reason>', 'schedule | operator | event', 'operator')
  .action(async (opts: { config: string; reason: string }) => {
    const input = loadConfigFile(opts.config, amcIdMappingInputSchema);
    const notice = validateConfig('--reason', { reason: opts.reason, requestId: `cli-${new Date().toISOString()}`, at: new Date().toISOString() }, inputNoticeSchema);
    await withStarterContext(async (ctx) => exitWith(await sendDataChanged(ctx, input, notice)));
  });

program
  .command('delete-table')
  .description('delete the AMC mapping table once no job runs, and end the guard (Glue, Entity Resolution, Clean Rooms resources and data are kept)')
  .requiredOption(...configOption)
  .requiredOption('--by <operator-id>', 'your operator id (not an email or a name)')
  .requiredOption('--reason <text>', 'why, in a few words')
  .action(async (opts: { config: string; by: string; reason: string }) => {
    const input = loadConfigFile(opts.config, amcIdMappingInputSchema);
    const action = validateConfig('--by/--reason', { by: opts.by, reason: opts.reason }, operatorActionSchema);
    await withStarterContext(async (ctx) => {
      const handle = ctx.client.workflow.getHandle<typeof amcIdMapping>(guardId(input));
      try {
        const answer = await handle.executeUpdate(deleteTableUpdate, { args: [action] });
        console.log(`${handle.workflowId}: deleting ${answer.tables.join(', ')}; ${answer.kept}`);
      } catch (err) {
        exitWith(refused(handle.workflowId, 'deleteTable', err));
      }
    });
  });

async function sendDataChanged(ctx: StarterContext, input: AmcIdMappingConfig, notice: InputNotice): Promise<number> {
  const workflowId = guardId(input);
  const handle = ctx.client.workflow.getHandle<typeof amcIdMapping>(workflowId);
  try {
    console.log(renderDataChangedAnswer(workflowId, await handle.executeUpdate(dataChangedUpdate, { args: [notice] })));
    return 0;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) return refused(workflowId, 'dataChanged', err);
    await ctx.client.workflow.signalWithStart(amcIdMapping, {
      workflowId,
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      args: [{ input }],
      signal: dataChangedSignal,
      signalArgs: [notice],
    });
    console.log(`${workflowId}: no guard was running; started one with the notice`);
    return 0;
  }
}

function refused(workflowId: string, update: string, err: unknown): number {
  if (err instanceof WorkflowUpdateFailedError) console.error(`${workflowId} refused '${update}': ${err.cause?.message ?? err.message}`);
  else if (err instanceof WorkflowNotFoundError) console.error(`${workflowId}: no guard is running`);
  else throw err;
  return 1;
}

runCli(program);
