import { z } from 'zod';

/** The queue's query: which kind, which page. Anything else is malformed (400). */
export const queueQuerySchema = z
  .object({
    kind: z.enum(['child', 'person']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
  })
  .strict();

/** A decision on a pair, with an optional note. */
export const decisionSchema = z.object({
  decision: z.enum(['same', 'different', 'not_sure'], { message: 'duplicates.v.decision' }),
  note: z
    .string()
    .trim()
    .max(2000, 'duplicates.v.note')
    .optional()
    .transform((v) => (v ? v : null)),
});
export type DecisionForm = z.infer<typeof decisionSchema>;

/** Starting a batch run of a kind. */
export const runSchema = z.object({ kind: z.enum(['child', 'person']) });
