import { z } from 'zod';

const optionalText = z.string().trim().max(200).optional().transform((v) => v || undefined);
const optionalDate = z.string().trim().optional().transform((v) => v || undefined)
  .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.dateFormat').optional());

export const auditFilterSchema = z.object({
  action: optionalText,
  actor: optionalText,
  recordId: optionalText,
  from: optionalDate,
  to: optionalDate,
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;
