import { describe, expect, it } from 'vitest';
import { DEMO_COLUMNS, generateDemoCustomers } from '../../sandbox/synthetic/demo-data';

describe('demo customer data', () => {
  const { crm, ecommerce } = generateDemoCustomers({ people: 200, overlap: 40 });
  const all = [...crm, ...ecommerce];

  it('holds every person once per source, with the overlap present in both', () => {
    expect(crm.length + ecommerce.length).toBe(240);
    expect(new Set(all.map((r) => r.customer_id)).size).toBe(240);
    expect(all.every((r) => DEMO_COLUMNS.every((c) => typeof r[c] === 'string'))).toBe(true);
    const key = (r: (typeof all)[number]) => r.phone.replace(/\D/g, '').slice(-10);
    const crmPhones = new Set(crm.filter((r) => r.phone).map(key));
    expect(ecommerce.filter((r) => r.phone && crmPhones.has(key(r))).length).toBeGreaterThan(20);
  });

  it('is dirty the way real exports are', () => {
    expect(all.some((r) => r.email !== r.email.trim())).toBe(true);
    expect(all.some((r) => /[A-Z]/.test(r.email))).toBe(true);
    expect(all.some((r) => /\+shop@gmail\.com$/.test(r.email))).toBe(true);
    expect(all.some((r) => r.email === '')).toBe(true);
    expect(all.some((r) => /^\(\d{3}\) /.test(r.phone))).toBe(true);
    expect(all.some((r) => /^\+1 \d{3}-/.test(r.phone))).toBe(true);
    expect(all.some((r) => /^\d{3}\.\d{3}\./.test(r.phone))).toBe(true);
    const junk = ['n/a', '555-01'];
    expect(all.filter((r) => junk.includes(r.phone)).length).toBeGreaterThan(0);
    expect(all.every((r) => r.phone === '' || junk.includes(r.phone) || /55501\d\d$/.test(r.phone.replace(/\D/g, '')))).toBe(true);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(generateDemoCustomers({ people: 50, overlap: 10, seed: 7 })).toEqual(generateDemoCustomers({ people: 50, overlap: 10, seed: 7 }));
    expect(generateDemoCustomers({ people: 50, overlap: 10, seed: 8 })).not.toEqual(generateDemoCustomers({ people: 50, overlap: 10, seed: 7 }));
  });
});
