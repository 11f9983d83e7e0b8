import { z } from 'zod';
import { uuid } from '../../web/params.ts';
import { standardKey } from './framework.ts';

const text = (max = 200) => z.string({ message: 'selfAssessment.v.required' }).trim().min(1, 'selfAssessment.v.required').max(max, 'validation.tooLong');
const optionalText = (max = 4000) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => v ?? '');

/** A new self-assessment: the framework (id@version), the year and a title. */
export const newFormSchema = z.object({
  framework: z.string({ message: 'selfAssessment.v.chooseFramework' }).regex(/^[a-z0-9][a-z0-9-]{0,40}@[1-9][0-9]{0,3}$/, 'selfAssessment.v.chooseFramework'),
  year: z
    .string({ message: 'selfAssessment.v.year' })
    .trim()
    .regex(/^20[0-9]{2}$/, 'selfAssessment.v.year')
    .transform(Number)
    .refine((n) => n >= 2000 && n <= 2100, 'selfAssessment.v.year'),
  title: text(),
});
export type NewForm = z.infer<typeof newFormSchema>;

/** A standard's rating: a value of the framework's scale (checked by the service), a narrative and an improvement action. */
export const rateFormSchema = z.object({
  rating: z.string({ message: 'selfAssessment.v.chooseRating' }).regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'selfAssessment.v.chooseRating'),
  narrative: optionalText(8000),
  improvementAction: optionalText(2000),
});
export type RateForm = z.infer<typeof rateFormSchema>;

export const evidenceKinds = ['plan', 'action', 'measure', 'case_audit'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

/** One piece of evidence to link: `kind:uuid`, one of the partnership's own records (checked by the service). */
export const evidenceFormSchema = z.object({
  evidence: z
    .string({ message: 'selfAssessment.v.chooseEvidence' })
    .regex(/^(plan|action|measure|case_audit):[0-9a-f-]{36}$/, 'selfAssessment.v.chooseEvidence')
    .transform((v) => {
      const [kind, id] = v.split(':') as [EvidenceKind, string];
      return { kind, id };
    })
    .refine((v) => uuid.safeParse(v.id).success, 'selfAssessment.v.chooseEvidence'),
});

export const addToPlanFormSchema = z.object({
  planId: z.string({ message: 'selfAssessment.v.choosePlan' }).uuid('selfAssessment.v.choosePlan'),
  actionRef: z
    .string({ message: 'selfAssessment.v.actionRef' })
    .trim()
    .regex(/^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/, 'selfAssessment.v.actionRef'),
});

export const standardParams = z.object({ id: uuid, standardId: standardKey });
export const evidenceParams = z.object({ id: uuid, standardId: standardKey, evidenceId: uuid });
/** `?framework=` of the comparison: a framework's id (an unknown one is not found). */
export const compareQuery = z.object({ framework: standardKey });
