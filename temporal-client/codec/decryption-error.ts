import { PAYLOAD_DECRYPTION_ERROR } from '../../schemas/failures';

/** A payload this process cannot decrypt. Its message names key ids only, never payload bytes or key material. */
export class PayloadDecryptionError extends Error {
  override readonly name = PAYLOAD_DECRYPTION_ERROR;
}
