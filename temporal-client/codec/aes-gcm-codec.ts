import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, str, u8, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PayloadDecryptionError } from './decryption-error';
import { KEY_ID_PATTERN, type CodecKeyring } from './keyring';

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
    if (!keyIdBytes) throw this.cannotDecrypt(`its metadata "${METADATA_ENCRYPTION_KEY_ID}" is missing`);
    const keyId = str(keyIdBytes);
    const named = KEY_ID_PATTERN.test(keyId) ? `"${keyId}"` : '(not a valid key id)';
    const key = this.keyring.byId[keyId];
    if (!key) {
      throw this.cannotDecrypt(
        `it was encrypted with key id ${named}, which this process does not hold`,
        KEY_ID_PATTERN.test(keyId)
          ? `give it that key: TEMPORAL_CODEC_KEY with TEMPORAL_CODEC_KEY_ID=${keyId}, or "${keyId}:<base64 key>" in TEMPORAL_CODEC_PREVIOUS_KEYS`
          : undefined,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw this.cannotDecrypt(`its data, encrypted with key id ${named}, is truncated`);

    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw this.cannotDecrypt(
        `authentication failed with key id ${named}: the key this process holds under that id is a different key, or the payload was altered`,
        'give every worker, client and codec server the same key bytes for that id',
      );
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }

  /** Names the key ids involved and what to do; never payload bytes or key material. */
  private cannotDecrypt(reason: string, fix?: string): PayloadDecryptionError {
    const held = Object.keys(this.keyring.byId).map((id) => `"${id}"`).join(', ');
    return new PayloadDecryptionError(`Cannot decrypt payload: ${reason} (it holds key ids ${held}).${fix ? ` Fix: ${fix}.` : ''}`);
  }
}
