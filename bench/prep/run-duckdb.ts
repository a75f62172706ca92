import { DuckDBInstance } from '@duckdb/node-api';
import { childArgs, report } from './side';

const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** AMC text rule: lowercase, transliterate ß ä ö ü ø æ, keep a–z and 0–9. */
const text = (column: string) =>
  `sha256(regexp_replace(replace(replace(replace(replace(replace(replace(lower(${column}), 'ß', 'ss'), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ø', 'o'), 'æ', 'ae'), '[^a-z0-9]+', '', 'g'))`;

/**
 * The same job in SQL: read the CSV, normalise and SHA-256 the four PII columns as our AMC profile does on
 * valid values, write a CSV of the same columns. No validation: values that are not emails or phone
 * numbers are hashed as they come (we reject them). An empty cell is NULL to DuckDB and stays empty.
 */
function duckdbSql(input: string, output: string): string {
  return `COPY (
  SELECT
    customer_id,
    ${text('first_name')} AS first_name,
    ${text('last_name')} AS last_name,
    sha256(regexp_replace(lower(email), '[^\\p{L}\\p{N}_.@-]+', '', 'g')) AS email,
    sha256(CASE WHEN length(digits) = 10 THEN '1' || digits ELSE digits END) AS phone,
    city,
    signup_date
  FROM (
    SELECT *, regexp_replace(phone, '[^0-9]+', '', 'g') AS digits
    FROM read_csv(${sqlString(input)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
  )
) TO ${sqlString(output)} (FORMAT csv, HEADER true)`;
}

/** Child process for DuckDB (default threads: one per core), so its memory never counts as ours. */
async function main(): Promise<void> {
  const { input, output } = childArgs();
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const threads = (await connection.runAndReadAll(`SELECT current_setting('threads') AS threads`)).getRowObjects()[0]!.threads;
  await connection.run(duckdbSql(input, output));
  connection.closeSync();
  instance.closeSync();
  const seconds = (performance.now() - started) / 1000;
  report({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, threads: Number(threads) });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
