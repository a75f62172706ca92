import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { METADATA_ENCODING_KEY, defaultPayloadConverter, str } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec, ENCODING_ENCRYPTED } from '../temporal-client/codec/aes-gcm-codec';
import type { CodecKeyring } from '../temporal-client/codec/keyring';
import { measure, type Measurement, type Operation } from './measure';

/** Workflow status (~300 B), a typical input/result (~4 KiB), a large result listing many output parts (~64 KiB). */
export const CODEC_TARGET_SIZES = [300, 4 * 1024, 64 * 1024] as const;

export interface CodecBenchResult {
  /** Bytes of JSON in the payload (`Payload.data`), the unit of the MB/s figures. */
  sizeBytes: number;
  /** defaultPayloadConverter.toPayload + Payload.encode: what Temporal does with any payload, no encryption. */
  baseline: Measurement;
  /** defaultPayloadConverter.toPayload + AesGcmPayloadCodec encode + decode. */
  codec: Measurement;
  /** codec ops/s ÷ baseline ops/s, each the median of interleaved rounds (1 = encryption is free; 0.25 = four times slower). */
  ratio: number;
}

const Payload = temporal.api.common.v1.Payload;
const BUCKET_PREFIX = 's3://bucket/prefix/';

interface OutputPart {
  uri: string;
  rows: number;
  bytes: number;
  etag: string;
}

function outputPart(i: number): OutputPart {
  const n = i + 1;
  const hash = (Math.imul(n, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return {
    uri: `${BUCKET_PREFIX}part-${String(n).padStart(4, '0')}.csv`,
    rows: 1000 + ((n * 7919) % 90_000),
    bytes: 50_000 + ((n * 104_729) % 9_000_000),
    etag: hash.repeat(4),
  };
}

/** A deterministic workflow-shaped JSON object (ids, ARNs, S3 URIs, counts; no personal data) of at most `targetBytes` of JSON. */
export function sampleDocument(targetBytes: number): Record<string, unknown> {
  const parts: OutputPart[] = [];
  const doc = {
    workflowId: 'uid2-matching-111122223333',
    stage: 'matching',
    workflowArn: 'arn:aws:entityresolution:us-east-1:111122223333:matchingworkflow/uid2-matching',
    output: BUCKET_PREFIX,
    counts: { inputRecords: 0, matched: 0 },
    checks: 12,
    asOf: '2025-01-01T00:00:00.000Z',
    runs: 1,
    parts,
  };
  for (;;) {
    const next = outputPart(parts.length);
    parts.push(next);
    doc.counts.inputRecords += next.rows;
    doc.counts.matched += Math.floor(next.rows * 0.8);
    if (Buffer.byteLength(JSON.stringify(doc)) > targetBytes) {
      parts.pop();
      doc.counts.inputRecords -= next.rows;
      doc.counts.matched -= Math.floor(next.rows * 0.8);
      return doc;
    }
  }
}

function benchKeyring(): CodecKeyring {
  const key = randomBytes(32);
  return { current: { id: 'bench', key }, byId: { bench: key } };
}

/** Throws unless the codec encrypts `value` (no plaintext visible) and decodes it back to an identical payload. */
async function checkRoundTrip(codec: AesGcmPayloadCodec, value: unknown): Promise<void> {
  const original = defaultPayloadConverter.toPayload(value);
  const encoded = await codec.encode([original]);
  const encrypted = encoded[0];
  if (encoded.length !== 1 || !encrypted) throw new Error('codec check: encode did not return exactly one payload');
  const encoding = encrypted.metadata?.[METADATA_ENCODING_KEY];
  if (!encoding || str(encoding) !== ENCODING_ENCRYPTED) throw new Error(`codec check: encoded payload is not marked ${ENCODING_ENCRYPTED}`);
  if (Buffer.from(encrypted.data ?? []).includes(BUCKET_PREFIX)) throw new Error('codec check: plaintext is visible in the encoded payload');

  const decoded = await codec.decode(encoded);
  const roundTripped = decoded[0];
  if (decoded.length !== 1 || !roundTripped) throw new Error('codec check: decode did not return exactly one payload');
  const wireOriginal = Buffer.from(Payload.encode(original).finish());
  const wireDecoded = Buffer.from(Payload.encode(roundTripped).finish());
  if (!wireOriginal.equals(wireDecoded)) throw new Error('codec check: decoded payload differs from the original');
  if (!isDeepStrictEqual(defaultPayloadConverter.fromPayload(roundTripped), value)) {
    throw new Error('codec check: decoded value differs from the original');
  }
}

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function combine(rounds: Measurement[]): Measurement {
  return {
    iterations: rounds.reduce((sum, m) => sum + m.iterations, 0),
    elapsedNs: rounds.reduce((sum, m) => sum + m.elapsedNs, 0n),
    opsPerSec: median(rounds.map((m) => m.opsPerSec)),
  };
}

/**
 * Splits the time into ROUNDS alternating baseline/measured rounds and keeps each side's median ops/s,
 * so load changes on a shared machine hit both sides alike and one slow round (GC, a noisy neighbour) does not count.
 */
async function interleaved(baseline: Operation, measured: Operation, timing: { seconds: number; warmupSeconds: number }) {
  const round = { seconds: timing.seconds / ROUNDS, warmupSeconds: timing.warmupSeconds / ROUNDS };
  const baselineRounds: Measurement[] = [];
  const measuredRounds: Measurement[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    baselineRounds.push(await measure(baseline, round));
    measuredRounds.push(await measure(measured, round));
  }
  return { baseline: combine(baselineRounds), measured: combine(measuredRounds) };
}

export async function benchCodec(opts: { seconds: number; onResult?: (result: CodecBenchResult) => void }): Promise<CodecBenchResult[]> {
  const codec = new AesGcmPayloadCodec(benchKeyring());
  const timing = { seconds: opts.seconds, warmupSeconds: Math.min(1, Math.max(0.05, opts.seconds / 4)) };
  const results: CodecBenchResult[] = [];

  for (const target of CODEC_TARGET_SIZES) {
    const value = sampleDocument(target);
    const sample = defaultPayloadConverter.toPayload(value);
    const dataBytes = sample.data?.length ?? 0;
    const wireBytes = Payload.encode(sample).finish().length;
    await checkRoundTrip(codec, value);

    // Each operation checks its output's size: cheap, and the result is used, so nothing can be optimised away.
    const { baseline, measured: withCodec } = await interleaved(
      () => {
        const wire = Payload.encode(defaultPayloadConverter.toPayload(value)).finish();
        if (wire.length !== wireBytes) throw new Error(`baseline: encoded ${wire.length} bytes, expected ${wireBytes}`);
      },
      async () => {
        const decoded = await codec.decode(await codec.encode([defaultPayloadConverter.toPayload(value)]));
        const length = decoded[0]?.data?.length;
        if (length !== dataBytes) throw new Error(`codec: decoded ${length ?? 'no'} bytes, expected ${dataBytes}`);
      },
      timing,
    );

    const result = { sizeBytes: dataBytes, baseline, codec: withCodec, ratio: withCodec.opsPerSec / baseline.opsPerSec };
    results.push(result);
    opts.onResult?.(result);
  }
  return results;
}

const megabytesPerSecond = (result: CodecBenchResult, m: Measurement) => (result.sizeBytes * m.opsPerSec) / 1e6;

export const CODEC_REPORT_HEADER = [
  'codec: toPayload + AES-256-GCM encode + decode vs. baseline toPayload + Payload.encode (no encryption); MB/s = 10^6 JSON bytes/s',
  `${'size_bytes'.padStart(10)} ${'baseline ops/s'.padStart(15)} ${'codec ops/s'.padStart(12)} ${'ratio'.padStart(7)} ` +
    `${'baseline MB/s'.padStart(14)} ${'codec MB/s'.padStart(11)} ${'iterations (baseline/codec)'.padStart(28)}`,
];

export function codecReportLine(r: CodecBenchResult): string {
  return (
    `${String(r.sizeBytes).padStart(10)} ${r.baseline.opsPerSec.toFixed(0).padStart(15)} ${r.codec.opsPerSec.toFixed(0).padStart(12)} ` +
    `${r.ratio.toFixed(3).padStart(7)} ${megabytesPerSecond(r, r.baseline).toFixed(1).padStart(14)} ` +
    `${megabytesPerSecond(r, r.codec).toFixed(1).padStart(11)} ${`${r.baseline.iterations}/${r.codec.iterations}`.padStart(28)}`
  );
}

export function codecJson(results: CodecBenchResult[]) {
  return {
    bench: 'codec',
    results: results.map((r) => ({
      size_bytes: r.sizeBytes,
      baseline_ops_per_s: Math.round(r.baseline.opsPerSec),
      codec_ops_per_s: Math.round(r.codec.opsPerSec),
      ratio: Number(r.ratio.toFixed(4)),
    })),
  };
}
