import { Context } from '@temporalio/activity';
import { ActivityCancelledError, ActivityPausedError, ActivityResetError } from '@temporalio/client';

/**
 * Records heartbeat details on the server now, and resolves once the server holds them. The SDK's own
 * `heartbeat()` is throttled (up to 60 s), so a checkpoint sent through it can be lost with the worker;
 * it is also sent that way, so the worker's later heartbeats carry it too.
 */
export async function recordCheckpoint(details: unknown): Promise<void> {
  const ctx = Context.current();
  ctx.heartbeat(details);
  try {
    await ctx.client.activity.heartbeat(ctx.info.taskToken, details);
  } catch (error) {
    // The worker's own heartbeats deliver these to the activity (as its cancellation signal).
    if (error instanceof ActivityCancelledError || error instanceof ActivityPausedError || error instanceof ActivityResetError) return;
    throw error;
  }
}
