import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes, Base64 of the raw digest (44 chars): UID2's email_hash / phone_hash. */
export const sha256Base64 = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64');
/** SHA-256 of the UTF-8 bytes, lowercase hex (64 chars): Amazon Ads / AMC and TikTok. */
export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Values already hashed pass through unchanged: 64 hex chars, or 44 Base64 chars of 32 bytes. */
export const isSha256Hex = (value: string) => /^[0-9a-fA-F]{64}$/.test(value);
export const isSha256Base64 = (value: string) => /^[A-Za-z0-9+/]{43}=$/.test(value);
