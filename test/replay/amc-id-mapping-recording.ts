import { createHash } from 'node:crypto';

/**
 * The made-up identity file behind histories/amc-id-mapping.json: what the recorder uploads and what
 * the replay suite scans the recorded history for, raw and as AMC's hashes (SHA-256 hex of the normalised value).
 */
export const AMC_RECORDING_HEADER = ['Customer_ID', 'Email', 'Phone'];

export function amcRecordingRows(k1Email: string): string[][] {
  return [
    ['k0', 'quinn.harbor@example.com', '+1 212 555 0170'],
    ['k1', k1Email, '+1 212 555 0171'],
    ['k2', 'rowan.field@example.org', '(212) 555-0172'],
  ];
}

const EMAILS = ['quinn.harbor@example.com', 'sage.brook@example.com', 'sage.brook.new@example.com', 'rowan.field@example.org'];
const PHONES = ['+12125550170', '+12125550171', '+12125550172'];
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Every identity value of the recording, raw (as written and normalised) and hashed. */
export const AMC_RECORDING_VALUES = [...EMAILS, ...PHONES, '212 555 0170', '555-0172', ...[...EMAILS, ...PHONES].map(sha256)];
