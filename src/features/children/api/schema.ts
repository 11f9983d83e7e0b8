import { z } from 'zod';
import { parseIsoDate } from '../../../dates.ts';
import { parsePostcode } from '../parsing.ts';
import { riskSources } from '../../assessments/risk-level.ts';
import { json, notFoundResponse, oneOf, optionalText } from '../../../web/api/schema.ts';
import { apiConcernSchema, closingOutcomes, decisions, educationStatuses, ethnicities, genders, riskLevels, sendOptions } from '../schema.ts';
import { flagKinds } from '../flag-schema.ts';

/** The children API's schemas (src/web/api/schema.ts holds what every feature's API shares). */

const date = z.iso.date();
const reference = z.string();

const childCore = {
  id: z.uuid(),
  reference,
  given_name: z.string(),
  family_name: z.string(),
  date_of_birth: date.nullable(),
  status: oneOf(['open', 'closed']),
};
const childFlags = {
  risk_level: oneOf(riskLevels)
    .nullable()
    .meta({
      description:
        'The child’s current risk level: the latest of a risk assessment’s judgement, a strategy meeting’s agreed risk and a triage ' +
        'decision (null when none exists). The same level every page shows.',
    }),
  risk_source: oneOf(riskSources).nullable().meta({ description: 'Where the current risk level came from.' }),
  risk_source_id: z.uuid().nullable().meta({ description: 'The assessment, meeting or concern that gave the level.' }),
  risk_on: date.nullable().meta({ description: 'The date of that assessment, meeting or triage decision.' }),
  flag_cse: z.boolean(),
  looked_after: z.boolean(),
  restricted: z.boolean(),
  aliases: z.array(z.string()),
};

export const childSummary = z
  .object({ ...childCore, ...childFlags, updated_at: z.date() })
  .meta({ id: 'ChildSummary', description: 'A child as lists show one: the minimum to tell children apart.' });

export const child = z
  .object({
    ...childCore,
    ...childFlags,
    gender: z.string().nullable(),
    flag_cce: z.boolean(),
    flag_trafficking: z.boolean(),
    child_protection_plan: z.boolean(),
    child_in_need: z.boolean(),
    youth_justice: z.boolean(),
    ethnicity: oneOf(ethnicities).nullable().meta({ description: 'ONS 2021 census group: equality monitoring only, never a risk factor.' }),
    first_language: z.string().nullable(),
    school: z.string().nullable(),
    education_status: oneOf(educationStatuses)
      .nullable()
      .meta({ description: 'The education setting. Missing from education and elective home education are flags (open_flags, /flags), not a status.' }),
    send: oneOf(sendOptions)
      .nullable()
      .meta({ description: 'The kind of support, only while the child has an open send flag (open_flags): the flag says whether the child has SEND.' }),
    placement: z.string().nullable().meta({ description: 'A looked-after child’s placement.' }),
    open_flags: z
      .array(oneOf(flagKinds))
      .meta({ description: 'The kinds of the child’s open flags (GET /api/v1/children/{id}/flags has their dates and sources).' }),
    owning_agency_id: z.uuid(),
    closed_at: z.date().nullable(),
    closing_outcome: oneOf(closingOutcomes).nullable(),
    merged_into_id: z
      .uuid()
      .nullable()
      .meta({ description: 'Set when this record was merged into another as a duplicate: the id of the record kept, which holds its history now.' }),
  })
  .meta({ id: 'Child', description: 'One child’s core record.' });

export const childMatch = z
  .object({ ...childCore, strength: z.enum(['likely', 'possible', 'none']) })
  .meta({ id: 'ChildMatch', description: 'A child matching a search, with how strongly it matches.' });

export const concern = z
  .object({
    id: z.uuid(),
    reference: reference.meta({ example: 'CN-7K4M-9QXD' }),
    source: z.string(),
    received_at: z.date(),
    deadline_at: z.date(),
    decision: oneOf(decisions).nullable(),
    risk_level: oneOf(riskLevels).nullable(),
    acting_agency_id: z.uuid().nullable(),
    child_id: z.uuid().nullable(),
    decided_at: z.date().nullable(),
  })
  .meta({ id: 'Concern' });

// ---- Requests ----

export const childListQuery = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export const concernListQuery = childListQuery.omit({ status: true });

/** Names are searched by POST so that no personal data appears in a URL. */
export const childSearch = z
  .object({
    name: z.string().max(200).optional(),
    dateOfBirth: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .refine((v) => parseIsoDate(v) !== null, 'not a real date')
      .optional(),
    postcode: z
      .string()
      .max(10)
      .refine((v) => parsePostcode(v) !== null, 'not a UK postcode')
      .optional(),
    includeClosed: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.name || v.dateOfBirth || v.postcode, 'search needs a name, a date of birth or a postcode')
  .meta({ id: 'ChildSearch' })
  // What the service searches with.
  .transform(({ name, dateOfBirth, postcode, includeClosed }) => ({
    name: name || null,
    dateOfBirth: dateOfBirth ? parseIsoDate(dateOfBirth) : null,
    postcode: postcode ? parsePostcode(postcode) : null,
    includeClosed: includeClosed ?? false,
  }));

export const newConcern = apiConcernSchema.meta({
  id: 'NewConcern',
  description: 'A concern raised by a partner system: the same fields and limits as the form.',
});

/**
 * A correction of the child's record details, as the record's edit page makes one: only the fields
 * given change. Looked after, child protection plan, missing from education and the other statuses
 * over time are flags (/api/v1/children/{id}/flags), not details. Restricting a record stays with the
 * owning agency's people on the page: a token never reaches a restricted record (0115), so the
 * database would refuse the restricted row it wrote.
 */
const optionalChoice = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values).nullable().optional().meta({ description: 'null clears it.' });
export const childCorrection = z
  .object({
    aliases: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
    gender: optionalChoice(genders),
    ethnicity: optionalChoice(ethnicities),
    firstLanguage: optionalText(100).optional(),
    school: optionalText(200).optional(),
    educationStatus: optionalChoice(educationStatuses),
    send: optionalChoice(sendOptions).meta({
      description: 'The kind of support; refused unless the child has an open send flag (add it with POST /api/v1/children/{id}/flags). null clears it.',
    }),
    placement: optionalText(200).optional().meta({ description: 'Kept only while the child is looked after (an open looked_after flag).' }),
    flagCse: z.boolean().optional(),
    flagCce: z.boolean().optional(),
    flagTrafficking: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one field to correct')
  .meta({
    id: 'ChildCorrection',
    description: 'The record’s details to correct; a field left out keeps its value. Restricting a record is done on its page, by the owning agency.',
  });

// ---- Responses, with what each status means ----

export const responses = {
  childList: json('A page of children', z.object({ children: z.array(childSummary), hasNext: z.boolean() })),
  childMatches: json(
    'Matches, strongest first',
    z.object({
      matches: z.array(childMatch),
      restrictedMatch: z.boolean().meta({
        description:
          'A restricted record the token cannot read matches the names and date of birth ' +
          'strongly. Nothing identifies it: ask the designated safeguarding lead or the DPO before creating a new record.',
      }),
    }),
  ),
  child: json('The child', child),
  childCorrected: json('Corrected: the record’s columns that changed', z.object({ changed: z.array(z.string()) })),
  notFound: notFoundResponse,
  concernList: json('Concerns', z.object({ concerns: z.array(concern) })),
  concernRaised: json('Raised', z.object({ id: z.uuid(), reference, deadline_at: z.date() })),
};
