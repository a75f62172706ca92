import type { ActivityOptions } from '@temporalio/workflow';

/** Short AWS control-plane and Temporal calls: a transient fault is retried for a few minutes, then surfaces. */
export const CONTROL_PLANE: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 20 },
};
