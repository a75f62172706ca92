import { DefaultFailureConverter } from '@temporalio/common';

// The SDK require()s this module by path (DataConverter.failureConverterPath) in the Worker, in clients and in
// the workflow bundle's sandbox: it takes no Node builtins, no local imports and no TypeScript-only syntax
// (outside tsx, e.g. under vitest, Node loads it as plain JavaScript).

/** schemas/failures.ts's PAYLOAD_DECRYPTION_ERROR, repeated as this file imports nothing local (codec.test.ts pins the two). */
const PAYLOAD_DECRYPTION_ERROR = 'PayloadDecryptionError';

/**
 * Moves messages and stack traces into a payload, which the codec then encrypts, except for a payload
 * decryption failure: it names key ids only, and whoever reads it may not hold the key it would be encrypted with.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
const encrypted = failureConverter.errorToFailure.bind(failureConverter);
failureConverter.errorToFailure = (err, payloadConverter, context) => {
  // An activity whose input cannot be decrypted fails with the error wrapped in an ApplicationFailure of that type.
  const cannotDecrypt = err instanceof Error && (err.name === PAYLOAD_DECRYPTION_ERROR || ('type' in err && err.type === PAYLOAD_DECRYPTION_ERROR));
  return cannotDecrypt ? failureConverter.errorToFailureInner(err, payloadConverter, context) : encrypted(err, payloadConverter, context);
};
