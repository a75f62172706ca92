/**
 * A one-line progress bar on a terminal (redrawn at most every 200 ms), silent otherwise so logs and
 * pipes get only the result. Bytes for CSV and JSON Lines; Parquet and JSON arrays report records.
 */
export function progressLine(stream: NodeJS.WriteStream) {
  const started = Date.now();
  let drawn = 0;
  const width = 30;
  return {
    update(rows: number, position: number, total: number) {
      if (!stream.isTTY || Date.now() - drawn < 200) return;
      drawn = Date.now();
      const fraction = total > 0 && position <= total ? position / total : 0;
      const filled = Math.round(fraction * width);
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en-US')} rows  ${rate.toLocaleString('en-US')} rows/s `);
    },
    done() {
      if (stream.isTTY && drawn > 0) stream.write('\n');
    },
  };
}
