import { z } from 'zod';
import { blankAsNull, dateInput, dateRule, optionalId } from '../../web/form-fields.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { flagKinds } from '../children/flag-schema.ts';
import { grades } from './tool.ts';

export const methods = ['random', 'stratified'] as const;
export const stratifications = ['agency', 'risk', 'flag'] as const;

const text = (max = 200) => z.string().trim().min(1, 'caseAudits.v.required').max(max, 'validation.tooLong');
const optionalText = (max = 4000) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => v ?? '');
const list = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

/** A new themed audit: its scope and period, the tool, the criteria and how the sample is drawn. */
export const auditFormSchema = z
  .object({
    title: text(),
    scope: optionalText(),
    periodStart: dateInput('dates.caseAudits.periodStart'),
    periodEnd: dateInput('dates.caseAudits.periodEnd'),
    tool: z.string().regex(/^[a-z][a-z0-9-]{0,40}@[1-9][0-9]{0,3}$/, 'caseAudits.v.chooseTool'),
    riskLevels: list(z.enum(riskLevels, { message: 'caseAudits.v.choose' })),
    flag: blankAsNull(z.enum(flagKinds, { message: 'caseAudits.v.choose' })),
    agencyId: optionalId,
    method: z.enum(methods, { message: 'caseAudits.v.chooseMethod' }),
    stratifyBy: blankAsNull(z.enum(stratifications, { message: 'caseAudits.v.chooseStratum' })).optional(),
    sampleSize: z.coerce
      .number({ message: 'caseAudits.v.sampleSize' })
      .int('caseAudits.v.sampleSize')
      .min(1, 'caseAudits.v.sampleSize')
      .max(100, 'caseAudits.v.sampleSize'),
    seed: blankAsNull(
      z
        .string()
        .regex(/^[0-9]{1,10}$/, 'caseAudits.v.seed')
        .transform(Number)
        .refine((n) => n <= 4294967295, 'caseAudits.v.seed'),
    ).optional(),
  })
  .refine((v) => v.periodEnd >= v.periodStart, dateRule('periodEnd', 'caseAudits.v.endBeforeStart'))
  .refine((v) => v.method !== 'stratified' || !!v.stratifyBy, { path: ['stratifyBy'], message: 'caseAudits.v.chooseStratum' });
export type AuditForm = z.infer<typeof auditFormSchema>;

export const auditorFormSchema = z.object({ userId: z.string().uuid('caseAudits.v.chooseAuditor') });

/** An auditor's answers for their agency: a value per question (`q-<id>`), checked against the audit's tool by the service. */
export const answerFormSchema = z
  .object({
    grade: z.enum(grades, { message: 'caseAudits.v.chooseGrade' }),
    comment: optionalText(),
  })
  .catchall(z.string().max(100).optional());
export type AnswerForm = z.infer<typeof answerFormSchema>;

export const moderationFormSchema = z.object({
  sampleId: z.string().uuid(),
  agreedGrade: z.enum(grades, { message: 'caseAudits.v.chooseGrade' }),
  note: optionalText(),
});
export type ModerationForm = z.infer<typeof moderationFormSchema>;

export const findingsFormSchema = z.object({ findings: text(8000) });
export const learningFormSchema = z.object({ text: text(2000) });
export const addToPlanFormSchema = z.object({
  planId: z.string().uuid('caseAudits.v.choosePlan'),
  actionRef: z
    .string()
    .trim()
    .regex(/^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/, 'caseAudits.v.actionRef'),
});
export const statusFormSchema = z.object({ to: z.enum(['in_progress', 'closed']) });

export const recordParams = z.object({ id: z.string().uuid(), childId: z.string().uuid() });
export const learningParams = z.object({ id: z.string().uuid(), learningId: z.string().uuid() });
export const reportQuerySchema = z.object({ language: z.enum(['en', 'cy']).optional() });
