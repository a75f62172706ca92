import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_DECRYPTION_ERROR } from '../../schemas/failures';
import { PayloadDecryptionError } from '../../temporal-client/codec/decryption-error';
import { createLogger } from '../../temporal-client/logger';

describe('the process logger', () => {
  it('prints an error under `error` (where the Temporal SDK puts it) with its type and message, not as {}', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const error = new PayloadDecryptionError('Cannot decrypt payload: it was encrypted with key id "a"');
    createLogger(sink).error({ runId: 'r1', error }, 'Failed to process Workflow Activation');

    const logged = JSON.parse(lines.join('')) as { error: { type: string; message: string; stack: string } };
    expect(logged.error.type).toBe(PAYLOAD_DECRYPTION_ERROR);
    expect(logged.error.message).toBe('Cannot decrypt payload: it was encrypted with key id "a"');
    expect(logged.error.stack).toContain(PAYLOAD_DECRYPTION_ERROR);
  });
});
