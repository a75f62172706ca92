import { prepareFile } from '../../pii/prep/run/prepare-file';
import { prepRulesSchema } from '../../schemas/preparation/prep';
import { childArgs, report, type SideResult } from './side';

/**
 * Child process for our engine: it runs alone in its process, so `maxRSS` (which covers the whole
 * process, worker threads included) is our peak, untouched by the generator or DuckDB.
 */
async function main(): Promise<void> {
  const { input, output, threads } = childArgs();
  const rules = prepRulesSchema.parse({ profile: 'amc', columns: { email: 'EMAIL', phone: 'PHONE', first_name: 'FIRST_NAME', last_name: 'LAST_NAME' } });
  const started = performance.now();
  const manifest = await prepareFile({ input, output, rules, threads });
  const seconds = (performance.now() - started) / 1000;
  const result: SideResult = {
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rowsOut: manifest.counts.rowsOut,
    rejected: Object.fromEntries(Object.entries(manifest.counts.columns).map(([name, c]) => [name, c.rejected])),
    empty: Object.fromEntries(Object.entries(manifest.counts.columns).map(([name, c]) => [name, c.empty])),
  };
  report(result);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
