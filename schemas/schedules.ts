import { z } from 'zod';
import { durationSchema } from './duration';

export const overlapPolicies = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];

const cronSchema = z
  .string()
  .trim()
  .min(1)
  .refine((cron) => !cron.includes('#'), 'must not contain a "#" comment: explain the schedule in "note"');

const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as "Europe/Paris" or "UTC"');

/** One Temporal Schedule that starts a registered workflow (see starters/lib/workflow-registry.ts). */
export const scheduleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected a schedule id of letters, digits, ".", "_" or "-"'),
    /** Workflow type name, as registered. */
    workflow: z.string().min(1),
    input: z.unknown().optional(),
    /** JSON file holding the input, relative to the schedules file. */
    inputFile: z.string().min(1).optional(),
    cron: z.array(cronSchema).min(1).optional(),
    every: z.array(durationSchema).min(1).optional(),
    timezone: timezoneSchema.optional(),
    overlap: z.enum(overlapPolicies).default('SKIP'),
    catchupWindow: durationSchema.optional(),
    pauseOnFailure: z.boolean().default(false),
    paused: z.boolean().default(false),
    note: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.cron && !s.every) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give "cron" and/or "every": a schedule needs at least one' });
    if (s.input !== undefined && s.inputFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['inputFile'], message: 'give either "input" or "inputFile", not both' });
    }
    if (s.input === undefined && s.inputFile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'is required (or "inputFile")' });
    }
  });
export type ScheduleConfig = z.output<typeof scheduleSchema>;

/** The file's envelope around `item`: the loader validates each schedule on its own to name it in errors. */
export const schedulesFileSchema = <T extends z.ZodType>(item: T) => z.object({ schedules: z.array(item).min(1) }).strict();

export const schedulesConfigSchema = schedulesFileSchema(scheduleSchema).superRefine((config, ctx) => {
  const seen = new Set<string>();
  config.schedules.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'id'], message: `duplicate schedule id "${s.id}"` });
    seen.add(s.id);
  });
});
export type SchedulesConfig = z.output<typeof schedulesConfigSchema>;
