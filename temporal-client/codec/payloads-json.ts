import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { describeIssue, issuePath } from '../../schemas/format-issues';

/**
 * The codec protocol's body: a temporal.api.common.v1.Payloads message in proto3 JSON
 * (https://protobuf.dev/programming-guides/json/). Absent or null fields are empty (the Temporal CLI sends `{}`
 * for no arguments), bytes are standard or URL-safe base64 with or without padding, fields go by their JSON
 * or proto name, and unknown fields are refused, as Go's protojson (Temporal's reference codec handler) does.
 */

const bytes = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64')
  .refine((s) => s.replace(/=+$/, '').length % 4 !== 1, 'expected base64')
  .transform((s) => Buffer.from(s, 'base64'));
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'expected an int64')]);
const externalPayloadDetails = z
  .strictObject({ sizeBytes: int64.nullish(), size_bytes: int64.nullish() })
  .transform(({ sizeBytes, size_bytes }) => ({ sizeBytes: sizeBytes ?? size_bytes ?? 0 }));

const payloadJson = z
  .strictObject({
    metadata: z.record(z.string(), bytes).nullish(),
    data: bytes.nullish(),
    externalPayloads: z.array(externalPayloadDetails).nullish(),
    external_payloads: z.array(externalPayloadDetails).nullish(),
  })
  .transform(({ metadata, data, externalPayloads, external_payloads }): Payload => {
    const external = externalPayloads ?? external_payloads ?? [];
    return {
      metadata: metadata ?? {},
      data: data ?? new Uint8Array(),
      ...(external.length ? { externalPayloads: external.map((e) => temporal.api.common.v1.Payload.ExternalPayloadDetails.fromObject(e)) } : {}),
    };
  });

const payloadsJson = z.strictObject({ payloads: z.array(payloadJson).nullish() }).transform(({ payloads }) => payloads ?? []);

export type PayloadsParseResult = { ok: true; payloads: Payload[] } | { ok: false; error: string };

/** Reads a parsed JSON body; the error names the field and the rule, never a value. */
export function payloadsFromJson(json: unknown): PayloadsParseResult {
  const parsed = payloadsJson.safeParse(json);
  if (parsed.success) return { ok: true, payloads: parsed.data };
  const issue = parsed.error.issues[0]!;
  const what = issue.code === 'invalid_type' && issue.path.length === 0 ? 'expected a JSON object' : describeIssue(issue);
  return { ok: false, error: `invalid Payloads JSON at ${issuePath(issue, 'body')}: ${what}` };
}

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Proto3 JSON of a Payloads message: default (empty) fields are left out. */
export function payloadsToJson(payloads: Payload[]): { payloads: object[] } {
  return {
    payloads: payloads.map(({ metadata, data, externalPayloads }) => ({
      ...(metadata && Object.keys(metadata).length ? { metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, base64(v)])) } : {}),
      ...(data?.length ? { data: base64(data) } : {}),
      ...(externalPayloads?.length ? { externalPayloads: externalPayloads.map((e) => ({ sizeBytes: String(e.sizeBytes ?? 0) })) } : {}),
    })),
  };
}
