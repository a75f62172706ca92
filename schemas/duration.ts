import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';

/** A Temporal duration string ('10 minutes', '45 days', '1h') or milliseconds, validated and kept as given. */
export const durationSchema = z.union([z.number().int().positive(), z.string().min(1)]).superRefine((value, ctx) => {
  try {
    if (msToNumber(value as Parameters<typeof msToNumber>[0]) <= 0) ctx.addIssue({ code: 'custom', message: 'must be a positive duration' });
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "10 minutes", "6h" or "45 days", got ${JSON.stringify(value)}` });
  }
});

export type DurationInput = z.infer<typeof durationSchema>;

export function durationToMs(value: DurationInput): number {
  return msToNumber(value as Parameters<typeof msToNumber>[0]);
}
