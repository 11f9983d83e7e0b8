import { z } from 'zod';
import { isoDateField, json, oneOf, optionalText, requiredText } from '../../../web/api/schema.ts';
import { riskLevels, riskSources } from '../../assessments/risk-level.ts';
import { chronologyKinds, type ChronologyFilters } from '../chronology.ts';
import { chronologyTypes, referralStatuses } from '../schema.ts';
import { episodeTypes, riskLevels as episodeRiskLevels } from '../episodes.ts';

/**
 * The casework API's schemas. Requests are JSON with ISO dates ('2026-11-12') and instants
 * ('2026-11-12T14:30:00Z', an offset required); each becomes what the web form's schema gives the
 * same service, so a partner system's record goes through the same rules. Field limits are the forms'.
 */

// ---------------------------------------------------------------- fields

const date = isoDateField;
const instant = z.iso
  .datetime({ offset: true })
  .meta({ description: 'An instant with its offset, e.g. 2026-11-12T14:30:00Z.' })
  .transform((v) => new Date(v));
const text = requiredText;

// ---------------------------------------------------------------- the child's level, as the children API gives it

/** The child's current risk level after a change: the same fields as the Child record (GET /api/v1/children/{id}). */
export const childRisk = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    risk_level: oneOf(riskLevels).nullable(),
    risk_source: oneOf(riskSources).nullable(),
    risk_source_id: z.uuid().nullable(),
    risk_on: z.string().nullable(),
  })
  .meta({
    id: 'ChildRisk',
    description: 'The child’s current risk level by the one rule (the latest assessment judgement, strategy meeting or triage decision), after the change.',
  });

type ChildSummaryRow = {
  id: string;
  reference: string;
  current_risk_level: string | null;
  current_risk_source: string | null;
  current_risk_source_id: string | null;
  current_risk_on: string | null;
};
export const childRiskOf = (c: ChildSummaryRow) => ({
  id: c.id,
  reference: c.reference,
  risk_level: c.current_risk_level,
  risk_source: c.current_risk_source,
  risk_source_id: c.current_risk_source_id,
  risk_on: c.current_risk_on,
});

// ---------------------------------------------------------------- risk assessments

const assessmentCore = {
  id: z.uuid(),
  assessed_on: z.string(),
  tool_key: z.string(),
  tool_version: z.number().int(),
  score_total: z.number(),
  score_category_label: z.string(),
  score_level: oneOf(riskLevels).meta({ description: 'The level the tool’s score band suggests.' }),
  judgement_level: oneOf(riskLevels).meta({ description: 'The level the practitioner judged: the one that counts.' }),
  review_due_on: z.string(),
  assessor_name: z.string(),
  agency_name: z.string(),
};

export const riskAssessmentSummary = z.object(assessmentCore).meta({ id: 'RiskAssessmentSummary' });

export const riskAssessment = z
  .object({
    ...assessmentCore,
    child_id: z.uuid(),
    tool_name: z.string(),
    assessor_agency_id: z.uuid(),
    known_to_social_care: z.boolean(),
    in_care: z.boolean(),
    child_protection_plan: z.boolean(),
    youth_justice: z.boolean(),
    other_agencies: z.string().nullable(),
    answers: z.record(z.string(), z.record(z.string(), z.boolean())),
    score_category: z.string(),
    explanation: z.array(z.string()),
    judgement_reasons: z.string(),
    created_at: z.date(),
  })
  .meta({ id: 'RiskAssessment' });

export const newRiskAssessment = z
  .object({
    toolId: z.uuid().meta({ description: 'A risk tool of the partnership (the latest version is what the web form offers).' }),
    assessedOn: date,
    assessorAgencyId: z.uuid().optional().meta({ description: 'The assessing agency; the token’s agency when left out.' }),
    knownToSocialCare: z.boolean(),
    inCare: z.boolean(),
    childProtectionPlan: z.boolean(),
    youthJustice: z.boolean(),
    otherAgencies: optionalText(1000),
    answers: z
      .record(z.string().max(100), z.record(z.string().max(100), z.boolean()))
      .meta({ description: 'Ticked time windows per indicator: { "<indicator id>": { "<window id>": true } }, as the tool defines them.' }),
    judgementLevel: z.enum(riskLevels),
    judgementReasons: text(4000),
  })
  .strict()
  .meta({ id: 'NewRiskAssessment', description: 'Scored by the same engine as the web form; the practitioner’s judgement sets the level.' });

export const assessmentCreated = z.object({
  id: z.uuid(),
  score_total: z.number(),
  score_category: z.string(),
  score_category_label: z.string(),
  score_level: oneOf(riskLevels),
  judgement_level: oneOf(riskLevels),
  review_due_on: z.string(),
  explanation: z.array(z.string()),
  child: childRisk,
});

// ---------------------------------------------------------------- missing and absent episodes

export const returnInterview = z
  .object({
    id: z.uuid(),
    episode_id: z.uuid(),
    offered_at: z.date(),
    held_at: z.date().nullable(),
    interviewer_name: z.string(),
    interviewer_agency_id: z.uuid(),
    agency_name: z.string(),
    independent_of_placement: z.boolean(),
    outcome: oneOf(['accepted', 'declined']),
    learned: z.string().nullable(),
    places_mentioned: z.array(z.string()),
    people_mentioned: z.array(z.string()),
  })
  .meta({ id: 'ReturnInterview' });

export const episode = z
  .object({
    id: z.uuid(),
    episode_type: oneOf(episodeTypes),
    started_at: z.date(),
    ended_at: z.date().nullable(),
    ended_by: oneOf(['returned', 'type_changed']).nullable(),
    reported_by: z.string(),
    where_found: z.string().nullable(),
    risk_level: oneOf(episodeRiskLevels),
    police_reference: z.string().nullable(),
    previous_episode_id: z.uuid().nullable(),
    interviewDue: z.date().nullable().meta({ description: 'When the return interview is due (72 hours after the return).' }),
    interviewOverdue: z.boolean(),
    interview: returnInterview.nullable(),
  })
  .meta({ id: 'Episode', description: 'A missing or absent episode, with its return interview.' });

export const newEpisode = z
  .object({
    episodeType: z.enum(episodeTypes),
    startedAt: instant,
    endedAt: instant.nullish().transform((v) => v ?? null),
    reportedBy: text(200),
    whereFound: optionalText(500),
    riskLevel: z.enum(episodeRiskLevels),
    policeReference: optionalText(60),
  })
  .strict()
  .refine((v) => v.endedAt === null || v.endedAt.getTime() >= v.startedAt.getTime(), { path: ['endedAt'], message: 'the return is before the start' })
  .meta({ id: 'NewEpisode', description: 'An episode; give endedAt when the child has already returned.' });

export const episodeReturn = z
  .object({ returnedAt: instant, whereFound: optionalText(500) })
  .strict()
  .meta({ id: 'EpisodeReturn', description: 'The child has returned (or been found): the episode ends and the return interview falls due.' });

export const newReturnInterview = z
  .object({
    offeredAt: instant,
    interviewerName: text(200),
    interviewerAgencyId: z.uuid(),
    independent: z.boolean().meta({ description: 'Whether the interviewer is independent of the placement.' }),
    outcome: z.enum(['accepted', 'declined']),
    learned: optionalText(8000),
    places: z.array(text(200)).max(50).default([]),
    people: z.array(text(200)).max(50).default([]),
  })
  .strict()
  .meta({ id: 'NewReturnInterview' });

// ---------------------------------------------------------------- strategy meetings and the plan

export const meeting = z
  .object({
    id: z.uuid(),
    meeting_kind: oneOf(['meeting', 'discussion']),
    held_on: z.string(),
    attending_agency_ids: z.array(z.uuid()),
    agencyNames: z.array(z.string()),
    attendees: z.string(),
    decisions: z.string(),
    risk_level: oneOf(riskLevels).meta({ description: 'The risk agreed.' }),
    next_review_on: z.string().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'StrategyMeeting' });

export const newMeeting = z
  .object({
    meetingKind: z.enum(['meeting', 'discussion']),
    heldOn: date,
    attendingAgencyIds: z
      .array(z.uuid())
      .min(1)
      .max(50)
      .meta({ description: 'The agencies that attended: each is given access to the child on the meeting’s lawful basis.' }),
    attendees: text(2000),
    decisions: text(8000),
    riskLevel: z.enum(riskLevels).meta({ description: 'The risk agreed at the meeting.' }),
    nextReviewOn: date.nullish().transform((v) => v ?? null),
  })
  .strict()
  .refine((v) => !v.nextReviewOn || v.nextReviewOn >= v.heldOn, { path: ['nextReviewOn'], message: 'the review is before the meeting' })
  .meta({ id: 'NewStrategyMeeting' });

export const meetingCreated = z.object({ id: z.uuid(), child: childRisk });

export const planAction = z
  .object({
    id: z.uuid(),
    meeting_id: z.uuid().nullable(),
    description: z.string(),
    owner_name: z.string(),
    agency_id: z.uuid(),
    agency_name: z.string(),
    due_on: z.string(),
    done_at: z.date().nullable(),
    overdue: z.boolean(),
  })
  .meta({ id: 'PlanAction' });

export const newPlanAction = z
  .object({
    description: text(2000),
    ownerName: text(200),
    agencyId: z.uuid().meta({ description: 'The agency that owns the action: it is given access to the child.' }),
    dueOn: date,
    meetingId: z
      .uuid()
      .nullish()
      .transform((v) => v ?? null),
  })
  .strict()
  .meta({ id: 'NewPlanAction' });

// ---------------------------------------------------------------- referrals to services of the directory

export const directoryService = z
  .object({
    id: z.uuid(),
    name: z.string(),
    provider: z.string(),
    description: z.string(),
    for_whom: z.string(),
    age_from: z.number().int(),
    age_to: z.number().int(),
    referral_route: z.string(),
    contact: z.string(),
    area: z.string(),
  })
  .meta({ id: 'DirectoryService', description: 'An active service of the partnership’s services directory: what a referral names.' });

export const directoryQuery = z
  .object({ q: z.string().trim().max(100).optional().meta({ description: 'Words in the service’s name, provider, description or who it is for.' }) })
  .strict();

export const serviceReferral = z
  .object({
    id: z.uuid(),
    service_id: z.uuid(),
    service_name: z.string(),
    provider: z.string(),
    contact: z.string(),
    referred_on: z.string(),
    referred_by_name: z.string(),
    referred_by_agency_id: z.uuid(),
    agency_name: z.string().meta({ description: 'The referring agency.' }),
    status: oneOf(referralStatuses),
    outcome_note: z.string(),
    updated_at: z.date(),
  })
  .meta({ id: 'ServiceReferral', description: 'A referral of the child to a service of the directory, from the child’s plan.' });

export const newReferral = z
  .object({
    serviceId: z.uuid().meta({ description: 'An active service of the directory (GET /api/v1/directory-services).' }),
    referredOn: date.meta({ description: 'The day of the referral (not in the future).' }),
    referredByName: text(200),
    referredByAgencyId: z.uuid().optional().meta({ description: 'The referring agency; the token’s agency when left out.' }),
    status: z.enum(referralStatuses),
    outcomeNote: optionalText(2000).transform((v) => v ?? ''),
  })
  .strict()
  .meta({ id: 'NewServiceReferral' });

export const referralUpdate = z
  .object({ status: z.enum(referralStatuses), outcomeNote: optionalText(2000).transform((v) => v ?? '') })
  .strict()
  .meta({ id: 'ServiceReferralUpdate', description: 'The referral’s status and outcome as they are now (the outcome note is replaced).' });

// ---------------------------------------------------------------- case notes

export const caseNote = z
  .object({ id: z.uuid(), body: z.string(), author_name: z.string(), created_at: z.date() })
  .meta({ id: 'CaseNote', description: 'A case note on the child, by its author; notes are added, never changed.' });

export const newCaseNote = z
  .object({ body: text(8000) })
  .strict()
  .meta({ id: 'NewCaseNote' });

// ---------------------------------------------------------------- chronology

export const chronologyQuery = z
  .object({
    type: chronologyTypes,
    agency: z.uuid().optional(),
  })
  .strict()
  .transform((q): ChronologyFilters => ({ types: q.type, agency: q.agency }));

const chronologyShown = z
  .object({
    kind: oneOf(chronologyKinds),
    date: z.string().meta({ description: 'The London calendar day.' }),
    at: z.date().nullable().meta({ description: 'The instant, or null when the record holds a day only.' }),
    agency_ids: z.array(z.uuid()),
    summary: z.string(),
    detail: z.string().nullable(),
    who: z.string().nullable(),
    withheld: z.literal(false),
    days_since_previous: z.number().int().nullable(),
  })
  .meta({ id: 'ChronologyEntry' });

const chronologyWithheld = z
  .object({ kind: oneOf(chronologyKinds), date: z.string(), withheld: z.literal(true) })
  .meta({ id: 'WithheldChronologyEntry', description: 'A row on the child the token may not see: its kind and day only.' });

export const chronology = z.object({ child_id: z.uuid(), entries: z.array(z.union([chronologyShown, chronologyWithheld])) });

// ---------------------------------------------------------------- responses

export const responses = {
  assessments: json('The child’s risk assessments, newest first', z.object({ assessments: z.array(riskAssessmentSummary) })),
  assessment: json('The assessment', riskAssessment),
  assessmentCreated: json('Recorded and scored; the child’s current risk level after it', assessmentCreated),
  episodes: json('The child’s episodes, newest first', z.object({ episodes: z.array(episode) })),
  episode: json('The episode', episode),
  created: json('Recorded', z.object({ id: z.uuid() })),
  done: json('Done', z.object({ id: z.uuid() })),
  meetings: json('The child’s strategy meetings, newest first', z.object({ meetings: z.array(meeting) })),
  meeting: json('The meeting', meeting),
  meetingCreated: json('Recorded; the child’s current risk level after it', meetingCreated),
  actions: json('The child’s plan actions, by due date', z.object({ actions: z.array(planAction) })),
  chronology: json('The child’s chronology, oldest first', chronology),
  directory: json('Active services of the directory, by name (at most 25)', z.object({ services: z.array(directoryService) })),
  referrals: json('The child’s referrals to services, newest first', z.object({ referrals: z.array(serviceReferral) })),
  notes: json('The child’s case notes, newest first', z.object({ notes: z.array(caseNote) })),
};
