import { z } from 'zod';
import { parseIsoDate, quarterOf } from '../../dates.ts';
import { dateInput, notInFuture } from '../../web/form-fields.ts';
import { optionalText, optionalUuid, text } from '../children/schema.ts';

// ---- Disruption and outcomes (issue 12 §3, migration 0310) ----

/** The disruption tactics, in the order the form lists them; 'other' says what it was. */
export const disruptionTactics = [
  'child_abduction_warning_notice',
  'sexual_risk_order',
  'sexual_harm_prevention_order',
  'licence_review',
  'trespass_notice',
  'hotel_taxi_engagement',
  'arrest',
  'charge',
  'conviction',
  'nrm_referral',
  'other',
] as const;
export type DisruptionTactic = (typeof disruptionTactics)[number];
/** What came of a disruption: awaited, achieved (the order granted, the charge brought), not achieved, or breached afterwards. */
export const disruptionOutcomes = ['pending', 'achieved', 'not_achieved', 'breached'] as const;

const requiredChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.enum(values, { message }));

/** Children's references typed one a line or separated by commas: 'nm-1004' is NM-1004; at most 20. */
const childReferences = z
  .preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(1000, 'validation.tooLong'))
  .transform((v) => [
    ...new Set(
      v
        .split(/[\r\n,]+/)
        .map((r) => r.trim().toUpperCase())
        .filter(Boolean),
    ),
  ])
  .pipe(z.array(z.string().max(30, 'disruption.errors.childReference')).max(20, 'disruption.errors.tooManyChildren'));

/** A disruption: its tactic, date, agency, target (a person of concern and/or a location), the children it protects, what was done and its outcome. */
export const disruptionFormSchema = z
  .object({
    tactic: requiredChoice(disruptionTactics, 'disruption.errors.tactic'),
    tacticOther: optionalText(200),
    disruptedOn: dateInput('disruption.dates.disruptedOn', notInFuture),
    agencyId: z.preprocess((v) => v || undefined, z.uuid({ message: 'disruption.errors.agency' })),
    personId: optionalUuid,
    locationId: optionalUuid,
    childReferences,
    summary: text(2000, 'disruption.errors.summary'),
    outcome: requiredChoice(disruptionOutcomes, 'disruption.errors.outcome'),
    outcomeNotes: optionalText(2000),
  })
  .superRefine((v, ctx) => {
    if (v.tactic === 'other' && !v.tacticOther) ctx.addIssue({ code: 'custom', path: ['tacticOther'], message: 'disruption.errors.tacticOther' });
    if (!v.personId && !v.locationId) ctx.addIssue({ code: 'custom', path: ['personId'], message: 'disruption.errors.target' });
  })
  // A listed tactic needs no description.
  .transform((v) => (v.tactic === 'other' ? v : { ...v, tacticOther: null }));
export type DisruptionForm = z.output<typeof disruptionFormSchema>;

/** The outcome recorded later on a disruption's page. */
export const outcomeFormSchema = z.object({
  outcome: requiredChoice(disruptionOutcomes, 'disruption.errors.outcome'),
  outcomeNotes: optionalText(2000),
});
export type OutcomeForm = z.output<typeof outcomeFormSchema>;

/** A quarter named by its first day ('2026-10-01'); anything else is refused (400). */
export const quarterStart = z
  .string()
  .refine((v) => {
    const date = parseIsoDate(v);
    return date !== null && quarterOf(date) === date;
  }, 'disruption.errors.quarter')
  .transform((v) => parseIsoDate(v)!);

/** The list's filters: a quarter and a tactic, each optional (blank is none). */
export const disruptionFilterSchema = z.object({
  quarter: z.preprocess((v) => (v === '' ? undefined : v), quarterStart.optional()),
  tactic: z.preprocess((v) => (v === '' ? undefined : v), z.enum(disruptionTactics).optional()),
});
export type DisruptionFilter = z.output<typeof disruptionFilterSchema>;
