import { z } from 'zod';
import { dateInput, notInFuture, optionalDateInput } from '../../web/form-fields.ts';
import { parsePostcode } from '../children/parsing.ts';
import { optionalText, optionalUuid, text } from '../children/schema.ts';
import { normaliseVrm } from './vrm.ts';

/** What may be said of a person of concern's way of operating (migration 0300), in the order the form lists them. */
export const personMarkers = ['offers_lifts', 'supplies_drugs_alcohol', 'uses_hotel_rooms', 'gives_gifts_money', 'online_contact'] as const;
export const personStatuses = ['active', 'charged', 'convicted', 'deceased', 'no_further_action'] as const;
export const locationKinds = ['address', 'takeaway', 'hotel', 'taxi_rank', 'taxi_firm', 'park', 'shop', 'house', 'school_gate', 'other'] as const;
export const objectKinds = ['vehicle', 'phone', 'online_account'] as const;
/** What a link says of its two ends, read from the first: a person "drives" a vehicle, a child is "found at" a place. */
export const linkRelations = [
  'seen_with',
  'associates_with',
  'drives',
  'found_at',
  'frequents',
  'lives_at',
  'works_at',
  'uses_phone',
  'uses_account',
  'owns',
] as const;
export const confidences = ['low', 'medium', 'high'] as const;
/** What either end of a link is. */
export const entityKinds = ['child', 'person', 'location', 'object'] as const;
export type EntityKind = (typeof entityKinds)[number];
/** The entities with pages of their own here (a child's is its record). */
export type IntelEntityKind = Exclude<EntityKind, 'child'>;

const requiredChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.enum(values, { message }));

/** Ticked boxes of a checkbox group: none, one (a string) or several. */
const ticked = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(values)));

/** Several values typed one a line (aliases, phone numbers, handles): blank lines dropped, at most 20 of 100 characters. */
const lines = z
  .preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(2000, 'validation.tooLong'))
  .transform((v) =>
    v
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().max(100, 'intelligence.errors.lineTooLong')).max(20, 'intelligence.errors.tooManyLines'));

const optionalAge = z
  .preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string())
  .refine((v) => v === '' || (/^\d{1,3}$/.test(v) && Number(v) >= 10 && Number(v) <= 100), 'intelligence.errors.age')
  .transform((v) => (v === '' ? null : Number(v)));

const optionalPostcode = z
  .preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string())
  .refine((v) => v === '' || parsePostcode(v) !== null, 'children.errors.postcode')
  .transform((v) => (v ? parsePostcode(v) : null));

/** A person of concern: known by a name, or at least a nickname. */
export const personFormSchema = z
  .object({
    givenName: optionalText(100),
    familyName: optionalText(100),
    aliases: lines,
    dateOfBirth: optionalDateInput('dates.intelligence.dateOfBirth', (date, today) => (date > today ? 'dates.todayOrPast' : null)),
    estimatedAge: optionalAge,
    description: optionalText(2000),
    phoneNumbers: lines,
    socialMedia: lines,
    markers: ticked(personMarkers),
    status: requiredChoice(personStatuses, 'intelligence.errors.status'),
    owningAgencyId: z.preprocess((v) => v ?? '', z.uuid({ message: 'intelligence.errors.owningAgency' })),
    /** The worker saw the persons who may be this one (entry-time matching) and still wants a new record. */
    confirmNew: z
      .unknown()
      .optional()
      .transform((v) => v === 'yes'),
  })
  .refine((v) => v.givenName || v.familyName || v.aliases.length > 0, { path: ['givenName'], message: 'intelligence.errors.nameOrAlias' });
export type PersonForm = z.output<typeof personFormSchema>;

/** A location: a named place, with its licence when it is licensed premises or a taxi firm. */
export const locationFormSchema = z.object({
  name: text(200, 'intelligence.errors.locationName'),
  kind: requiredChoice(locationKinds, 'intelligence.errors.locationKind'),
  address: optionalText(300),
  postcode: optionalPostcode,
  localityId: optionalUuid,
  businessType: optionalText(100),
  licensingAuthority: optionalText(200),
  licenceNumber: optionalText(100),
  description: optionalText(2000),
});
export type LocationForm = z.output<typeof locationFormSchema>;

/** An object: a vehicle by its registration (and make, model, colour), a phone by its number, an online account by its handle. */
export const objectFormSchema = z
  .object({
    kind: requiredChoice(objectKinds, 'intelligence.errors.objectKind'),
    registration: optionalText(20),
    make: optionalText(60),
    model: optionalText(60),
    colour: optionalText(40),
    identifier: optionalText(200),
    platform: optionalText(60),
    description: optionalText(2000),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'vehicle' && !(v.registration && normaliseVrm(v.registration)))
      ctx.addIssue({ code: 'custom', path: ['registration'], message: 'intelligence.errors.registration' });
    if (v.kind !== 'vehicle' && !v.identifier) ctx.addIssue({ code: 'custom', path: ['identifier'], message: 'intelligence.errors.identifier' });
  })
  // What belongs to another kind of object is dropped.
  .transform((v) =>
    v.kind === 'vehicle'
      ? { ...v, identifier: null, platform: null }
      : { ...v, registration: null, make: null, model: null, colour: null, platform: v.kind === 'online_account' ? v.platform : null },
  );
export type ObjectForm = z.output<typeof objectFormSchema>;

/** A child's reference as people type it: 'nm-1004' is NM-1004. */
const childReference = z
  .preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : ''), z.string().max(30, 'validation.tooLong'))
  .transform((v) => v || null);

/** A link from the entity whose page it is to a child (by reference) or another entity (picked from a list). */
export const linkFormSchema = z
  .object({
    relation: requiredChoice(linkRelations, 'intelligence.errors.relation'),
    targetKind: requiredChoice(entityKinds, 'intelligence.errors.targetKind'),
    childReference,
    personId: optionalUuid,
    locationId: optionalUuid,
    objectId: optionalUuid,
    firstSeenOn: optionalDateInput('dates.intelligence.firstSeen'),
    lastSeenOn: optionalDateInput('dates.intelligence.lastSeen'),
    source: text(500, 'intelligence.errors.source'),
    confidence: requiredChoice(confidences, 'intelligence.errors.confidence'),
  })
  .superRefine((v, ctx) => {
    const missing = { child: !v.childReference, person: !v.personId, location: !v.locationId, object: !v.objectId }[v.targetKind];
    const field = { child: 'childReference', person: 'personId', location: 'locationId', object: 'objectId' }[v.targetKind];
    if (missing) ctx.addIssue({ code: 'custom', path: [field], message: `intelligence.errors.target.${v.targetKind}` });
    if (v.firstSeenOn && v.lastSeenOn && v.lastSeenOn < v.firstSeenOn)
      ctx.addIssue({ code: 'custom', path: ['lastSeenOn'], message: 'intelligence.errors.lastBeforeFirst', params: { dateInput: ['day', 'month', 'year'] } });
  })
  .transform((v) => ({
    relation: v.relation,
    target:
      v.targetKind === 'child'
        ? { kind: 'child' as const, reference: v.childReference! }
        : { kind: v.targetKind, id: { person: v.personId, location: v.locationId, object: v.objectId }[v.targetKind]! },
    firstSeenOn: v.firstSeenOn,
    lastSeenOn: v.lastSeenOn,
    source: v.source,
    confidence: v.confidence,
  }));
export type LinkForm = z.output<typeof linkFormSchema>;

/** The search on the intelligence page: a name, nickname, place or registration. */
export const searchFormSchema = z.object({ q: text(100, 'intelligence.errors.searchTerm') });

// ---- Graded intelligence reports (issue 12 §2, migration 0301) ----

/** The UK 3×5×2 grading: source evaluation, intelligence assessment and handling code, in the order the form lists them. */
export const sourceEvaluations = ['1', '2', '3'] as const;
export const intelligenceAssessments = ['A', 'B', 'C', 'D', 'E'] as const;
export const handlingCodes = ['P', 'C'] as const;

/** A report: its grading (C says its conditions), when the intelligence was obtained and by whom, the sanitised text and, for the analyst, the original. */
export const reportFormSchema = z
  .object({
    sourceEvaluation: requiredChoice(sourceEvaluations, 'intelligence.errors.sourceEvaluation'),
    intelligenceAssessment: requiredChoice(intelligenceAssessments, 'intelligence.errors.intelligenceAssessment'),
    handlingCode: requiredChoice(handlingCodes, 'intelligence.errors.handlingCode'),
    handlingConditions: optionalText(1000),
    released: z.preprocess((v): unknown => (Array.isArray(v) ? v.at(-1) : v), z.string().optional()).transform((v) => v === 'yes'),
    obtainedOn: dateInput('dates.intelligence.obtainedOn', notInFuture),
    officerName: text(200, 'intelligence.errors.officerName'),
    sanitisedText: text(5000, 'intelligence.errors.sanitisedText'),
    originalText: optionalText(10000),
  })
  .superRefine((v, ctx) => {
    if (v.handlingCode === 'C' && !v.handlingConditions)
      ctx.addIssue({ code: 'custom', path: ['handlingConditions'], message: 'intelligence.errors.handlingConditions' });
  })
  // P has no conditions and needs no release.
  .transform((v) => (v.handlingCode === 'P' ? { ...v, handlingConditions: null, released: false } : v));
export type ReportForm = z.output<typeof reportFormSchema>;

/** A link from a report to a child (by reference) or an entity (picked from a list). */
export const reportLinkFormSchema = z
  .object({
    targetKind: requiredChoice(entityKinds, 'intelligence.errors.targetKind'),
    childReference,
    personId: optionalUuid,
    locationId: optionalUuid,
    objectId: optionalUuid,
  })
  .superRefine((v, ctx) => {
    const missing = { child: !v.childReference, person: !v.personId, location: !v.locationId, object: !v.objectId }[v.targetKind];
    const field = { child: 'childReference', person: 'personId', location: 'locationId', object: 'objectId' }[v.targetKind];
    if (missing) ctx.addIssue({ code: 'custom', path: [field], message: `intelligence.errors.target.${v.targetKind}` });
  })
  .transform((v) =>
    v.targetKind === 'child'
      ? { kind: 'child' as const, reference: v.childReference! }
      : { kind: v.targetKind, id: { person: v.personId, location: v.locationId, object: v.objectId }[v.targetKind]! },
  );
export type ReportLinkForm = z.output<typeof reportLinkFormSchema>;

/** The search of reports' sanitised text. */
export const reportSearchFormSchema = z.object({ q: text(100, 'intelligence.errors.reportSearchTerm') });

/** The reason an analyst gives for releasing a C report to the partnership's intelligence roles. */
export const reportReleaseFormSchema = z.object({ reason: text(1000, 'intelligence.errors.releaseReason') });

// ---- Events (migration 0350): a sighting, an incident, where a missing child was found or went missing from, a submission ----

export const eventKinds = ['sighting', 'incident', 'found_location', 'missing_from', 'submission'] as const;
export type EventKind = (typeof eventKinds)[number];

/** The casework records a link or an event may be captured from (intel_links.source_record_kind). */
export const sourceRecordKinds = ['concern', 'return_interview', 'strategy_meeting', 'missing_episode'] as const;
export type SourceRecordKind = (typeof sourceRecordKinds)[number];

/** An event: what, when and where, the source, and the child, person and object it concerns (each optional). */
export const eventFormSchema = z
  .object({
    kind: requiredChoice(eventKinds, 'intelligence.errors.eventKind'),
    occurredOn: dateInput('dates.intelligence.occurredOn', notInFuture),
    locationId: optionalUuid,
    localityId: optionalUuid,
    description: text(2000, 'intelligence.errors.eventDescription'),
    source: text(500, 'intelligence.errors.source'),
    childReference,
    personId: optionalUuid,
    objectId: optionalUuid,
    // A found location recorded from a missing episode (the episode's page links here with its id).
    episodeId: optionalUuid,
  })
  .superRefine((v, ctx) => {
    if ((v.kind === 'found_location' || v.kind === 'missing_from') && !v.locationId && !v.localityId)
      ctx.addIssue({ code: 'custom', path: ['locationId'], message: 'intelligence.errors.eventPlace' });
    if (v.episodeId && v.kind !== 'found_location') ctx.addIssue({ code: 'custom', path: ['kind'], message: 'intelligence.errors.episodeFound' });
    if (v.episodeId && !v.locationId) ctx.addIssue({ code: 'custom', path: ['locationId'], message: 'intelligence.errors.foundLocation' });
  });
export type EventForm = z.output<typeof eventFormSchema>;

/** Where a new event's form was opened from: a missing episode, whose found location it records. */
export const eventQuerySchema = z.object({ episode: z.uuid().optional() });

/** Where an entity's form was opened from: a concern, a return interview or a strategy meeting ("add the person mentioned here"). */
export const captureQuerySchema = z.object({
  sourceKind: z.enum(['concern', 'return_interview', 'strategy_meeting']).optional(),
  sourceId: z.uuid().optional(),
});

/** What each kind of entity may be to the child when captured from a record: the relation from the child. */
export const captureRelations = {
  person: ['seen_with', 'associates_with'],
  location: ['found_at', 'frequents', 'lives_at'],
  object: ['seen_with', 'uses_phone', 'uses_account'],
} as const satisfies Record<IntelEntityKind, readonly (typeof linkRelations)[number][]>;

/** The capture fields posted with an entity's form: the source record, and how the new entity links to the record's child. */
export const captureFormSchema = z
  .object({
    sourceKind: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['concern', 'return_interview', 'strategy_meeting']).optional()),
    sourceId: optionalUuid,
    captureRelation: z.preprocess((v) => (v === '' ? undefined : v), z.enum(linkRelations).optional()),
    captureConfidence: z.preprocess((v) => (v === '' ? undefined : v), z.enum(confidences).optional()),
  })
  .superRefine((v, ctx) => {
    if (!v.sourceKind) return;
    if (!v.sourceId) ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'intelligence.errors.captureSource' });
    if (!v.captureRelation) ctx.addIssue({ code: 'custom', path: ['captureRelation'], message: 'intelligence.errors.relation' });
    if (!v.captureConfidence) ctx.addIssue({ code: 'custom', path: ['captureConfidence'], message: 'intelligence.errors.confidence' });
  })
  .transform((v) =>
    v.sourceKind && v.sourceId && v.captureRelation && v.captureConfidence
      ? { capture: { kind: v.sourceKind, id: v.sourceId, relation: v.captureRelation, confidence: v.captureConfidence } }
      : { capture: null },
  );
export type Capture = NonNullable<z.output<typeof captureFormSchema>['capture']>;

/** Removing a person, place or object: the reason is required (kept with the record and in the audit trail). */
export const removeEntityFormSchema = z.object({ reason: text(1000, 'intelligence.errors.removeReason') });
