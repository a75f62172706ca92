import { availableParallelism } from 'node:os';
import { S3Client } from '@aws-sdk/client-s3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseLocation, sizeOf } from '../storage/data-location';
import { isS3Uri } from '../storage/s3-uri';
import { prepareFile, rejectsBeside } from '../pii/prep/run/prepare-file';
import { formatIssues } from '../schemas/format-issues';
import { DATA_FORMATS, formatFromName, IDENTIFIER_TYPES, OUTPUT_FORMATS, PREP_PROFILES, prepRulesSchema, type IdentifierType } from '../schemas/preparation/prep';
import { exitWith, runCli } from './lib/run-cli';
import { progressLine } from './lib/progress-line';

/** `email=EMAIL,phone=PHONE` → { email: 'EMAIL', phone: 'PHONE' }. */
function parseMap(value: string): Record<string, IdentifierType> {
  const columns: Record<string, IdentifierType> = {};
  for (const pair of value.split(',')) {
    const at = pair.lastIndexOf('=');
    const [column, type] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim().toUpperCase()];
    if (at <= 0 || !(IDENTIFIER_TYPES as readonly string[]).includes(type)) {
      throw new Error(`--map: "${pair}" is not column=TYPE with TYPE one of ${IDENTIFIER_TYPES.join(', ')}`);
    }
    columns[column] = type as IdentifierType;
  }
  return columns;
}

function byteCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024) throw new InvalidArgumentError('expected a whole number of bytes, at least 1024.');
  return n;
}

function threadCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('expected a whole number from 0 to 64.');
  return n;
}

interface PrepCliOptions {
  in: string;
  out: string;
  profile: string;
  map: string;
  region: string;
  country: string;
  keepRowWhen: string;
  inFormat?: string;
  outFormat?: string;
  rejects?: string;
  delimiter?: string;
  threads: number;
  dropUnmapped?: boolean;
  header: boolean;
  perType?: boolean;
  maxFileBytes?: number;
}

const program = new Command('prep')
  .description('Normalise, validate and hash the identity columns of a file for one destination, without Temporal')
  .requiredOption('--in <path>', 'input: a local path or s3://bucket/key (.csv, .jsonl, .json, .parquet)')
  .requiredOption('--out <path>', 'output: a local path or s3://bucket/key (.csv or .parquet); with --per-type a directory or s3:// prefix')
  .addOption(new Option('--profile <name>', 'destination rules').choices(PREP_PROFILES).makeOptionMandatory())
  .requiredOption('--map <column=TYPE,...>', `input columns to prepare and their types (${IDENTIFIER_TYPES.join(', ')}); other columns are copied unchanged`)
  .option('--region <CC>', 'region national phone numbers are read in', 'US')
  .option('--country <CC>', 'country of the addresses (AMC address, state and postal-code rules)', 'US')
  .addOption(new Option('--keep-row-when <rule>', 'keep a row when any / all of its mapped values are usable').choices(['any', 'all']).default('any'))
  .addOption(new Option('--in-format <format>', 'input format when the name does not say').choices(DATA_FORMATS))
  .addOption(new Option('--out-format <format>', 'output format when the name does not say').choices(OUTPUT_FORMATS))
  .option('--rejects <path>', 'where rejected rows go (default: beside the output, <name>.rejects.csv)')
  .option('--delimiter <char>', 'CSV delimiter (default: read off the header line)')
  .option('--threads <n>', 'worker threads (0: prepare in the main thread)', threadCount, availableParallelism())
  .option('--drop-unmapped', 'leave out the columns --map does not name (the rejects keep them)')
  .option('--no-header', 'write no header line (CSV)')
  .option('--per-type', "one headerless CSV per identifier type in --out, one value a line (TikTok's customer files)")
  .option('--max-file-bytes <n>', 'roll a CSV output over to a further file before it passes this size', byteCount)
  .action(async (opts: PrepCliOptions) => {
    const shape = { ...(opts.dropUnmapped ? { keepUnmapped: false } : {}), ...(opts.header ? {} : { outputHeader: 'none' }) };
    const rules = prepRulesSchema.safeParse(
      { profile: opts.profile, columns: parseMap(opts.map), defaultRegion: opts.region, country: opts.country, keepRowWhen: opts.keepRowWhen, ...shape },
      { reportInput: true },
    );
    if (!rules.success) throw new Error(`invalid options:\n${formatIssues(rules.error, { root: '(options)', layout: 'lines' })}`);
    const usesS3 = [opts.in, opts.out, opts.rejects].some((uri) => uri !== undefined && isS3Uri(uri));
    const s3 = usesS3 ? new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined }) : undefined;
    // Progress is in bytes for CSV and JSON Lines, in records (whose total is not known up front) for Parquet and JSON arrays.
    const inFormat = opts.inFormat ?? formatFromName(opts.in);
    const total = inFormat === 'csv' || inFormat === 'jsonl' ? await sizeOf(parseLocation(opts.in), s3) : 0;
    const progress = progressLine(process.stderr);
    const outputLayout = opts.perType ? ('per-type' as const) : undefined;
    const manifest = await prepareFile({
      input: opts.in,
      output: opts.out,
      rejects: opts.rejects ?? rejectsBeside(opts.out, outputLayout),
      outputLayout,
      maxOutputBytes: opts.maxFileBytes,
      inputFormat: opts.inFormat as never,
      outputFormat: opts.outFormat as never,
      delimiter: opts.delimiter,
      rules: rules.data,
      s3,
      threads: opts.threads,
      onProgress: (p) => progress.update(p.rowsIn, p.position, total),
    });
    progress.done();
    console.log(JSON.stringify(manifest, null, 2));
    const { rowsIn, rowsOut, rowsRejected } = manifest.counts;
    console.error(`${rowsIn} rows read, ${rowsOut} written to ${opts.out}, ${rowsRejected} rejected (see ${manifest.rejects[0]?.uri})`);
    exitWith(0);
  });

runCli(program);
