import * as path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { CodecKeyring } from './keyring';

// DataConverter has no failureConverter instance field (SDK 1.24): the failure converter also runs in the
// workflow sandbox, so the SDK takes a module path. Same extension as this file: .ts under tsx/vitest, .js if compiled.
export const FAILURE_CONVERTER_PATH = path.join(__dirname, `failure-converter${path.extname(__filename)}`);

/** The one data converter for `Worker.create({ dataConverter })` and `new Client({ dataConverter })`. */
export function createDataConverter(keyring: CodecKeyring): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
