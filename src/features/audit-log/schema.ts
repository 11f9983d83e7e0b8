import { z } from 'zod';
import { securityEventKinds } from '../../security-events.ts';
import { blankAsAbsent, filterDateInput } from '../../web/form-fields.ts';

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => v || undefined);

/** The audit page's address: the person is an id, so no email reaches a URL, a browser history or a log. */
export const auditFilterSchema = z.object({
  action: optionalText,
  actor: blankAsAbsent(z.string().uuid('validation.invalid')),
  recordId: optionalText,
  from: filterDateInput('dates.audit.from'),
  to: filterDateInput('dates.audit.to'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** The filter form, posted: the person is given by email and the page redirects to their id. */
export const auditFilterFormSchema = z.object({
  action: optionalText,
  actorEmail: z
    .string()
    .trim()
    .toLowerCase()
    .max(320, 'validation.tooLong')
    .optional()
    .transform((v) => v || undefined),
  recordId: optionalText,
  from: filterDateInput('dates.audit.from'),
  to: filterDateInput('dates.audit.to'),
});
export type AuditFilterForm = z.infer<typeof auditFilterFormSchema>;

export const rolesGrantedQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });

/** The DPO's security alerts: which event, which outcome, between which days. */
export const securityEventsQuery = z.object({
  event: blankAsAbsent(z.enum(securityEventKinds, 'validation.invalid')),
  outcome: blankAsAbsent(z.enum(['success', 'failure', 'denied'], 'validation.invalid')),
  from: filterDateInput('dates.audit.from'),
  to: filterDateInput('dates.audit.to'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type SecurityEventsFilter = z.infer<typeof securityEventsQuery>;
