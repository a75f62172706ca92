import { createHash } from 'node:crypto';

/**
 * The made-up customers behind histories/audience-upload-*.json: what the recorder uploads and what the
 * replay suite scans the recorded histories for, raw and as TikTok gets them (SHA-256 hex of the
 * lowercase email, of the phone's E.164 digits without '+').
 */
export const AUDIENCE_RECORDING_HEADER = ['customer_id', 'email', 'phone'];
/** Above TikTok's 1,000 minimum, so the day-2 update is not refused. */
const CUSTOMERS = 1_050;
const emailOf = (i: number) => `rec.customer${i}@example.net`;
const phoneOf = (i: number) => `+1212${String(3_000_000 + i)}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Day 1: customers 0…1049. Day 2: 0…4 gone, 1050…1057 new. */
export const AUDIENCE_RECORDING_DAYS = { day1: range(0, CUSTOMERS), day2: range(5, CUSTOMERS + 8) };

export const audienceRecordingRows = (ids: number[]): string[][] => ids.map((i) => [`R${i}`, emailOf(i), phoneOf(i)]);

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const everyone = range(0, CUSTOMERS + 8);

/** Every identifier of the recording, raw (as written and as normalised) and hashed. */
export const AUDIENCE_RECORDING_VALUES = everyone.flatMap((i) => [emailOf(i), phoneOf(i), phoneOf(i).slice(1), sha256(emailOf(i)), sha256(phoneOf(i).slice(1))]);
