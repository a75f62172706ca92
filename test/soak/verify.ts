import { createHash } from 'node:crypto';
import { ListMatchingJobsCommand, type EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { PayloadCodec } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { PrepSummary } from '../../activities/preparation/prepare-dataset';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import type { Uid2MatchingResult } from '../../schemas/uid2-matching/uid2-matching';
import { formatS3Uri, requireS3Uri } from '../../storage/s3-uri';
import { historyPayloads, historyText } from '../helpers/history-text';
import { objectBytes } from '../helpers/s3-objects';
import type { PiiFixture } from './workload';

async function listKeys(s3: S3Client, prefix: string): Promise<string[]> {
  const { bucket, key } = requireS3Uri(prefix);
  const uris: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
    for (const object of page.Contents ?? []) uris.push(formatS3Uri(bucket, object.Key));
    token = page.NextContinuationToken;
  } while (token);
  return uris;
}

/** An output as rows (data lines without the header of each object) and the problems found reading it. */
export interface OutputRows {
  rows: string[];
  /** Objects whose bytes differ from the SHA-256 their manifest states, or that could not be read. */
  corrupt: number;
  /** Objects under the output prefix that its manifest does not list: stale or duplicated parts. */
  unlisted: number;
}

function dataLines(body: Buffer): string[] {
  const lines = body.toString('latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(1);
}

export async function prepOutputRows(s3: S3Client, summary: PrepSummary): Promise<OutputRows> {
  const manifest = JSON.parse((await objectBytes(s3, summary.manifestUri)).toString('utf8')) as PrepManifest;
  const out: OutputRows = { rows: [], corrupt: 0, unlisted: 0 };
  for (const object of [...manifest.outputs, ...manifest.rejects]) {
    const body = await objectBytes(s3, object.uri).catch(() => undefined);
    if (!body || createHash('sha256').update(body).digest('hex') !== object.sha256) {
      out.corrupt++;
      continue;
    }
    // Rejects are kept apart from outputs so a row moving between them counts as lost.
    const tag = manifest.rejects.includes(object) ? 'reject:' : 'out:';
    for (const line of dataLines(body)) out.rows.push(tag + line);
  }
  const listed = new Set([summary.manifestUri, ...manifest.outputs.map((o) => o.uri), ...manifest.rejects.map((o) => o.uri)]);
  const prefix = summary.manifestUri.replace(/manifest\.json$/, '');
  out.unlisted = (await listKeys(s3, prefix)).filter((uri) => !listed.has(uri)).length;
  return out;
}

export async function matchingOutputRows(s3: S3Client, result: Uid2MatchingResult): Promise<OutputRows> {
  const out: OutputRows = { rows: [], corrupt: 0, unlisted: 0 };
  for (const identifier of result.identifiers) {
    for (const uri of identifier.outputObjects) {
      const body = await objectBytes(s3, uri).catch(() => undefined);
      if (!body) {
        out.corrupt++;
        continue;
      }
      const tag = `${identifier.identifier}:${uri.includes('/error/') ? 'error' : 'success'}:`;
      for (const line of dataLines(body)) out.rows.push(tag + line);
    }
  }
  return out;
}

/** Rows of the undisturbed run missing from this one, and rows this one has more of (duplicates), as multisets. */
export function compareRows(expected: string[], actual: string[]): { lost: number; extra: number } {
  const counts = new Map<string, number>();
  for (const row of expected) counts.set(row, (counts.get(row) ?? 0) + 1);
  let extra = 0;
  for (const row of actual) {
    const left = counts.get(row) ?? 0;
    if (left > 0) counts.set(row, left - 1);
    else extra++;
  }
  let lost = 0;
  for (const left of counts.values()) lost += left;
  return { lost, extra };
}

/** Jobs the sandbox ran on each Entity Resolution workflow. */
export async function jobsPerWorkflow(er: EntityResolutionClient, workflows: string[]): Promise<Map<string, string[]>> {
  const jobs = new Map<string, string[]>();
  for (const workflowName of workflows) {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await er.send(new ListMatchingJobsCommand({ workflowName, nextToken, maxResults: 25 }));
      ids.push(...(page.jobs ?? []).map((j) => j.jobId!));
      nextToken = page.nextToken;
    } while (nextToken);
    jobs.set(workflowName, ids);
  }
  return jobs;
}

/** Counts fixture emails and phones in a text: each hit names its kind and where, never the value. */
export function piiHits(text: string, pii: PiiFixture): { emails: number; phones: number } {
  let emails = 0;
  let phones = 0;
  for (const match of text.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)) {
    if (pii.emails.has(match[0].toLowerCase())) emails++;
  }
  for (const match of text.matchAll(/\+?\(?\d[\d ().-]{7,}\d/g)) {
    const candidate = match[0].trim();
    const digits = candidate.replace(/\D/g, '');
    const e164 = candidate.startsWith('+') && digits.length >= 11 && pii.phoneDigits.has(digits.slice(-10));
    if (pii.phones.has(candidate) || e164) phones++;
  }
  return { emails, phones };
}

/** Every workflow history in the namespace as text: raw (encrypted) and with each payload decrypted; payloads the codec could not read are counted. */
export async function* historyTexts(client: Client, codec: PayloadCodec): AsyncGenerator<{ workflowId: string; text: string; undecodable: number }> {
  for await (const execution of client.workflow.list()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const payloads = historyPayloads(history);
    const raw = historyText(history);
    const decoded: string[] = [];
    let undecodable = 0;
    for (const payload of payloads) {
      const [plain] = await codec.decode([payload]).catch(() => [undefined]);
      if (plain) decoded.push(Buffer.from(plain.data ?? new Uint8Array()).toString('utf8'));
      else undecodable++;
    }
    yield { workflowId: execution.workflowId, text: [raw, ...decoded].join('\n'), undecodable };
  }
}
