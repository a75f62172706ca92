import { closeSync, openSync, writeSync } from 'node:fs';
import { AREA_CODES, CITIES, EMAIL_DOMAINS, FIRST_NAMES, INVALID_EMAILS, INVALID_PHONES, LAST_NAMES } from './vocabulary';
import { seededRandom } from '../../sandbox/synthetic/seeded-random';

export const COLUMNS = ['customer_id', 'first_name', 'last_name', 'email', 'phone', 'city', 'signup_date'] as const;

export interface GeneratedFile {
  path: string;
  rows: number;
  bytes: number;
  /** Rows whose email or phone is not one (generated on purpose, about 1%): rejected by us, hashed by DuckDB. */
  invalidEmails: number;
  invalidPhones: number;
  /** Rows without a phone: both sides leave the cell empty. */
  emptyPhones: number;
  /** customer_ids of rows with only dirty-but-valid values, for the agreement check. */
  sample: Set<string>;
  /** customer_ids of some rows holding an invalid email or phone, to show how each side treats them. */
  invalidSample: Set<string>;
}

/** Draws from a list with weight 1/(rank+1)^s: a Zipf-like skew. */
function zipf<T>(items: readonly T[], random: () => number, s = 1.05): () => T {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < items.length; i++) cumulative.push((total += 1 / Math.pow(i + 1, s)));
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

/** ASCII form of a name for an email local part: José → jose, Müller → muller, O'Brien → obrien. */
function asciiFold(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[þÞ]/g, 'th')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function quoteCsv(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** A field as it goes in the file: quoted when it must be, and sometimes when it need not be (as exports do). */
function csvField(value: string, random: () => number, quoteShare: number): string {
  if (/[",\r\n]/.test(value)) return quoteCsv(value);
  // Never an empty value: DuckDB reads "" as an empty string but an empty cell as NULL.
  if (value !== '' && random() < quoteShare) return quoteCsv(value);
  return value;
}

/**
 * Writes `rows` customers as CSV: realistic dirty values with four PII columns. Streams in batches, so
 * memory stays small at any size. Every value outside `INVALID_*` is dirty but valid: our AMC rules and
 * the benchmark's DuckDB SQL normalise it to the same string.
 */
export function generateCustomers(path: string, rows: number, opts: { seed?: number; sampleSize?: number } = {}): GeneratedFile {
  const random = seededRandom(opts.seed ?? 20250101);
  const firstName = zipf(FIRST_NAMES, random);
  const lastName = zipf(LAST_NAMES, random);
  const domain = zipf(EMAIL_DOMAINS, random, 1.3);
  const city = zipf(CITIES, random);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const digits = (n: number) => String(Math.floor(random() * 10 ** n)).padStart(n, '0');
  const sampleShare = Math.min(1, (opts.sampleSize ?? 1000) / rows);
  const file: GeneratedFile = { path, rows, bytes: 0, invalidEmails: 0, invalidPhones: 0, emptyPhones: 0, sample: new Set(), invalidSample: new Set() };

  const dirtyName = (name: string): string => {
    const r = random();
    let value = name;
    if (r < 0.1) value = name.toUpperCase();
    else if (r < 0.17) value = name.toLowerCase();
    else if (r < 0.19) value = [...name].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
    const s = random();
    if (s < 0.03) value = ` ${value}`;
    else if (s < 0.06) value = `${value} `;
    else if (s < 0.07) value = `  ${value}  `;
    else if (s < 0.08) value = value.normalize('NFD'); // decomposed accents, as some systems export them
    else if (s < 0.085) value = `${value} "${value.slice(0, 3)}"`; // a nickname in quotes
    return value;
  };

  const folded = new Map<string, string>();
  const fold = (name: string) => {
    let ascii = folded.get(name);
    if (ascii === undefined) folded.set(name, (ascii = asciiFold(name) || 'x'));
    return ascii;
  };
  const email = (first: string, last: string, id: number): string => {
    const f = fold(first);
    const l = fold(last);
    const n = String(id); // the customer number keeps every address unique
    const shape = random();
    let local: string;
    if (shape < 0.35) local = `${f}.${l}${n}`;
    else if (shape < 0.55) local = `${f[0]}${l}${n}`;
    else if (shape < 0.7) local = `${f}_${l}.${n}`;
    else if (shape < 0.8) local = `${f}${n}`;
    else if (shape < 0.9) local = `${l}.${f}-${n}`;
    else local = `${f}.${l}+news${n}`;
    let value = `${local}@${domain()}`;
    const c = random();
    if (c < 0.08) value = value.toUpperCase();
    else if (c < 0.2) value = local.charAt(0).toUpperCase() + value.slice(1);
    else if (c < 0.25) value = `${local}@${value.slice(local.length + 1).toUpperCase()}`;
    const s = random();
    if (s < 0.03) value = ` ${value}`;
    else if (s < 0.06) value = `${value}  `;
    else if (s < 0.07) value = value.replace('@', ' @ ');
    return value;
  };

  const phone = (): string => {
    const area = pick(AREA_CODES);
    const exchange = 200 + Math.floor(random() * 800);
    const line = digits(4);
    const f = random();
    if (f < 0.25) return `(${area}) ${exchange}-${line}`;
    if (f < 0.4) return `${area}-${exchange}-${line}`;
    if (f < 0.52) return `+1 ${area}-${exchange}-${line}`;
    if (f < 0.62) return `${area}.${exchange}.${line}`;
    if (f < 0.7) return `1-${area}-${exchange}-${line}`;
    if (f < 0.82) return `${area}${exchange}${line}`;
    if (f < 0.88) return `+1${area}${exchange}${line}`;
    if (f < 0.93) return `+1 (${area}) ${exchange}-${line}`;
    if (f < 0.97) return ` ${area} ${exchange} ${line} `;
    return `1${area}${exchange}${line}`;
  };

  const dates = Array.from({ length: 3650 }, (_, day) => new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10));
  const signupDate = (): string => pick(dates);

  const fd = openSync(path, 'w');
  try {
    const header = `${COLUMNS.join(',')}\n`;
    file.bytes += writeSync(fd, header);
    const BATCH = 20_000;
    const lines: string[] = [];
    for (let i = 1; i <= rows; i++) {
      const id = `C${String(i).padStart(9, '0')}`;
      const first = firstName();
      const last = lastName();
      const q = random();
      let mail = email(first, last, i);
      let tel = phone();
      let invalid = false;
      if (q < 0.005) {
        mail = pick(INVALID_EMAILS);
        file.invalidEmails++;
        invalid = true;
      } else if (q < 0.01) {
        tel = pick(INVALID_PHONES);
        file.invalidPhones++;
        invalid = true;
      } else if (q < 0.02) {
        tel = '';
        file.emptyPhones++;
      }
      if (invalid && file.invalidSample.size < 100 && random() < 0.05) file.invalidSample.add(id);
      else if (!invalid && random() < sampleShare) file.sample.add(id);
      lines.push(
        [
          id,
          csvField(dirtyName(first), random, 0.04),
          csvField(dirtyName(last), random, 0.04),
          csvField(mail, random, 0.03),
          csvField(tel, random, 0.03),
          csvField(city(), random, 0.02),
          signupDate(),
        ].join(','),
      );
      if (lines.length === BATCH || i === rows) {
        file.bytes += writeSync(fd, `${lines.join('\n')}\n`);
        lines.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}
