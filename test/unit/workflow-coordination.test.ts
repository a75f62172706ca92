import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createWorkflowCoordinationActivities } from '../../activities/workflow-coordination';
import type { AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';
import { INVALID_INPUT } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';

describe('notifyAmcIdMapping', () => {
  it('refuses an invalid config as the workflow would, naming the field and not its value, before any call to Temporal', async () => {
    const temporal = new Proxy({}, { get: () => expect.unreachable('Temporal was called') }) as Client;
    const { notifyAmcIdMapping } = createWorkflowCoordinationActivities({ temporal });
    const input = { name: 'Acme_AMC', region: 'eu-west-1', account: 'jane@example.com' } as unknown as AmcIdMappingInput;
    const failure = await activityFailureOf(notifyAmcIdMapping({ input, notice: { reason: 'schedule', requestId: 'tick-1', at: '2026-12-07T00:00:00.000Z' } }));
    expect(failure.type).toBe(INVALID_INPUT);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Invalid input for amcIdMapping: .*account: /);
    expect(failure.message).not.toContain('jane@example.com');
  });
});
