/** Per mapped column: what became of its values. Every input row that was read adds one to exactly one of these. */
export interface ColumnCounts {
  type: string;
  /** Normalised and encoded (hashed, or kept readable for Entity Resolution). */
  normalized: number;
  /** Of `normalized`: values whose normalised form differs from the trimmed input (e.g. a national phone number made E.164). */
  rewritten: number;
  /** Already a SHA-256: passed through unchanged. */
  passedThrough: number;
  /** Empty in the input. */
  empty: number;
  /** Present but invalid; `reasons` counts why. */
  rejected: number;
  reasons: Record<string, number>;
}

/** Counts only — never values — so they may travel through Temporal. */
export interface PrepCounts {
  rowsIn: number;
  rowsOut: number;
  /** Rows left out of the output: malformed, or without the usable values `keepRowWhen` asks for. */
  rowsRejected: number;
  /** Blank lines skipped (not counted in rowsIn). */
  blankLines: number;
  columns: Record<string, ColumnCounts>;
}

export function emptyCounts(columns: Record<string, string>): PrepCounts {
  const perColumn: Record<string, ColumnCounts> = {};
  for (const [name, type] of Object.entries(columns)) perColumn[name] = { type, normalized: 0, rewritten: 0, passedThrough: 0, empty: 0, rejected: 0, reasons: {} };
  return { rowsIn: 0, rowsOut: 0, rowsRejected: 0, blankLines: 0, columns: perColumn };
}

export function addCounts(into: PrepCounts, from: PrepCounts): PrepCounts {
  into.rowsIn += from.rowsIn;
  into.rowsOut += from.rowsOut;
  into.rowsRejected += from.rowsRejected;
  into.blankLines += from.blankLines;
  for (const [name, c] of Object.entries(from.columns)) {
    const target = (into.columns[name] ??= { type: c.type, normalized: 0, rewritten: 0, passedThrough: 0, empty: 0, rejected: 0, reasons: {} });
    target.normalized += c.normalized;
    target.rewritten += c.rewritten;
    target.passedThrough += c.passedThrough;
    target.empty += c.empty;
    target.rejected += c.rejected;
    for (const [reason, n] of Object.entries(c.reasons)) target.reasons[reason] = (target.reasons[reason] ?? 0) + n;
  }
  return into;
}

/** The invariants a run's counts must satisfy; a violation is a bug, reported rather than shipped. */
export function countsReconcile(counts: PrepCounts): string[] {
  const problems: string[] = [];
  if (counts.rowsOut + counts.rowsRejected !== counts.rowsIn) problems.push(`rows out ${counts.rowsOut} + rejected ${counts.rowsRejected} ≠ rows in ${counts.rowsIn}`);
  for (const [name, c] of Object.entries(counts.columns)) {
    const seen = c.normalized + c.passedThrough + c.empty + c.rejected;
    if (seen > counts.rowsIn) problems.push(`column ${name}: ${seen} values counted for ${counts.rowsIn} rows`);
  }
  return problems;
}
