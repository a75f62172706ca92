import * as os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CODEC_REPORT_HEADER, benchCodec, codecJson, codecReportLine } from './codec.bench';

interface BenchOptions {
  seconds: number;
}

/**
 * Each benchmark prints a readable table, then one line holding a single JSON object `{"bench": name, "results": [...]}`.
 * Results are throughput ratios against a baseline measured in the same run, never absolute timings.
 */
const BENCHMARKS: Record<string, (opts: BenchOptions) => Promise<void>> = {
  codec: async ({ seconds }) => {
    for (const line of CODEC_REPORT_HEADER) console.log(line);
    const results = await benchCodec({ seconds, onResult: (result) => console.log(codecReportLine(result)) });
    console.log(JSON.stringify(codecJson(results)));
  },
};

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new InvalidArgumentError('expected a number of seconds in (0, 600].');
  return seconds;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description('Throughput benchmarks; each reports a ratio against a baseline measured in the same process.')
    .addOption(new Option('--only <name>', 'run only this benchmark').choices(Object.keys(BENCHMARKS)))
    .addOption(new Option('--seconds <n>', 'timed seconds per measurement (after warm-up)').argParser(parseSeconds).default(1))
    .parse();
  const { only, seconds } = program.opts<{ only?: string; seconds: number }>();

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version} ${process.platform}/${process.arch}, ${cpu} x${os.cpus().length}, ${seconds} s per measurement`);
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (only === undefined || only === name) await run({ seconds });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
