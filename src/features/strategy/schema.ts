import { z } from 'zod';
import { dateInput, dateRule, optionalDateInput, optionalId } from '../../web/form-fields.ts';
import { documentLanguage, uuid } from '../../web/params.ts';
import { measureSources } from './computed-measures.ts';
import { ragStatuses } from './domain/rag.ts';
import type { ImportedAction } from './reports/import.ts';

const optionalText = (max = 2000) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => v ?? '');
/** A number typed into a form: blank is "not set"; "90%" and "£1,200" are read as 90 and 1200. */
const optionalNumber = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v.replace(/[£,%\s]/g, '') : null))
  .pipe(
    z
      .string()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, 'strategy.validation.number')
      .nullable(),
  );

export const reviewCycles = ['monthly', 'quarterly', 'six-monthly', 'annually'] as const;

export const planFormSchema = z
  .object({
    title: z.string().trim().min(3, 'strategy.validation.titleRequired').max(300, 'validation.tooLong'),
    frameworkId: z.string().uuid('strategy.validation.frameworkRequired'),
    agencyId: optionalId,
    periodStart: dateInput('dates.strategy.planStarts'),
    periodEnd: dateInput('dates.strategy.planEnds'),
    reviewCycle: z.enum(reviewCycles, { message: 'strategy.validation.reviewCycle' }),
    nextReviewOn: optionalDateInput('dates.strategy.nextReview'),
    namedReview: optionalText(300),
    owningBody: z.string().trim().min(2, 'strategy.validation.owningBodyRequired').max(300, 'validation.tooLong'),
    accountableTo: z.string().trim().min(2, 'strategy.validation.accountableToRequired').max(300, 'validation.tooLong'),
    linkedPlans: optionalText(4000),
    // A checkbox: present ("yes") when ticked, absent otherwise.
    requiresBoardPlanRef: z
      .literal('yes')
      .optional()
      .transform((v) => v === 'yes'),
  })
  .refine((p) => p.periodEnd >= p.periodStart, dateRule('periodEnd', 'strategy.validation.periodOrder'));
export type PlanForm = z.infer<typeof planFormSchema>;

export const actionFormSchema = z
  .object({
    actionRef: z
      .string()
      .trim()
      .regex(/^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/, 'strategy.validation.actionRef'),
    text: z.string().trim().min(3, 'strategy.validation.textRequired').max(4000, 'validation.tooLong'),
    leadTitle: optionalText(200),
    leadUserId: optionalId,
    leadAgencyId: optionalId,
    startOn: optionalDateInput('dates.strategy.actionStarts'),
    dueOn: optionalDateInput('dates.strategy.actionDue'),
    costPounds: optionalNumber,
    costNote: optionalText(500),
    successMeasure: optionalText(2000),
    targetValue: optionalNumber,
    measureUnit: optionalText(50),
    evidenceSource: optionalText(500),
    boardPlanRef: optionalText(100),
    intent: z.enum(['check', 'save']).optional().default('save'),
  })
  .refine((a) => !a.startOn || !a.dueOn || a.dueOn >= a.startOn, dateRule('dueOn', 'strategy.validation.dueBeforeStart'));
export type ActionForm = z.infer<typeof actionFormSchema>;

export const progressFormSchema = z.object({
  quarterStart: z.string().regex(/^\d{4}-(01|04|07|10)-01$/, 'strategy.validation.quarter'),
  status: z.enum(ragStatuses, { message: 'strategy.validation.status' }),
  narrative: z.string().trim().min(3, 'strategy.validation.narrativeRequired').max(4000, 'validation.tooLong'),
  currentValue: optionalNumber,
  statusNote: optionalText(2000),
});
export type ProgressForm = z.infer<typeof progressFormSchema>;

export const glossaryFormSchema = z.object({
  term: z.string().trim().min(1, 'strategy.validation.termRequired').max(30, 'validation.tooLong'),
  expansion: z.string().trim().min(2, 'strategy.validation.expansionRequired').max(300, 'validation.tooLong'),
});
export type GlossaryForm = z.infer<typeof glossaryFormSchema>;

/** The quarter a report covers (its first day); anything else, or none, is the current quarter. */
/** `?show=archived`: the archived plans or actions, hidden by default (issue 15). */
export const showQuery = z.object({ show: z.enum(['archived']).optional() });

export const quarterQuery = z.object({
  quarter: z
    .string()
    .regex(/^\d{4}-(01|04|07|10)-01$/)
    .optional()
    .catch(undefined),
});
/** A document's download: the quarter (the quarterly report's) and the language it is made in. */
export const exportQuery = quarterQuery.extend({ language: documentLanguage });
export const exportParams = z.object({
  planId: uuid,
  document: z.enum(['return.docx', 'return.xlsx', 'plan.xlsx', 'plan.csv', 'quarterly.docx', 'quarterly.pdf']),
});

/** The previewed rows of a plan import, posted back as JSON to be saved. */
export const importConfirmSchema = z.object({
  rows: z
    .string()
    .max(900_000)
    .transform((text, ctx) => {
      try {
        const rows: unknown = JSON.parse(text);
        if (Array.isArray(rows)) return rows as ImportedAction[];
      } catch {
        // Not JSON: the issue below.
      }
      ctx.addIssue({ code: 'custom', message: 'strategy.import.chooseFile' });
      return z.NEVER;
    }),
});

export const measureFormSchema = z.object({
  name: z.string().trim().min(3, 'strategy.validation.measureNameRequired').max(300, 'validation.tooLong'),
  unit: optionalText(50),
  baselineValue: optionalNumber,
  baselinePeriod: optionalDateInput('dates.strategy.baseline'),
  targetValue: z
    .string()
    .trim()
    .transform((v) => v.replace(/[£,%\s]/g, ''))
    .pipe(z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'strategy.validation.targetRequired')),
  direction: z.enum(['up', 'down'], { message: 'strategy.validation.direction' }),
  frequency: z.enum(['monthly', 'quarterly', 'annually'], { message: 'strategy.validation.frequency' }),
  ownerTitle: z.string().trim().min(2, 'strategy.validation.ownerRequired').max(200, 'validation.tooLong'),
  evidenceSource: z.string().trim().min(2, 'strategy.validation.evidenceRequired').max(500, 'validation.tooLong'),
  source: z.enum(measureSources, { message: 'strategy.validation.measureSource' }).default('entered'),
});
export type MeasureForm = z.infer<typeof measureFormSchema>;

export const measureValueSchema = z.object({
  periodStart: z.string().regex(/^\d{4}-(01|04|07|10)-01$/, 'strategy.validation.quarter'),
  value: z
    .string()
    .trim()
    .transform((v) => v.replace(/[£,%\s]/g, ''))
    .pipe(z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'strategy.validation.number')),
  note: optionalText(1000),
});
export type MeasureValueForm = z.infer<typeof measureValueSchema>;
