import { z } from 'zod';
import { isAreaKey, parsePeriod } from './period.ts';

/** The page's GET form: a period key and an area key, both optional (defaults: last complete quarter, the partnership). Malformed: 400. */
export const profileQuerySchema = z.object({
  period: z
    .string()
    .max(20)
    .refine((v) => parsePeriod(v) !== null)
    .optional(),
  area: z
    .string()
    .max(40)
    .refine((v) => isAreaKey(v))
    .optional(),
  /** 'published': the figures after disclosure control (what a board member always sees); an analyst's preview. */
  view: z.enum(['unsuppressed', 'published']).optional(),
});
export type ProfileQuery = z.infer<typeof profileQuerySchema>;

/** The population estimates pasted as CSV. */
export const populationImportSchema = z.object({
  csv: z
    .string()
    .max(200_000)
    .refine((v) => v.trim() !== '', { message: 'profile.populations.errors.csvRequired' }),
});

/** Offering to compare with a neighbouring partnership, or withdrawing the offer: the partnership named. */
export const comparisonOfferSchema = z.object({
  partnership: z.preprocess((v) => v ?? '', z.string().uuid('neighbours.errors.partnershipRequired')),
});
