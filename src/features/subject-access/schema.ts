import { z } from 'zod';
import { dateInput, notInFuture } from '../../web/form-fields.ts';

export const subjectKinds = ['child', 'person'] as const;
export type SubjectKind = (typeof subjectKinds)[number];
export const requesterKinds = ['subject', 'parent_carer', 'solicitor', 'other'] as const;
export const requestStatuses = ['received', 'in_preparation', 'ready_for_release', 'released', 'withdrawn'] as const;
export type RequestStatus = (typeof requestStatuses)[number];
export const exportLanguages = ['en', 'cy'] as const;

/** Logging a subject access request (migration 0640). */
export const requestFormSchema = z.object({
  subjectKind: z.enum(subjectKinds, { message: 'subjectAccess.v.subjectKind' }),
  subjectId: z.string().trim().toLowerCase().uuid('subjectAccess.v.subjectId'),
  requesterKind: z.enum(requesterKinds, { message: 'subjectAccess.v.requesterKind' }),
  requesterName: z.string().trim().min(1, 'subjectAccess.v.requesterName').max(200, 'validation.tooLong'),
  receivedOn: dateInput('dates.subjectAccess.receivedOn', notInFuture),
  language: z.enum(exportLanguages, { message: 'subjectAccess.v.language' }),
});
export type RequestForm = z.infer<typeof requestFormSchema>;

/** The new-request page may be opened from a child's or person's page, naming them. */
export const newRequestQuerySchema = z.object({
  kind: z.enum(subjectKinds).optional().catch(undefined),
  subject: z.string().uuid().optional().catch(undefined),
});

/** The redaction page's decisions: `decision-<n>` = redact | release for the n-th flagged item, `key-<n>` its key. */
export const redactionFormSchema = z.record(z.string().max(320), z.string().max(320)).transform((body, ctx) => {
  const decisions = new Map<string, 'redact' | 'release'>();
  for (const [name, value] of Object.entries(body)) {
    const m = /^decision-(\d{1,6})$/.exec(name);
    if (!m) continue;
    const key = body[`key-${m[1]}`];
    if (!key || (value !== 'redact' && value !== 'release')) {
      ctx.addIssue({ code: 'custom', message: 'subjectAccess.v.decision' });
      return z.NEVER;
    }
    decisions.set(key, value);
  }
  return decisions;
});
