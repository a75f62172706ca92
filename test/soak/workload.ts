import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parse } from 'csv-parse';
import { generateCustomers } from '../../bench/prep/generate';
import { generateDemoCustomers } from '../../sandbox/synthetic/demo-data';
import { seedDemoData, DEMO_DATABASE, DEMO_TABLE } from '../../scripts/demo-data-seed';
import type { PrepareIdentityDataInput } from '../../schemas/preparation/prep';
import { workflowIds } from '../../schemas/temporal-names';
import type { Uid2MatchingInput } from '../../schemas/uid2-matching/uid2-matching';

/** What the soak runs: preparations of large files (some into a prefix an earlier run filled) and UID2 matching. */
export type RunKind = 'prep' | 'prep-rerun' | 'matching';
/** The undisturbed run whose output a soak run must equal. */
export type Expectation = 'prep-big' | 'prep-small' | 'matching';

export interface RunSpec {
  label: string;
  kind: RunKind;
  expect: Expectation;
  workflowType: 'prepareIdentityData' | 'uid2Matching';
  workflowId: string;
  args: [PrepareIdentityDataInput] | [Uid2MatchingInput];
  /** Where its output goes: a prep output prefix, or the matching output path. */
  output: string;
  /** The Entity Resolution workflows a matching run starts one job on each. */
  erWorkflows: string[];
}

export const DATA_BUCKET = 'soak-data';
export const OUTPUT_BUCKET = 'soak-out';
const INPUT = { big: `s3://${DATA_BUCKET}/input/big.csv`, small: `s3://${DATA_BUCKET}/input/small.csv` };

/** Fixture PII to look for in histories and logs: emails lowercased, phones as written and as E.164 digits. */
export interface PiiFixture {
  emails: Set<string>;
  phones: Set<string>;
  phoneDigits: Set<string>;
}

/** Generates the inputs, uploads them (multipart for the large ones), seeds the demo table and collects the PII they hold. */
export async function seedSoakData(opts: { s3: S3Client; dir: string; rows: number; seed: number; region: string }): Promise<PiiFixture> {
  for (const Bucket of [DATA_BUCKET, OUTPUT_BUCKET]) {
    await opts.s3.send(new CreateBucketCommand({ Bucket })).catch((err: Error) => {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(err.name)) throw err;
    });
  }
  const pii: PiiFixture = { emails: new Set(), phones: new Set(), phoneDigits: new Set() };
  const addPhone = (phone: string) => {
    const trimmed = phone.trim();
    if (trimmed === '') return;
    pii.phones.add(trimmed);
    const digits = trimmed.replace(/\D/g, '');
    if (digits.length >= 10) pii.phoneDigits.add(digits.slice(-10));
  };
  for (const [name, rows, seed] of [['big', opts.rows, opts.seed], ['small', Math.max(1000, Math.floor(opts.rows / 5)), opts.seed + 1]] as const) {
    const path = join(opts.dir, `${name}.csv`);
    generateCustomers(path, rows, { seed });
    const key = `input/${name}.csv`;
    await new Upload({ client: opts.s3, params: { Bucket: DATA_BUCKET, Key: key, Body: createReadStream(path) }, partSize: 8 * 1024 * 1024, queueSize: 2 }).done();
    for await (const record of createReadStream(path).pipe(parse({ columns: true, relax_quotes: true, relax_column_count: true }))) {
      const { email, phone } = record as { email?: string; phone?: string };
      if (email?.trim()) pii.emails.add(email.trim().toLowerCase());
      if (phone) addPhone(phone);
    }
  }
  await seedDemoData(opts.region);
  const { crm, ecommerce } = generateDemoCustomers({ people: 200, overlap: 40 });
  for (const c of [...crm, ...ecommerce]) {
    if (c.email.trim()) pii.emails.add(c.email.trim().toLowerCase());
    addPhone(c.phone);
  }
  return pii;
}

const PREP_TUNING = { partRows: 50_000, splitBytes: 8 * 1024 * 1024 };
const PREP_RULES = { profile: 'uid2', columns: { email: 'EMAIL', phone: 'PHONE' }, defaultRegion: 'US' } as const;

export function prepRun(label: string, kind: RunKind, input: 'big' | 'small', output: string): RunSpec {
  return {
    label,
    kind,
    expect: input === 'big' ? 'prep-big' : 'prep-small',
    workflowType: 'prepareIdentityData',
    workflowId: workflowIds.prepareIdentityData(output),
    args: [{ input: INPUT[input], output, outputFormat: 'csv', rules: PREP_RULES, ...PREP_TUNING }],
    output,
    erWorkflows: [],
  };
}

export function matchingRun(label: string, name: string, output: string): RunSpec {
  return {
    label,
    kind: 'matching',
    expect: 'matching',
    workflowType: 'uid2Matching',
    workflowId: workflowIds.uid2Matching(name, label),
    args: [
      {
        name,
        data: { glueTable: { database: DEMO_DATABASE, table: DEMO_TABLE } },
        uniqueIdColumn: 'customer_id',
        emailColumn: 'email',
        phoneColumn: 'phone',
        output: { s3Path: output },
        roleArn: 'arn:aws:iam::000000000000:role/EntityResolutionUid2Workflow',
        subscription: { account: '000000000000', poll: { initialInterval: '2 seconds', maximumInterval: '5 seconds', backoffCoefficient: 1.5 } },
        jobPoll: { initialInterval: '1 second', maximumInterval: '3 seconds', backoffCoefficient: 1.5 },
      },
    ],
    output,
    erWorkflows: [`${name}_email`, `${name}_phone`],
  };
}

export const baselineRuns = (): RunSpec[] => [
  prepRun('baseline-big', 'prep', 'big', `s3://${OUTPUT_BUCKET}/baseline/prep-big/`),
  prepRun('baseline-small', 'prep', 'small', `s3://${OUTPUT_BUCKET}/baseline/prep-small/`),
  matchingRun('baseline-matching', 'Soak_Baseline', `s3://${OUTPUT_BUCKET}/baseline/uid2/`),
];

/**
 * The i-th soak run: a preparation of the large file, two matching runs on two Entity Resolution
 * workflows (so runs queue for a workflow's one job), and a preparation of the small file into the
 * prefix an earlier completed preparation filled (fewer parts than what is there).
 */
export function soakRun(i: number, reusablePrefix: () => string | undefined): RunSpec {
  const label = `run-${String(i).padStart(3, '0')}`;
  switch (i % 4) {
    case 0:
      return prepRun(label, 'prep', 'big', `s3://${OUTPUT_BUCKET}/prep/${label}/`);
    case 3: {
      const prefix = reusablePrefix();
      return prefix ? prepRun(label, 'prep-rerun', 'small', prefix) : prepRun(label, 'prep', 'small', `s3://${OUTPUT_BUCKET}/prep/${label}/`);
    }
    default:
      return matchingRun(label, i % 4 === 1 ? 'Soak_A' : 'Soak_B', `s3://${OUTPUT_BUCKET}/uid2/${label}/`);
  }
}

/** The sandbox's faults during the soak: throttling, 5xx, slow calls and failed jobs, on every service the runs call. */
export const SOAK_FAULTS = {
  seed: 1,
  rules: [
    { service: 'entityresolution', throttle: 0.2, serverError: 0.05, latencyMs: 50, jobFailure: 0.1 },
    { service: 'dataexchange', throttle: 0.2, serverError: 0.05 },
    { service: 'glue', throttle: 0.1, serverError: 0.05, latencyMs: 200 },
    { service: 's3', throttle: 0.02, serverError: 0.01 },
  ],
};

/** The failure a run may end with because the soak asked for it (a job the sandbox failed on purpose). */
export const INJECTED_FAILURE = /injected by the sandbox/;
