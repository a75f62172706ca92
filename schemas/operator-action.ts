import { z } from 'zod';

/** What an operator's Update or signal carries (approve, cancel, deleteTable): an operator id and a short reason, never a person's email or phone. */
export const operatorActionSchema = z
  .object({
    by: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be an operator id (letters, digits, . _ : -), not an email or a name'),
    reason: z
      .string()
      .max(200)
      .refine((text) => !/[^\s@]+@[^\s@]+|\+?\d[\d\s().-]{7,}\d/.test(text), 'must not contain an email address or a phone number'),
  })
  .strict();
export type OperatorAction = z.infer<typeof operatorActionSchema>;
