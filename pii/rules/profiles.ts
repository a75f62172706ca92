import type { IdentifierType, PrepProfile } from '../../schemas/preparation/prep';
import { sha256Base64, sha256Hex } from '../hash';

/** A destination: the identifier types it takes, and how it encodes a normalised value. */
export interface DestinationProfile {
  /** In the order its rules list them. */
  types: readonly IdentifierType[];
  /** Undefined: values stay readable (Entity Resolution's clean zone, for matching). */
  encode: ((value: string) => string) | undefined;
}

/**
 * Every destination profile, declared once. Holds no rules, so the main thread checks a mapping against it
 * without loading them (their modules, libphonenumber's metadata and the address tables are ~20 MB, needed by
 * the worker threads only); `pii/prep/rows/profile-rules.ts` gives each declared type its rule.
 */
export const DESTINATION_PROFILES = {
  /** UID2 "Normalization and Encoding": SHA-256, Base64 of the raw 32 bytes (email_hash / phone_hash). */
  uid2: { types: ['EMAIL', 'PHONE'], encode: sha256Base64 },
  /** TikTok custom audience files: SHA-256, lowercase hex. */
  tiktok: { types: ['EMAIL', 'PHONE', 'IDFA', 'GAID'], encode: sha256Hex },
  /** Amazon Ads / AMC hashed identity data: SHA-256, lowercase hex. */
  amc: { types: ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY'], encode: sha256Hex },
  er: { types: ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'ADDRESS', 'CITY', 'STATE', 'POSTAL_CODE', 'COUNTRY'], encode: undefined },
} as const satisfies Record<PrepProfile, DestinationProfile>;

/** The identifier types a profile takes. */
export type ProfileType<P extends PrepProfile> = (typeof DESTINATION_PROFILES)[P]['types'][number];

/** Whether the prepared values are hashes (hex or Base64), so never need quoting in CSV: the profile hashes and `hash` is not false. */
export function hashesValues(rules: { profile: PrepProfile; hash?: boolean }): boolean {
  return rules.hash !== false && DESTINATION_PROFILES[rules.profile].encode !== undefined;
}
