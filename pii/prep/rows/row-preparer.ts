import type { PrepRules } from '../../../schemas/preparation/prep';
import { emptyCounts, type ColumnCounts, type PrepCounts } from '../run/prep-counts';
import { checkMappedColumns } from './check-rules';
import { byteKeyedRule, destinationRule, type Rule } from './profile-rules';

/** A row the owner has to fix: where it was, which columns, why, and the row as read. Kept in their bucket, never in Temporal. */
export interface RejectedRow {
  /** 1-based record number in its input object, header excluded. */
  row: number;
  columns: string[];
  reasons: string[];
  values: string[];
  /** The values are the bytes as read, one char per byte (latin1), since they are not UTF-8. */
  bytes?: true;
}

interface MappedColumn {
  index: number;
  name: string;
  rule: Rule;
  /** The rule takes the value as its UTF-8 bytes, one char per byte (see `byteKeyedRule`). */
  takesBytes: boolean;
  counts: ColumnCounts;
}

/**
 * Applies the destination rules to the mapped cells of each row, in place, and counts what happened.
 * Unmapped cells are copied unchanged and the column order stays the input's.
 */
export class RowPreparer {
  readonly counts: PrepCounts;
  private readonly mapped: MappedColumn[];
  private readonly width: number;
  private readonly keepAny: boolean;
  private readonly passThrough: number[];
  /** The mapped cells of the current row before they were replaced. */
  private readonly originals: string[] = [];

  /**
   * `valueForm` 'bytes': the caller holds values as UTF-8 bytes, one char per byte, and decodes only the mapped
   * values of `textIndexes` before `prepare`; the other mapped columns' rules take the bytes as they are.
   */
  constructor(
    readonly header: string[],
    rules: PrepRules,
    valueForm: 'text' | 'bytes' = 'text',
  ) {
    this.width = header.length;
    this.keepAny = rules.keepRowWhen === 'any';
    this.counts = emptyCounts(rules.columns);
    checkMappedColumns(header, rules);
    this.passThrough = (rules.passThrough ?? []).map((name) => header.indexOf(name));
    this.mapped = Object.entries(rules.columns).map(([name, type]) => {
      const byteRule = valueForm === 'bytes' ? byteKeyedRule(rules, type) : undefined;
      return { index: header.indexOf(name), name, rule: byteRule ?? destinationRule(rules, type), takesBytes: byteRule !== undefined, counts: this.counts.columns[name]! };
    });
  }

  /** Where the mapped columns whose rules take text are in the row (all of them, unless values are bytes). */
  get textIndexes(): number[] {
    return this.mapped.filter((column) => !column.takesBytes).map((column) => column.index);
  }

  /** Returns the prepared row (the same array, changed in place), or undefined when it goes to `rejects`. */
  prepare(row: string[], rowNumber: number, rejects: RejectedRow[]): string[] | undefined {
    this.counts.rowsIn++;
    if (row.length !== this.width) {
      return this.reject(rejects, { row: rowNumber, columns: [], reasons: [`${row.length} fields where the header has ${this.width}`], values: row });
    }
    const originals = this.originals;
    let usable = 0;
    for (const index of this.passThrough) if (row[index] !== '') usable++;
    let problems: { columns: string[]; reasons: string[] } | undefined;
    for (let i = 0; i < this.mapped.length; i++) {
      const column = this.mapped[i]!;
      const raw = row[column.index]!;
      originals[i] = raw;
      const outcome = column.rule(raw);
      if (outcome.kind === 'normalized') {
        column.counts.normalized++;
        if (outcome.rewritten) column.counts.rewritten++;
        usable++;
        row[column.index] = outcome.value;
        continue;
      }
      if (outcome.kind === 'prehashed') {
        column.counts.passedThrough++;
        usable++;
        row[column.index] = outcome.value;
        continue;
      }
      row[column.index] = '';
      if (outcome.reason === 'empty') {
        column.counts.empty++;
      } else {
        column.counts.rejected++;
        column.counts.reasons[outcome.reason] = (column.counts.reasons[outcome.reason] ?? 0) + 1;
      }
      problems ??= { columns: [], reasons: [] };
      problems.columns.push(column.name);
      problems.reasons.push(outcome.reason);
    }
    const keep = this.keepAny ? usable > 0 : problems === undefined;
    // Only passed-through columns, all empty: no mapped column to name as the problem.
    if (!keep) return this.reject(rejects, { row: rowNumber, ...(problems ?? this.emptyPassThrough()), values: this.asRead(row) });
    if (problems && problems.reasons.some((reason) => reason !== 'empty')) {
      rejects.push({ row: rowNumber, columns: problems.columns, reasons: problems.reasons, values: this.asRead(row) });
    }
    this.counts.rowsOut++;
    return row;
  }

  /** A record that could not be read as a row (malformed CSV, invalid JSON or UTF-8). */
  rejectUnreadable(record: { fields: string[]; problem: string; bytes?: true }, rowNumber: number, rejects: RejectedRow[]): void {
    this.counts.rowsIn++;
    this.reject(rejects, { row: rowNumber, columns: [], reasons: [record.problem], values: record.fields, ...(record.bytes ? { bytes: true as const } : {}) });
  }

  private emptyPassThrough(): { columns: string[]; reasons: string[] } {
    return { columns: this.passThrough.map((index) => this.header[index]!), reasons: this.passThrough.map(() => 'empty') };
  }

  /** The row as it was read, for the rejects object (rare, so the copy is made only then). */
  private asRead(row: string[]): string[] {
    const copy = row.slice();
    this.mapped.forEach((column, i) => (copy[column.index] = this.originals[i]!));
    return copy;
  }

  private reject(rejects: RejectedRow[], rejected: RejectedRow): undefined {
    this.counts.rowsRejected++;
    rejects.push(rejected);
    return undefined;
  }
}
