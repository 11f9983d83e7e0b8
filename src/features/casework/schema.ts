import { z } from 'zod';
import { riskToolFileLimits } from '../../uploads/limits.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { episodeTypes, riskLevels as episodeRiskLevels } from './episodes.ts';
import { dateInput, dateInputGiven, dateRule, optionalDateInput, readDateTime } from '../../web/form-fields.ts';
import { documentLanguage } from '../../web/params.ts';
import { chronologyKinds, type ChronologyFilters, type ChronologyKind } from './chronology.ts';

const trimmed = (max: number) => z.string().trim().max(max, 'validation.tooLong');
const optionalText = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v : undefined), trimmed(max).optional()).transform((v) => (v ? v : null));
const required = (max: number, message: string) => z.preprocess((v) => (typeof v === 'string' ? v : ''), trimmed(max).min(1, message));

const yesNo = (message: string) => z.preprocess((v) => (v === 'yes' ? true : v === 'no' ? false : undefined), z.boolean({ message }));

/** A raw form field as a string ('' when absent), checked later with its partner field. */
const field = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(40, 'validation.tooLong'));

const list = z.preprocess((v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

/** One item per line, blank lines dropped: places and people a child mentioned. */
const lines = z
  .preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(4000, 'validation.tooLong'))
  .transform((v) =>
    [
      ...new Set(
        v
          .split(/\r?\n/)
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ].slice(0, 50),
  );

// ---------------------------------------------------------------- risk tools

/** The largest tool definition file accepted (src/uploads/limits.ts). */
export const TOOL_FILE_MAX_BYTES = riskToolFileLimits.maxFileBytes;

/**
 * A definition chosen as a file (a Buffer from the multipart form) or pasted into the box: one or
 * the other. A file longer than the limit arrives cut at limit + 1 bytes, so its length gives it away.
 */
export const toolUploadSchema = z
  .object({
    definition: optionalText(200_000),
    definitionFile: z.preprocess(
      (v) => (Buffer.isBuffer(v) && v.length > 0 ? v : null),
      z
        .instanceof(Buffer)
        .nullable()
        .refine((v) => v === null || v.length <= TOOL_FILE_MAX_BYTES, 'casework.validation.definitionFileTooLarge'),
    ),
  })
  .transform((v, ctx) => {
    if (v.definitionFile && v.definition) {
      ctx.addIssue({ code: 'custom', path: ['definitionFile'], message: 'casework.validation.definitionBoth' });
      return z.NEVER;
    }
    if (v.definitionFile) return { field: 'definitionFile' as const, text: v.definitionFile.toString('utf8').replace(/^\uFEFF/, '') };
    if (v.definition) return { field: 'definition' as const, text: v.definition };
    ctx.addIssue({ code: 'custom', path: ['definitionFile'], message: 'casework.validation.definitionRequired' });
    return z.NEVER;
  });

// ---------------------------------------------------------------- assessments

export const assessmentHeaderSchema = z.object({
  toolId: z.string().uuid('casework.validation.toolRequired'),
  assessedOn: dateInput('dates.casework.assessedOn'),
  assessorAgencyId: z.string().uuid('casework.validation.agencyRequired'),
  knownToSocialCare: yesNo('casework.validation.knownToSocialCare'),
  inCare: yesNo('casework.validation.inCare'),
  childProtectionPlan: yesNo('casework.validation.childProtectionPlan'),
  youthJustice: yesNo('casework.validation.youthJustice'),
  otherAgencies: optionalText(1000),
});

/** The practitioner's judgement: a level of the one vocabulary (pre-filled from the level the score suggests), and why. */
export const assessmentJudgementSchema = z.object({
  judgementLevel: z.enum(riskLevels, { message: 'casework.validation.judgementRequired' }),
  judgementReasons: required(4000, 'casework.validation.reasonsRequired'),
});

export type AssessmentHeader = z.infer<typeof assessmentHeaderSchema>;
export type AssessmentJudgement = z.infer<typeof assessmentJudgementSchema>;

/** Ticked windows from the form: fields named `answer-<indicatorId>` holding window ids. */
export function answersFromForm(body: Record<string, unknown>): Record<string, Record<string, boolean>> {
  const answers: Record<string, Record<string, boolean>> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!name.startsWith('answer-')) continue;
    const windows = list.safeParse(value).data ?? [];
    if (windows.length === 0) continue;
    answers[name.slice('answer-'.length)] = Object.fromEntries(windows.map((w) => [w, true]));
  }
  return answers;
}

/**
 * The assessment form, checked in two parts: the answers are scored, and the score shown, even
 * while the header is incomplete, so the header's and the judgement's checks are results the page
 * shows rather than a refusal.
 */
export const assessmentFormSchema = z.record(z.string(), z.unknown()).transform((form) => ({
  answers: answersFromForm(form),
  toolId: typeof form.toolId === 'string' ? form.toolId : undefined,
  scoreOnly: form.step === 'score',
  header: assessmentHeaderSchema.safeParse(form),
  judgement: assessmentJudgementSchema.safeParse(form),
}));

// ---------------------------------------------------------------- missing episodes

/** What a new episode and a correction of one both hold besides its times. */
const episodeDetailFields = {
  reportedBy: required(200, 'casework.validation.reportedBy'),
  whereFound: optionalText(500),
  riskLevel: z.enum(episodeRiskLevels, { message: 'casework.validation.riskLevel' }),
  policeReference: optionalText(60),
};
const episodeFields = { startDate: z.unknown().optional(), startTime: field, endDate: z.unknown().optional(), endTime: field, ...episodeDetailFields };
/** Whether anything was typed in a date input and the time beside it (`<prefix>Date`, `<prefix>Time`). */
const given = (v: { [field: string]: unknown }, prefix: 'start' | 'end') => {
  const time = v[`${prefix}Time`];
  return dateInputGiven(v[`${prefix}Date`]) || (typeof time === 'string' && time.trim() !== '');
};
const episodeDetails = (v: z.output<z.ZodObject<typeof episodeDetailFields>>) => ({
  reportedBy: v.reportedBy,
  whereFound: v.whereFound,
  riskLevel: v.riskLevel,
  policeReference: v.policeReference,
});

export const episodeFormSchema = z
  .object({ episodeType: z.enum(episodeTypes, { message: 'casework.validation.episodeType' }), ...episodeFields })
  .transform((v, ctx) => {
    const startedAt = readDateTime(v, 'start', 'dates.casework.started', ctx);
    const endedAt = given(v, 'end') ? readDateTime(v, 'end', 'dates.casework.ended', ctx) : null;
    if (startedAt && endedAt && endedAt.getTime() < startedAt.getTime()) ctx.addIssue(dateRule('endDate', 'casework.validation.endBeforeStart'));
    return {
      episodeType: v.episodeType,
      startedAt: startedAt ?? new Date(NaN),
      endedAt,
      ...episodeDetails(v),
    };
  });
export type EpisodeForm = z.output<typeof episodeFormSchema>;

/**
 * Correcting an episode: its times, who reported it, where the child was found, the risk and the
 * police reference. There is no type here: a change of type ends one episode and opens another.
 * A time left blank comes back null; whether it may be (and may move at all) is the service's call.
 */
export const episodeEditSchema = z.object(episodeFields).transform((v, ctx) => {
  const startedAt = given(v, 'start') ? readDateTime(v, 'start', 'dates.casework.started', ctx) : null;
  const endedAt = given(v, 'end') ? readDateTime(v, 'end', 'dates.casework.ended', ctx) : null;
  return { startedAt, endedAt, ...episodeDetails(v) };
});
export type EpisodeEdit = z.output<typeof episodeEditSchema>;

export const episodeReturnSchema = z
  .object({
    returnDate: z.unknown().optional(),
    returnTime: field,
    whereFound: optionalText(500),
  })
  .transform((v, ctx) => ({ returnedAt: readDateTime(v, 'return', 'dates.casework.returned', ctx) ?? new Date(NaN), whereFound: v.whereFound }));

export const episodeTypeChangeSchema = z
  .object({
    newType: z.enum(episodeTypes, { message: 'casework.validation.episodeType' }),
    changeDate: z.unknown().optional(),
    changeTime: field,
  })
  .transform((v, ctx) => ({ newType: v.newType, at: readDateTime(v, 'change', 'dates.casework.changed', ctx) ?? new Date(NaN) }));

export const interviewFormSchema = z
  .object({
    offeredDate: z.unknown().optional(),
    offeredTime: field,
    interviewerName: required(200, 'casework.validation.interviewerName'),
    interviewerAgencyId: z.string().uuid('casework.validation.agencyRequired'),
    independent: yesNo('casework.validation.independent'),
    outcome: z.enum(['accepted', 'declined'], { message: 'casework.validation.outcome' }),
    learned: optionalText(8000),
    places: lines,
    people: lines,
  })
  .transform((v, ctx) => ({
    offeredAt: readDateTime(v, 'offered', 'dates.casework.offered', ctx) ?? new Date(NaN),
    interviewerName: v.interviewerName,
    interviewerAgencyId: v.interviewerAgencyId,
    independent: v.independent,
    outcome: v.outcome,
    learned: v.learned,
    places: v.places,
    people: v.people,
  }));
export type InterviewForm = z.output<typeof interviewFormSchema>;

// ---------------------------------------------------------------- meetings, plan, notes

export const meetingFormSchema = z
  .object({
    meetingKind: z.enum(['meeting', 'discussion'], { message: 'casework.validation.meetingKind' }),
    heldOn: dateInput('dates.casework.meetingHeld'),
    attendingAgencyIds: list.pipe(z.array(z.string().uuid()).min(1, 'casework.validation.attendingAgencies')),
    attendees: required(2000, 'casework.validation.attendees'),
    decisions: required(8000, 'casework.validation.decisions'),
    riskLevel: z.enum(riskLevels, { message: 'casework.validation.riskLevel' }),
    nextReviewOn: optionalDateInput('dates.casework.nextReview'),
  })
  .superRefine((v, ctx) => {
    if (v.nextReviewOn && v.nextReviewOn < v.heldOn) ctx.addIssue(dateRule('nextReviewOn', 'casework.validation.reviewBeforeMeeting'));
  });
export type MeetingForm = z.infer<typeof meetingFormSchema>;

export const actionFormSchema = z.object({
  description: required(2000, 'casework.validation.actionDescription'),
  ownerName: required(200, 'casework.validation.actionOwner'),
  agencyId: z.string().uuid('casework.validation.agencyRequired'),
  dueOn: dateInput('dates.casework.actionDue'),
  meetingId: z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : null), z.string().uuid().nullable()),
});
export type ActionForm = z.infer<typeof actionFormSchema>;

/** Correcting an action of the plan: the meeting it was agreed at stays as it was. */
export const actionEditSchema = actionFormSchema.omit({ meetingId: true });
export type ActionEdit = z.infer<typeof actionEditSchema>;

export const noteFormSchema = z.object({ body: required(8000, 'casework.validation.noteBody') });

// ---------------------------------------------------------------- worklists

export const worklistKinds = [
  'all',
  'children',
  'triage',
  'reviews',
  'interviews',
  'actions',
  'meetings',
  'agencyActions',
  'agencyMeetings',
  'maceActions',
] as const;
export const worklistQuerySchema = z.object({
  show: z.enum(worklistKinds).catch('all'),
  sort: z.enum(['due', 'due-desc', 'child']).catch('due'),
  agency: z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.string().uuid().optional()).catch(undefined),
  /** 'mine': only children allocated to the worker; 'all': everything the worker may see. */
  whose: z.enum(['all', 'mine']).catch('all'),
  page: z.coerce.number().int().min(1).max(1000).catch(1),
});
export type WorklistQuery = z.infer<typeof worklistQuerySchema>;

// ---------------------------------------------------------------- referrals to directory services

export const referralStatuses = ['referred', 'accepted', 'waiting', 'attending', 'completed', 'declined_by_service', 'declined_by_child', 'withdrawn'] as const;

/** The directory search on the plan page (a GET form): words to look for in the services directory. */
export const referralSearchQuery = z.object({
  service: z.preprocess((v) => (typeof v === 'string' ? v.trim().slice(0, 100) : ''), z.string()).catch(''),
});

export const referralFormSchema = z.object({
  serviceId: z.string({ message: 'casework.validation.referralService' }).uuid('casework.validation.referralService'),
  referredOn: dateInput('dates.casework.referredOn'),
  referredByName: required(200, 'casework.validation.referredBy'),
  referredByAgencyId: z.string({ message: 'casework.validation.agencyRequired' }).uuid('casework.validation.agencyRequired'),
  status: z.enum(referralStatuses, { message: 'casework.validation.referralStatus' }),
  outcomeNote: optionalText(2000).transform((v) => v ?? ''),
});
export type ReferralForm = z.infer<typeof referralFormSchema>;

export const referralUpdateSchema = z.object({
  status: z.enum(referralStatuses, { message: 'casework.validation.referralStatus' }),
  outcomeNote: optionalText(2000).transform((v) => v ?? ''),
});
export type ReferralUpdate = z.infer<typeof referralUpdateSchema>;

// ---------------------------------------------------------------- chronology

/** The chronology's types of entry (`type`, once or repeated), each once; none given is every type. The JSON API's filter too. */
export const chronologyTypes = z
  .union([z.enum(chronologyKinds), z.array(z.enum(chronologyKinds)).max(chronologyKinds.length)])
  .optional()
  .transform((v): ChronologyKind[] => (v === undefined ? [] : [...new Set(Array.isArray(v) ? v : [v])]));

/**
 * The chronology's filters (a GET form): types of entry (`type`, repeated) and one agency (`agency`;
 * empty is every agency). Anything else in them is malformed: 400 with the error page.
 */
const chronologyFilterFields = {
  type: chronologyTypes,
  agency: z
    .union([z.literal(''), z.uuid()])
    .optional()
    .transform((v) => v || undefined),
};
export const chronologyQuerySchema = z
  .object(chronologyFilterFields)
  .strict()
  .transform((q): ChronologyFilters => ({ types: q.type, agency: q.agency }));
export type ChronologyQuery = z.infer<typeof chronologyQuerySchema>;

export const chronologyDocumentParams = z.object({ id: z.uuid(), format: z.enum(['docx', 'pdf']) });
/** A chronology's download: the page's filters, and the language it is made in (issue 11; absent, the page's). */
export const chronologyDocumentQuery = z
  .object({ ...chronologyFilterFields, language: documentLanguage })
  .strict()
  .transform((q) => ({ filters: { types: q.type, agency: q.agency } satisfies ChronologyFilters, language: q.language }));
