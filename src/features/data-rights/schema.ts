import { z } from 'zod';
import { dateInput, dateRule, notInFuture, optionalDateInput } from '../../web/form-fields.ts';

/** Whose record a request or a restriction is about (migration 0645): a child or a person of concern. */
export const subjectKinds = ['child', 'person'] as const;
export type SubjectKind = (typeof subjectKinds)[number];

/** A rectification request's outcome (Article 16 UK GDPR; DPA 2018 s.46 for Part 3). */
export const decisions = ['rectified', 'not_rectified', 'statement_added'] as const;
export type Decision = (typeof decisions)[number];

const text = (max: number, message: string) => z.string({ message }).trim().min(1, message).max(max, 'validation.tooLong');

export const subjectParams = z.object({
  kind: z.enum(subjectKinds),
  id: z.uuid(),
});

/** Finding the subject: a child by case reference (or record id), a person of concern by record id. */
export const findSubjectSchema = z.object({
  kind: z.enum(subjectKinds, { message: 'dataRights.v.kind' }),
  key: text(100, 'dataRights.v.key'),
});

export const rectificationSchema = z.object({
  requestedBy: text(200, 'dataRights.v.requestedBy'),
  receivedOn: dateInput('dates.dataRights.receivedOn', notInFuture),
  disputedRecord: text(500, 'dataRights.v.disputedRecord'),
  requestedCorrection: text(2000, 'dataRights.v.requestedCorrection'),
});
export type RectificationForm = z.infer<typeof rectificationSchema>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null));

/** The decision: what was changed, or the reasons and when the requester was told, or the subject's statement. */
export const decisionSchema = z
  .object({
    decision: z.enum(decisions, { message: 'dataRights.v.decision' }),
    changed: optionalText(2000),
    reasons: optionalText(2000),
    toldOn: optionalDateInput('dates.dataRights.toldOn', notInFuture),
    statement: optionalText(4000),
  })
  .transform((form, ctx) => {
    if (form.decision === 'not_rectified' && !form.toldOn) ctx.addIssue(dateRule('toldOn', 'dates.dataRights.toldOn.enter'));
    if (form.decision === 'rectified' && !form.changed) ctx.addIssue({ code: 'custom', path: ['changed'], message: 'dataRights.v.changed' });
    if (form.decision === 'not_rectified' && !form.reasons) ctx.addIssue({ code: 'custom', path: ['reasons'], message: 'dataRights.v.reasons' });
    if (form.decision === 'statement_added' && !form.statement) ctx.addIssue({ code: 'custom', path: ['statement'], message: 'dataRights.v.statement' });
    return {
      decision: form.decision,
      note: form.decision === 'rectified' ? form.changed : form.decision === 'not_rectified' ? form.reasons : null,
      toldOn: form.decision === 'not_rectified' ? form.toldOn : null,
      statement: form.decision === 'statement_added' ? form.statement : null,
    };
  });
export type DecisionForm = z.output<typeof decisionSchema>;

export const restrictionSchema = z.object({
  reason: text(2000, 'dataRights.v.reason'),
  fromOn: dateInput('dates.dataRights.fromOn', notInFuture),
});
export type RestrictionForm = z.infer<typeof restrictionSchema>;

export const liftSchema = z.object({
  liftReason: text(2000, 'dataRights.v.liftReason'),
});
