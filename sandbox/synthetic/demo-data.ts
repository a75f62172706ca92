import { seededRandom } from './seeded-random';

/**
 * Synthetic customer records for the demo and the end-to-end tests: no real person, but the dirt
 * real exports have — emails in mixed case with stray spaces and Gmail dots/tags, phone numbers in
 * several national and international formats (the fictional 555-01xx range), empty values, and
 * the same people present in two sources with different spellings.
 */
export const DEMO_COLUMNS = ['customer_id', 'source', 'first_name', 'last_name', 'email', 'phone', 'city', 'country'] as const;
export type DemoRecord = Record<(typeof DEMO_COLUMNS)[number], string>;

const FIRST = ['Jane', 'John', 'Maria', 'Ahmed', 'Li', 'Sofia', 'Lucas', 'Emma', 'Noah', 'Aiko', 'Omar', 'Chloe'];
const LAST = ['Doe', 'Smith', 'Garcia', 'Khan', 'Wang', 'Rossi', 'Martin', 'Brown', 'Silva', 'Tanaka', 'Haddad', 'Dubois'];
const CITIES: [string, string][] = [['San Francisco', 'US'], ['New York', 'US'], ['London', 'GB'], ['Paris', 'FR'], ['Toronto', 'CA']];
const DOMAINS = ['example.com', 'example.org', 'gmail.com', 'example.net'];

interface Person {
  first: string;
  last: string;
  local: string;
  domain: string;
  phoneDigits: string;
  city: [string, string];
}

export function generateDemoCustomers(opts: { people: number; overlap: number; seed?: number }): { crm: DemoRecord[]; ecommerce: DemoRecord[] } {
  const random = seededRandom(opts.seed ?? 2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const people: Person[] = Array.from({ length: opts.people }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return {
      first,
      last,
      local: `${first}.${last}${i}`.toLowerCase(),
      domain: pick(DOMAINS),
      phoneDigits: `${200 + Math.floor(random() * 700)}55501${String(i % 100).padStart(2, '0')}`,
      city: pick(CITIES),
    };
  });

  const messyEmail = (p: Person) => {
    const variants = [
      `${p.local}@${p.domain}`,
      ` ${p.first}.${p.last}${p.local.replace(/^\D+/, '')}@${p.domain.toUpperCase()} `,
      p.domain === 'gmail.com' ? `${p.local.replace('.', '')}+shop@gmail.com` : `${p.local.toUpperCase()}@${p.domain}`,
      '',
    ];
    return variants[Math.floor(random() * (random() < 0.05 ? 4 : 3))]!;
  };
  const messyPhone = (p: Person) => {
    const d = p.phoneDigits;
    const formats = [`+1 ${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, `(${d.slice(0, 3)}) ${d.slice(3, 6)} ${d.slice(6)}`, `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`, `+1${d}`];
    return random() < 0.05 ? '' : pick(formats);
  };
  const record = (p: Person, source: string, id: string): DemoRecord => ({
    customer_id: id,
    source,
    first_name: random() < 0.3 ? p.first.toUpperCase() : p.first,
    last_name: random() < 0.2 ? ` ${p.last}` : p.last,
    email: messyEmail(p),
    phone: messyPhone(p),
    city: p.city[0],
    country: p.city[1],
  });

  const crmCount = Math.ceil((opts.people + opts.overlap) / 2);
  const crm = people.slice(0, crmCount).map((p, i) => record(p, 'crm', `crm-${String(i + 1).padStart(5, '0')}`));
  const ecommerce = people.slice(crmCount - opts.overlap).map((p, i) => record(p, 'ecommerce', `ecom-${String(i + 1).padStart(5, '0')}`));
  // Every 40th record's phone is junk no region reads as a number; chosen by index, so every other value stays as seeded.
  [...crm, ...ecommerce].forEach((r, i) => {
    if (i % 40 === 39 && r.phone !== '') r.phone = i % 80 === 39 ? 'n/a' : '555-01';
  });
  return { crm, ecommerce };
}
