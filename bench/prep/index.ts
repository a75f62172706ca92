import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { agreement, sampledRows } from './compare';
import { COLUMNS, generateCustomers } from './generate';
import { runSide, type SideResult } from './side';

/**
 * `npm run bench:prep`: our prep engine (AMC profile, four PII columns) against DuckDB doing the same
 * normalisation and SHA-256 in SQL, on the same generated file in the same run. Both read the CSV and
 * write a CSV of the same columns; the times include both, and each side's start-up (our worker threads,
 * DuckDB's instance). Ours also does what it always does: writes its rejects file and takes the SHA-256 of
 * each object it writes for the manifest. Prints a table, then one JSON line.
 *
 * Each side runs in its own child process, one after the other (ours first): `process.resourceUsage().maxRSS`
 * covers a whole process (worker threads included), so ours is measured where neither the generator nor
 * DuckDB has ever allocated.
 */

function positiveInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** DuckDB's sha256(): lowercase hex. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const program = new Command()
    .name('bench:prep')
    .description('Our prep engine against DuckDB on the same generated customer file: rows/s, ratio, our peak RSS.')
    .addOption(new Option('--rows <n>', 'rows to generate').argParser(positiveInt).default(2_000_000))
    .addOption(new Option('--threads <n>', 'our worker threads').argParser(positiveInt).default(os.availableParallelism()))
    .addOption(new Option('--sample <n>', 'rows compared between the two outputs').argParser(positiveInt).default(1000))
    .addOption(new Option('--repeat <n>', 'runs of each side, alternating (ours first); the best of each counts').argParser(positiveInt).default(3))
    .option('--keep', 'keep the generated input and both outputs')
    .parse();
  const opts = program.opts<{ rows: number; threads: number; sample: number; repeat: number; keep?: boolean }>();

  const dir = mkdtempSync(join(os.tmpdir(), 'bench-prep-'));
  try {
    const input = join(dir, 'customers.csv');
    const oursOut = join(dir, 'ours.csv');
    const duckOut = join(dir, 'duckdb.csv');
    console.log(`node ${process.version} ${process.platform}/${process.arch}, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}`);

    let started = performance.now();
    const file = generateCustomers(input, opts.rows, { sampleSize: opts.sample });
    console.log(`generated ${fmt(file.rows)} rows, ${fmt(file.bytes / 1048576, 1)} MiB in ${fmt((performance.now() - started) / 1000, 1)} s: ${dir}`);

    // Alternating runs, so a busy moment on the machine is as likely to slow either side.
    let ours: SideResult | undefined;
    let duck: SideResult | undefined;
    // Every run writes its output anew, as the first does: an output left by the run before is removed first.
    const fresh = (path: string): string => {
      rmSync(path, { force: true });
      return path;
    };
    for (let run = 1; run <= opts.repeat; run++) {
      const o = await runSide('run-ours', [input, fresh(oursOut), String(opts.threads)]);
      const d = await runSide('run-duckdb', [input, fresh(duckOut)]);
      if (opts.repeat > 1) console.log(`run ${run}: ours ${o.seconds.toFixed(2)} s (peak RSS ${o.peakRssMb.toFixed(0)} MB), DuckDB ${d.seconds.toFixed(2)} s`);
      const peakRssMb = Math.max(o.peakRssMb, ours?.peakRssMb ?? 0);
      ours = { ...(!ours || o.seconds < ours.seconds ? o : ours), peakRssMb };
      if (!duck || d.seconds < duck.seconds) duck = d;
    }
    if (!ours || !duck) throw new Error('no run');

    started = performance.now();
    const wanted = new Set([...file.sample, ...file.invalidSample]);
    const [oursRows, duckRows] = await Promise.all([sampledRows(oursOut, wanted), sampledRows(duckOut, wanted)]);
    const agreed = agreement(file.sample, COLUMNS, oursRows, duckRows);
    const emailAt = COLUMNS.indexOf('email');
    const phoneAt = COLUMNS.indexOf('phone');
    let oursEmptied = 0;
    let duckHashed = 0;
    for (const id of file.invalidSample) {
      const a = oursRows.get(id);
      const b = duckRows.get(id);
      if (a && (a[emailAt] === '' || a[phoneAt] === '')) oursEmptied++;
      if (b && SHA256_HEX.test(b[emailAt] ?? '') && SHA256_HEX.test(b[phoneAt] ?? '')) duckHashed++;
    }
    const compareSeconds = (performance.now() - started) / 1000;

    const oursRate = opts.rows / ours.seconds;
    const duckRate = opts.rows / duck.seconds;
    const ratio = oursRate / duckRate;
    const row = (name: string, seconds: number, rate: number, rss: number) =>
      `${name.padEnd(22)}${fmt(seconds, 2).padStart(9)}${fmt(rate).padStart(12)}${fmt(rss).padStart(10)}`;
    console.log('');
    console.log(`${'side'.padEnd(22)}${'seconds'.padStart(9)}${'rows/s'.padStart(12)}${'RSS MB'.padStart(10)}`);
    console.log(row(`ours (${opts.threads} threads)`, ours.seconds, oursRate, ours.peakRssMb));
    console.log(row(`DuckDB (${duck.threads} threads)`, duck.seconds, duckRate, duck.peakRssMb));
    console.log(`ratio ours/DuckDB: ${ratio.toFixed(2)}x (target >= 1.25x); our peak RSS ${fmt(ours.peakRssMb)} MB (target <= 256 MB)${opts.repeat > 1 ? `; best of ${opts.repeat} runs each, peak RSS the highest` : ''}`);
    console.log(
      `agreement: ${agreed.agreed}/${agreed.compared} sampled rows with valid values identical in all ${COLUMNS.length} columns` +
        `${agreed.missing > 0 ? `, ${agreed.missing} missing` : ''} (compared in ${fmt(compareSeconds, 1)} s)`,
    );
    for (const example of agreed.examples) console.log(`  differs: ${example}`);
    console.log(
      `invalid values (excluded from agreement): ${fmt(file.invalidEmails)} emails, ${fmt(file.invalidPhones)} phones. ` +
        `Ours rejects them (cell left empty, row listed in the rejects file): rejected ${fmt(ours.rejected?.email ?? 0)} emails, ${fmt(ours.rejected?.phone ?? 0)} phones. ` +
        `DuckDB's SQL hashes them as they are. Checked on ${file.invalidSample.size} such rows: ours emptied ${oursEmptied}, DuckDB hashed ${duckHashed}.`,
    );
    console.log(`empty phones: ${fmt(file.emptyPhones)} (both leave them empty; ours counted ${fmt(ours.empty?.phone ?? 0)})`);
    if (agreed.agreed !== file.sample.size) process.exitCode = 1;
    if (opts.keep) console.log(`kept ${dir}: input ${fmt(statSync(input).size / 1048576, 1)} MiB, ours.csv, ours.rejects.csv, duckdb.csv`);

    console.log(
      JSON.stringify({
        rows: opts.rows,
        ours_rows_per_s: Math.round(oursRate),
        duckdb_rows_per_s: Math.round(duckRate),
        ratio: Number(ratio.toFixed(3)),
        peak_rss_mb: Math.round(ours.peakRssMb),
        agreed: `${agreed.agreed}/${file.sample.size}`,
      }),
    );
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
