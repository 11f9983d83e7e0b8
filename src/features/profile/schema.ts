import { z } from 'zod';
import { documentLanguage } from '../../web/params.ts';
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

/**
 * The annual document's query (issue 13 §1 "Views"): a calendar year, financial year or rolling 12
 * months (default: the 12 months to the last complete quarter; a quarter is not a year: 400), the
 * area as the page's, and the language the document is made in (`?language=cy|en`).
 */
export const annualQuerySchema = z.object({
  period: z
    .string()
    .max(20)
    .refine((v) => {
      const period = parsePeriod(v);
      return period !== null && period.kind !== 'quarter';
    })
    .optional(),
  area: profileQuerySchema.shape.area,
  language: documentLanguage,
});
export type AnnualQuery = z.infer<typeof annualQuerySchema>;

/**
 * The population estimates, chosen as a CSV file (a Buffer from the multipart form) or pasted into the
 * box: one or the other. A file over the limit arrives cut one byte past it, and the reading refuses it.
 */
export const populationImportSchema = z
  .object({
    csv: z.string().max(200_000).optional(),
    csvFile: z.preprocess((v) => (Buffer.isBuffer(v) && v.length > 0 ? v : null), z.instanceof(Buffer).nullable()),
  })
  .transform((v, ctx) => {
    const pasted = v.csv?.trim() ? v.csv : '';
    if (v.csvFile && pasted) {
      ctx.addIssue({ code: 'custom', path: ['csvFile'], message: 'profile.populations.errors.both' });
      return z.NEVER;
    }
    if (v.csvFile) return { field: 'csvFile' as const, text: v.csvFile.toString('utf8').replace(/^\uFEFF/, '') };
    if (pasted) return { field: 'csv' as const, text: pasted };
    ctx.addIssue({ code: 'custom', path: ['csv'], message: 'profile.populations.errors.csvRequired' });
    return z.NEVER;
  });

/** Offering to compare with a neighbouring partnership, or withdrawing the offer: the partnership named. */
export const comparisonOfferSchema = z.object({
  partnership: z.preprocess((v) => v ?? '', z.string().uuid('neighbours.errors.partnershipRequired')),
});
