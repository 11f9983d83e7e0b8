import { z } from 'zod';
import { peopleFeedLimits } from './feed.ts';

/**
 * The joiners and leavers feed, chosen as a CSV file (a Buffer from the multipart form) or pasted:
 * one or the other. A file over the limit arrives cut one byte past it, and the reading refuses it.
 */
export const peopleFeedUploadSchema = z
  .object({
    csv: z
      .string()
      .max(peopleFeedLimits.maxFileBytes + 1)
      .optional(),
    csvFile: z.preprocess((v) => (Buffer.isBuffer(v) && v.length > 0 ? v : null), z.instanceof(Buffer).nullable()),
  })
  .transform((v, ctx) => {
    const pasted = v.csv?.trim() ? v.csv : '';
    if (v.csvFile && pasted) {
      ctx.addIssue({ code: 'custom', path: ['csvFile'], message: 'lifecycle.import.errors.both' });
      return z.NEVER;
    }
    if (v.csvFile) return { field: 'csvFile' as const, text: v.csvFile.toString('utf8').replace(/^\uFEFF/, '') };
    if (pasted) return { field: 'csv' as const, text: pasted };
    ctx.addIssue({ code: 'custom', path: ['csvFile'], message: 'lifecycle.import.errors.csvRequired' });
    return z.NEVER;
  });

/** The preview's confirmation carries the file's text back (post/redirect/get after applying it). */
export const peopleFeedApplySchema = z.object({
  csv: z
    .string()
    .min(1, 'lifecycle.import.errors.csvRequired')
    .max(peopleFeedLimits.maxFileBytes + 1),
});
