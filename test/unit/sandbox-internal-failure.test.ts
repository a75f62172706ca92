import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { logInternalFailure } from '../../sandbox/protocols/internal-failure';

describe('logInternalFailure', () => {
  it('logs where a failure happened, with any email or phone its error quotes redacted', () => {
    const lines: string[] = [];
    const logger = pino({}, { write: (line: string) => void lines.push(line) });
    const err = new TypeError('cannot match record {"email":"jane.doe@example.com","phone":"+1 206 555 0101"}');
    logInternalFailure(logger, err, { service: 'entityresolution', operation: 'GetMatchId', requestId: 'r-1' });
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0]!) as Record<string, unknown> & { error: { type: string; message: string; stack: string } };
    expect(logged).toMatchObject({ service: 'entityresolution', operation: 'GetMatchId', requestId: 'r-1', status: 500 });
    expect(logged.error.type).toBe('TypeError');
    expect(logged.error.message).toContain('cannot match record');
    expect(lines[0]).not.toContain('jane.doe@example.com');
    expect(lines[0]).not.toContain('206 555 0101');
  });
});
