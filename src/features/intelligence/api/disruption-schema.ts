import { z } from 'zod';
import { londonDate, parseIsoDate, quarterOf } from '../../../dates.ts';
import { isoDateField, json, oneOf, optionalText, requiredText } from '../../../web/api/schema.ts';
import { disruptionOutcomes, disruptionTactics } from '../disruption-schema.ts';

/**
 * The disruptions API's schemas (issue 12 §3). A request becomes what the web form's schema gives the
 * same service (DisruptionForm), so a partner system's record goes through the same rules; field limits
 * are the form's.
 */

const optionalId = z
  .uuid()
  .nullish()
  .transform((v) => v ?? null);

export const newDisruption = z
  .object({
    tactic: z.enum(disruptionTactics),
    tacticOther: optionalText(200).meta({ description: 'What was done, for the tactic "other" (required then, dropped otherwise).' }),
    disruptedOn: isoDateField.refine((v) => v <= londonDate(new Date()), 'must be today or in the past'),
    agencyId: z.uuid().optional().meta({ description: 'The agency that carried it out; the token’s agency when left out.' }),
    personId: optionalId.meta({ description: 'The person of concern it targets.' }),
    locationId: optionalId.meta({ description: 'The location it targets.' }),
    childReferences: z
      .array(z.string().trim().toUpperCase().min(1).max(30))
      .max(20)
      .default([])
      .transform((v) => [...new Set(v)])
      .meta({ description: 'The children it protects, by reference (case does not matter).', example: ['NM-1004'] }),
    summary: requiredText(2000).meta({ description: 'What was done (not the content of intelligence reports).' }),
    outcome: z.enum(disruptionOutcomes).default('pending'),
    outcomeNotes: optionalText(2000),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.tactic === 'other' && !v.tacticOther) ctx.addIssue({ code: 'custom', path: ['tacticOther'], message: 'say what was done for the tactic "other"' });
    if (!v.personId && !v.locationId) ctx.addIssue({ code: 'custom', path: ['personId'], message: 'give a personId, a locationId or both' });
  })
  .transform((v) => (v.tactic === 'other' ? v : { ...v, tacticOther: null }))
  .meta({ id: 'NewDisruption', description: 'One tactic used against a person of concern and/or a location.' });

export const disruptionListQuery = z.object({
  quarter: z
    .string()
    .refine((v) => {
      const date = parseIsoDate(v);
      return date !== null && quarterOf(date) === date;
    }, 'the first day of a quarter, such as 2026-10-01')
    .optional()
    .meta({ description: 'Only the disruptions of the quarter beginning on this day (2026-10-01: October to December 2026).' }),
  tactic: z.enum(disruptionTactics).optional(),
});

const target = (description: string) => z.object({ id: z.uuid(), label: z.string() }).nullable().meta({ description });

const disruptionCore = {
  id: z.uuid(),
  tactic: oneOf(disruptionTactics),
  tactic_other: z.string().nullable(),
  disrupted_on: z.string().meta({ example: '2026-10-14' }),
  agency_id: z.uuid(),
  agency: z.string(),
  person: target('The person of concern it targets, by name or first nickname.'),
  location: target('The location it targets.'),
  outcome: oneOf(disruptionOutcomes),
};

export const disruptionSummary = z.object(disruptionCore).meta({ id: 'DisruptionSummary', description: 'A disruption as lists show one.' });

export const disruption = z
  .object({
    ...disruptionCore,
    summary: z.string(),
    outcome_notes: z.string().nullable(),
    outcome_recorded_at: z.date().nullable(),
    outcome_recorded_by_name: z.string().nullable(),
    children: z.array(
      z.object({
        id: z.uuid().nullable().meta({ description: 'Null when the child is one the token may not see.' }),
        label: z.string().nullable(),
        withheld: z.boolean(),
      }),
    ),
    created_at: z.date(),
    created_by_name: z.string().nullable(),
  })
  .meta({ id: 'Disruption' });

export const disruptionResponses = {
  list: json('Disruptions (at most 200, newest first)', z.object({ disruptions: z.array(disruptionSummary) })),
  one: json('A disruption, with the children it protects', disruption),
  created: json('Created', z.object({ id: z.uuid() })),
};
