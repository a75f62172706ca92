import { Command } from 'commander';
import {
  applySchedules,
  deleteSchedule,
  listSchedules,
  loadSchedulesFile,
  pauseSchedule,
  triggerSchedule,
  unpauseSchedule,
  type ApplyResult,
  type ScheduleListing,
} from './lib/schedules';
import { exitWith, runCli } from './lib/run-cli';
import { withStarterContext, type StarterContext } from './lib/temporal';
import { scheduleUrl } from './lib/ui-links';

const program = new Command('schedules')
  .description('Manage the Temporal Schedules that start workflows, declared in a JSON file (see examples/schedules.json).')
  .showHelpAfterError();

program
  .command('apply')
  .description('create or update every schedule of the file (validated first; safe to run again)')
  .requiredOption('-f, --file <file>', 'schedules file, e.g. examples/schedules.json')
  .option('--dry-run', 'compare with the server and report what would change, without writing')
  .action(async (opts: { file: string; dryRun?: boolean }) => {
    const source = loadSchedulesFile(opts.file);
    await withStarterContext(async (ctx) => {
      const results = await applySchedules(ctx.client, source, { taskQueue: ctx.config.TEMPORAL_TASK_QUEUE, dryRun: opts.dryRun });
      for (const r of results) console.log(renderApplyResult(r, Boolean(opts.dryRun), url(ctx, r.id)));
      exitWith(results.some((r) => r.outcome === 'failed') ? 1 : 0);
    });
  });

program
  .command('list')
  .description('list the schedules of the namespace: workflow, state, next and recent actions')
  .action(() =>
    withStarterContext(async (ctx) => {
      const schedules = await listSchedules(ctx.client);
      if (schedules.length === 0) console.log(`No schedules in namespace ${ctx.config.TEMPORAL_NAMESPACE}.`);
      for (const s of schedules) console.log(renderListing(s, url(ctx, s.id)));
    }),
  );

program
  .command('pause <id>')
  .description('pause a schedule (the next apply sets "paused" from the file again)')
  .option('--note <text>', 'why, shown in the Temporal UI')
  .action((id: string, opts: { note?: string }) => withStarterContext((ctx) => done(ctx, id, 'Paused', pauseSchedule(ctx.client, id, opts.note))));

program
  .command('unpause <id>')
  .description('resume a paused schedule')
  .option('--note <text>', 'why, shown in the Temporal UI')
  .action((id: string, opts: { note?: string }) => withStarterContext((ctx) => done(ctx, id, 'Unpaused', unpauseSchedule(ctx.client, id, opts.note))));

program
  .command('trigger <id>')
  .description("start the schedule's workflow now, even if a run it started is still open")
  .action((id: string) => withStarterContext((ctx) => done(ctx, id, 'Triggered', triggerSchedule(ctx.client, id))));

program
  .command('delete <id>')
  .description('delete a schedule (workflows it started keep running; apply recreates it if it is still in the file)')
  .action((id: string) => withStarterContext((ctx) => done(ctx, id, 'Deleted', deleteSchedule(ctx.client, id))));

function renderApplyResult(r: ApplyResult, dryRun: boolean, link: string): string {
  const verb = dryRun && (r.outcome === 'created' || r.outcome === 'updated') ? `would be ${r.outcome}` : r.outcome;
  const detail = r.outcome === 'failed' ? `: ${r.error}` : r.changes ? ` (${r.changes.join(', ')})` : '';
  return `${r.id} [${r.workflowType}] ${verb}${detail}\n  ${link}`;
}

function renderListing(s: ScheduleListing, link: string): string {
  const state = s.paused ? `paused${s.note ? ` (${s.note})` : ''}` : 'active';
  const lines = [`${s.id} [${s.workflowType ?? '?'}] ${state}${s.managed ? '' : '  (not managed by apply)'}`];
  if (s.nextActionTimes.length > 0) lines.push(`  next: ${s.nextActionTimes.map((d) => d.toISOString()).join(', ')}`);
  for (const a of s.recentActions) lines.push(`  ran: ${a.takenAt.toISOString()} ${a.workflowId}`);
  lines.push(`  ${link}`);
  return lines.join('\n');
}

function url(ctx: StarterContext, id: string): string {
  return scheduleUrl(ctx.config.TEMPORAL_UI_URL, ctx.config.TEMPORAL_NAMESPACE, id);
}

async function done(ctx: StarterContext, id: string, verb: string, action: Promise<void>): Promise<void> {
  await action;
  console.log(`${verb} schedule ${id}\n  ${url(ctx, id)}`);
}

runCli(program);
