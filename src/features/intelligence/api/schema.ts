import { z } from 'zod';
import { londonDate } from '../../../dates.ts';
import { isoDateField, json, oneOf, optionalText, requiredText } from '../../../web/api/schema.ts';
import { parsePostcode } from '../../children/parsing.ts';
import {
  confidences,
  entityKinds,
  handlingCodes,
  intelligenceAssessments,
  linkRelations,
  locationKinds,
  objectKinds,
  personMarkers,
  personStatuses,
  sourceEvaluations,
} from '../schema.ts';
import { normaliseVrm } from '../vrm.ts';

/**
 * The intelligence API's schemas (issue 12 §1). Requests are JSON with ISO dates; each becomes what the
 * web form's schema gives the same service (PersonForm, LocationForm, ObjectForm, LinkForm), so a
 * partner system's record goes through the same rules. Field limits are the forms'.
 */

// ---------------------------------------------------------------- fields

/** Several values (aliases, phone numbers, handles): at most 20 of 100 characters, blanks dropped. */
const several = z
  .array(z.string().trim().max(100))
  .max(20)
  .default([])
  .transform((v) => v.filter(Boolean));
const optionalDate = isoDateField.nullish().transform((v) => v ?? null);
const optionalId = z
  .uuid()
  .nullish()
  .transform((v) => v ?? null);
const created = { created_at: z.date(), created_by_name: z.string().nullable() };

// ---------------------------------------------------------------- persons of concern

const personCore = {
  id: z.uuid(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  aliases: z.array(z.string()).meta({ description: 'Aliases and nicknames, as children and witnesses say them.' }),
  estimated_age: z.number().int().nullable(),
  date_of_birth: z.string().nullable(),
  status: oneOf(personStatuses),
  markers: z.array(oneOf(personMarkers)).meta({ description: 'What is known of how the person operates.' }),
};

export const personSummary = z.object(personCore).meta({ id: 'PersonOfConcernSummary', description: 'A person of concern as lists show one.' });

export const person = z
  .object({
    ...personCore,
    description: z.string().nullable(),
    phone_numbers: z.array(z.string()),
    social_media: z.array(z.string()),
    owning_agency_id: z.uuid(),
    owning_agency: z.string().meta({ description: 'The name of the agency that owns this intelligence.' }),
    ...created,
  })
  .meta({ id: 'PersonOfConcern' });

export const newPerson = z
  .object({
    givenName: optionalText(100),
    familyName: optionalText(100),
    aliases: several,
    dateOfBirth: optionalDate.refine((v) => v === null || v <= londonDate(new Date()), 'must be today or in the past'),
    estimatedAge: z
      .number()
      .int()
      .min(10)
      .max(100)
      .nullish()
      .transform((v) => v ?? null),
    description: optionalText(2000),
    phoneNumbers: several,
    socialMedia: several,
    markers: z
      .array(z.enum(personMarkers))
      .default([])
      .transform((v) => [...new Set(v)]),
    status: z.enum(personStatuses).default('active'),
    owningAgencyId: z.uuid().optional().meta({ description: 'The agency that owns this intelligence; the token’s agency when left out.' }),
  })
  .strict()
  .refine((v) => v.givenName || v.familyName || v.aliases.length > 0, { path: ['givenName'], message: 'give a name, or at least one alias or nickname' })
  .meta({ id: 'NewPersonOfConcern', description: 'Known by a name, or at least an alias or nickname.' });

// ---------------------------------------------------------------- locations

const locationCore = {
  id: z.uuid(),
  name: z.string(),
  kind: oneOf(locationKinds),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  business_type: z.string().nullable(),
};

export const locationSummary = z.object(locationCore).meta({ id: 'IntelLocationSummary', description: 'A location as lists show one.' });

export const location = z
  .object({
    ...locationCore,
    locality_id: z.uuid().nullable(),
    locality: z.string().nullable(),
    licensing_authority: z.string().nullable(),
    licence_number: z.string().nullable(),
    description: z.string().nullable(),
    ...created,
  })
  .meta({ id: 'IntelLocation' });

export const newLocation = z
  .object({
    name: requiredText(200),
    kind: z.enum(locationKinds),
    address: optionalText(300),
    postcode: optionalText(10)
      .refine((v) => v === null || parsePostcode(v) !== null, 'not a postcode')
      .transform((v) => (v === null ? null : parsePostcode(v))),
    localityId: optionalId.meta({ description: 'A locality of the partnership.' }),
    businessType: optionalText(100),
    licensingAuthority: optionalText(200).meta({ description: 'For licensed premises and taxi or private-hire firms.' }),
    licenceNumber: optionalText(100),
    description: optionalText(2000),
  })
  .strict()
  .meta({ id: 'NewIntelLocation' });

// ---------------------------------------------------------------- objects: vehicles, phones, online accounts

const objectCore = {
  id: z.uuid(),
  kind: oneOf(objectKinds),
  registration: z.string().nullable().meta({ description: 'A vehicle’s registration as it was typed.' }),
  vrm_key: z
    .string()
    .nullable()
    .meta({ description: 'The registration without spaces or punctuation, in capitals: what makes two typings one vehicle.', example: 'AB12CDE' }),
  make: z.string().nullable(),
  model: z.string().nullable(),
  colour: z.string().nullable(),
  identifier: z.string().nullable().meta({ description: 'A phone’s number, an online account’s handle.' }),
  platform: z.string().nullable(),
};

export const objectSummary = z.object(objectCore).meta({ id: 'IntelObjectSummary', description: 'A vehicle, phone or online account as lists show one.' });

export const object = z.object({ ...objectCore, description: z.string().nullable(), ...created }).meta({ id: 'IntelObject' });

export const newObject = z
  .object({
    kind: z.enum(objectKinds),
    registration: optionalText(20).meta({ description: 'A vehicle’s registration (required for a vehicle); spaces and case do not matter.' }),
    make: optionalText(60),
    model: optionalText(60),
    colour: optionalText(40),
    identifier: optionalText(200).meta({ description: 'A phone’s number or an online account’s handle (required for those).' }),
    platform: optionalText(60).meta({ description: 'An online account’s platform.' }),
    description: optionalText(2000),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'vehicle' && !(v.registration && normaliseVrm(v.registration)))
      ctx.addIssue({ code: 'custom', path: ['registration'], message: 'a vehicle needs its registration' });
    if (v.kind !== 'vehicle' && !v.identifier)
      ctx.addIssue({ code: 'custom', path: ['identifier'], message: 'a phone or online account needs its identifier' });
  })
  // What belongs to another kind of object is dropped, as the web form does.
  .transform((v) =>
    v.kind === 'vehicle'
      ? { ...v, identifier: null, platform: null }
      : { ...v, registration: null, make: null, model: null, colour: null, platform: v.kind === 'online_account' ? v.platform : null },
  )
  .meta({ id: 'NewIntelObject' });

// ---------------------------------------------------------------- links

const entityEnd = z
  .object({ kind: z.enum(['person', 'location', 'object']), id: z.uuid() })
  .strict()
  .meta({ id: 'IntelEntityRef', description: 'A person of concern, location or object of the partnership.' });
const childEnd = z
  .object({
    kind: z.literal('child'),
    reference: z.string().trim().toUpperCase().min(1).max(30).meta({ example: 'NM-1004' }),
  })
  .strict()
  .meta({ id: 'ChildRef', description: 'A child by its reference (case does not matter), as the web form names one.' });

export const newLink = z
  .object({
    from: entityEnd,
    to: z.union([childEnd, entityEnd]),
    relation: z.enum(linkRelations).meta({ description: 'What the link says of its two ends, read from the first.' }),
    firstSeenOn: optionalDate,
    lastSeenOn: optionalDate,
    source: requiredText(500).meta({ description: 'Where the information came from.' }),
    confidence: z.enum(confidences),
  })
  .strict()
  .refine((v) => !v.firstSeenOn || !v.lastSeenOn || v.lastSeenOn >= v.firstSeenOn, { path: ['lastSeenOn'], message: 'must not be before firstSeenOn' })
  .meta({
    id: 'NewIntelLink',
    description: 'A link read from its first end (`from`): a person “drives” a vehicle, “frequents” a location, is “seen with” a child.',
  });

export const link = z
  .object({
    id: z.uuid(),
    relation: oneOf(linkRelations),
    outward: z.boolean().meta({ description: 'True when this entity is the link’s first end (it “drives” the other), false when the other is.' }),
    other: z.object({
      kind: oneOf(entityKinds),
      id: z.uuid().nullable().meta({ description: 'Null when the other end is a child the token may not see.' }),
      label: z.string().nullable(),
      withheld: z.boolean(),
    }),
    first_seen_on: z.string().nullable(),
    last_seen_on: z.string().nullable(),
    source: z.string(),
    confidence: oneOf(confidences),
    ...created,
  })
  .meta({ id: 'IntelLink', description: 'A link, from the point of view of the entity whose links are listed.' });

// ---------------------------------------------------------------- graded reports (issue 12 §2)

const reportCore = {
  id: z.uuid(),
  source_evaluation: oneOf(sourceEvaluations).meta({ description: '1 reliable, 2 untested, 3 not reliable.' }),
  intelligence_assessment: oneOf(intelligenceAssessments).meta({
    description: 'A known directly, B known indirectly but corroborated, C known indirectly, D not known, E suspected to be false.',
  }),
  handling_code: oneOf(handlingCodes).meta({ description: 'P: lawful sharing permitted; C: disseminated only under its conditions.' }),
  handling_conditions: z.string().nullable(),
  released_to_partnership: z.boolean().meta({ description: 'A C report released to the partnership’s intelligence roles.' }),
  obtained_on: z.string(),
  submitting_agency_id: z.uuid(),
  submitting_agency: z.string(),
  officer_name: z.string(),
  sanitised_text: z.string().meta({ description: 'The text partners read.' }),
  ...created,
};

export const reportSummary = z
  .object(reportCore)
  .meta({ id: 'IntelReportSummary', description: 'A graded report as lists show one: its sanitised text only.' });

export const report = z
  .object({
    ...reportCore,
    original_text: z
      .string()
      .nullable()
      .meta({ description: 'The original, unsanitised text: null unless the token’s owner is an analyst of the agency that submitted the report.' }),
    links: z.array(
      z.object({
        kind: oneOf(entityKinds),
        id: z.uuid().nullable().meta({ description: 'Null when it is a child the token may not see.' }),
        label: z.string().nullable(),
        withheld: z.boolean(),
      }),
    ),
    release: z.object({ reason: z.string(), released_at: z.date(), released_by_name: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'IntelReport', description: 'A graded report with what it is linked to.' });

export const newReport = z
  .object({
    sourceEvaluation: z.enum(sourceEvaluations),
    intelligenceAssessment: z.enum(intelligenceAssessments),
    handlingCode: z.enum(handlingCodes),
    handlingConditions: optionalText(1000).meta({ description: 'Required with handling code C; ignored with P.' }),
    released: z.boolean().default(false).meta({ description: 'A C report released to the partnership’s intelligence roles when submitted.' }),
    obtainedOn: isoDateField.refine((v) => v <= londonDate(new Date()), 'must be today or in the past'),
    officerName: requiredText(200),
    sanitisedText: requiredText(5000),
    originalText: optionalText(10000).meta({ description: 'Only an analyst may give it; it stays with the analyst’s agency.' }),
  })
  .strict()
  .refine((v) => v.handlingCode !== 'C' || v.handlingConditions !== null, { path: ['handlingConditions'], message: 'required with handling code C' })
  .transform((v) => (v.handlingCode === 'P' ? { ...v, handlingConditions: null, released: false } : v))
  .meta({ id: 'NewIntelReport', description: 'A graded report, submitted as the token’s agency.' });

export const reportSearch = z
  .object({ q: requiredText(100).meta({ description: 'Words of the sanitised text.' }) })
  .strict()
  .meta({ id: 'IntelReportSearch' });

// ---------------------------------------------------------------- queries and answers

/** Names are searched by POST, as the intelligence page and the children API search them, so that no personal data appears in a URL. */
export const search = z
  .object({
    q: requiredText(100).meta({
      description: 'A name, nickname, phone number or handle, place, address, postcode, licence number, make, model or registration (however it is typed).',
    }),
  })
  .strict()
  .meta({ id: 'IntelSearch' });

/** Removing a person, place or object: the record is kept, marked removed with the reason, and left out of lists and the network. */
export const removal = z
  .object({ reason: requiredText(1000).meta({ description: 'Why the record is removed (kept with it and in the audit trail).' }) })
  .strict()
  .meta({ id: 'IntelRemoval' });

export const responses = {
  persons: json('Persons of concern (at most 50, newest first)', z.object({ persons: z.array(personSummary) })),
  person: json('A person of concern', person),
  locations: json('Locations (at most 50, newest first)', z.object({ locations: z.array(locationSummary) })),
  location: json('A location', location),
  objects: json('Vehicles, phones and online accounts (at most 50, newest first)', z.object({ objects: z.array(objectSummary) })),
  object: json('A vehicle, phone or online account', object),
  links: json('The entity’s links, newest first', z.object({ links: z.array(link) })),
  created: json('Created', z.object({ id: z.uuid() })),
  updated: json('Changed', z.object({ id: z.uuid() })),
  reports: json('Graded reports the token may read (at most 50, newest first)', z.object({ reports: z.array(reportSummary) })),
  report: json('A graded report', report),
};
