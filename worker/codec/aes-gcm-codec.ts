import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, str, u8, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeyring } from './keyring';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts each whole Payload (metadata included) with AES-256-GCM; wire format is iv || ciphertext || tag.
 * Same layout as Temporal's TypeScript encryption sample, so a codec server can decode histories for the Web UI.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: CodecKeyring) {}

  // The crypto is synchronous; going through then() turns a throw into a rejection as the SDK expects.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv);
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: u8(ENCODING_ENCRYPTED), [METADATA_ENCRYPTION_KEY_ID]: u8(id) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || str(encoding) !== ENCODING_ENCRYPTED) return payload;

    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes) throw new Error(`Cannot decrypt payload: metadata "${METADATA_ENCRYPTION_KEY_ID}" is missing`);
    const keyId = str(keyIdBytes);
    const key = this.keyring.byId[keyId];
    if (!key) {
      throw new Error(`Cannot decrypt payload: unknown encryption key id "${keyId}" (add it to TEMPORAL_CODEC_PREVIOUS_KEYS)`);
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`Cannot decrypt payload with key id "${keyId}": data is truncated`);

    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error(`Cannot decrypt payload with key id "${keyId}": authentication failed (wrong key or tampered data)`);
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}
