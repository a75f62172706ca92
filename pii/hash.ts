import { hash } from 'node:crypto';

// One-shot crypto.hash: no Hash object per value, which matters at millions of values.

/** SHA-256 of the UTF-8 bytes, Base64 of the raw digest (44 chars): UID2's email_hash / phone_hash. */
export const sha256Base64 = (value: string) => hash('sha256', value, 'base64');
/** SHA-256 of the UTF-8 bytes, lowercase hex (64 chars): Amazon Ads / AMC and TikTok. */
export const sha256Hex = (value: string) => hash('sha256', value, 'hex');

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
/** Whether a value already looks like a SHA-256 digest: 64 hex chars (either case), or 44 Base64 chars of 32 bytes. */
export const isSha256Hex = (value: string) => SHA256_HEX.test(value);
export const isSha256Base64 = (value: string) => SHA256_BASE64.test(value);
