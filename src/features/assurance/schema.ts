import { z } from 'zod';
import { blankAsAbsent, blankAsNull, dateInput, dateRule, filterDateInput, optionalDateInput } from '../../web/form-fields.ts';
import { ragStatuses } from '../strategy/domain/rag.ts';

export const courseKinds = ['awareness', 'specialist', 'risk_tool', 'protocol'] as const;
export const audiences = [
  'schools',
  'taxi_drivers',
  'hotels',
  'licensed_premises',
  'letting_agents',
  'parents_carers',
  'foster_carers',
  'children_in_care',
  'public',
] as const;
export const materialKinds = ['leaflet', 'poster', 'film', 'play', 'presentation', 'web_page', 'guide'] as const;
export const questionScales = ['likert', 'yes_no'] as const;
export const scaleAnswers = {
  likert: ['strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree'],
  yes_no: ['yes', 'no'],
} as const satisfies Record<(typeof questionScales)[number], readonly string[]>;
export const bodyKinds = ['committee', 'task_group', 'board', 'sub_group'] as const;
export const responses = ['accepted', 'partly_accepted', 'rejected'] as const;

const text = (max = 200, message = 'assurance.v.required') => z.string().trim().min(1, message).max(max, 'validation.tooLong');
const optionalText = (max = 2000) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => v || null);
const count = z.coerce
  .number({ message: 'assurance.v.wholeNumber' })
  .int('assurance.v.wholeNumber')
  .min(0, 'assurance.v.wholeNumber')
  .max(10_000_000, 'assurance.v.wholeNumber');
const list = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

export const courseFormSchema = z.object({
  title: text(),
  kind: z.enum(courseKinds, { message: 'assurance.v.choose' }),
  description: optionalText(),
});
export type CourseForm = z.infer<typeof courseFormSchema>;

export const sessionFormSchema = z.object({
  courseId: z.string().uuid('assurance.v.choose'),
  heldOn: dateInput('dates.assurance.sessionHeld'),
  trainer: text(),
  venue: text(),
});
export type SessionForm = z.infer<typeof sessionFormSchema>;

/** Someone at a session: a Lantern user picked from the list, or a named member of staff. */
export const attendanceFormSchema = z
  .object({
    userId: blankAsNull(z.string().uuid()),
    name: optionalText(200),
    agencyId: blankAsNull(z.string().uuid('validation.agencyRequired')),
    role: optionalText(200),
    startedOn: optionalDateInput('dates.assurance.joined'),
  })
  .superRefine((v, ctx) => {
    if (v.userId) return;
    if (!v.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'assurance.v.attendeeRequired' });
    if (!v.agencyId) ctx.addIssue({ code: 'custom', path: ['agencyId'], message: 'validation.agencyRequired' });
  });
export type AttendanceForm = z.infer<typeof attendanceFormSchema>;

export const measureFormSchema = z.object({
  title: text(),
  courseIds: list(z.string().uuid()).pipe(z.array(z.string().uuid()).min(1, 'assurance.v.coursesRequired')),
  windowMonths: z.coerce
    .number({ message: 'assurance.v.windowMonths' })
    .int('assurance.v.windowMonths')
    .min(1, 'assurance.v.windowMonths')
    .max(60, 'assurance.v.windowMonths'),
  targetPercent: z.coerce.number({ message: 'assurance.v.percent' }).int('assurance.v.percent').min(0, 'assurance.v.percent').max(100, 'assurance.v.percent'),
});
export type MeasureForm = z.infer<typeof measureFormSchema>;

export const complianceQuerySchema = z.object({
  measureId: blankAsAbsent(z.string().uuid()),
  agencyId: blankAsAbsent(z.string().uuid()),
  asOf: filterDateInput('dates.assurance.asOf'),
});
export type ComplianceQuery = z.infer<typeof complianceQuerySchema>;

/** The file part of the import form, with the token in the body (attachFieldsToBody: 'keyValues'). */
export const importUploadSchema = z.object({
  file: z
    .union([z.instanceof(Buffer), z.string()], { message: 'assurance.v.fileRequired' })
    .transform((v) => (typeof v === 'string' ? v : v.toString('utf8')))
    .pipe(z.string().min(1, 'assurance.v.fileRequired')),
});
export const importConfirmSchema = z.object({ csv: z.string().min(1, 'assurance.v.fileRequired').max(1_000_000, 'validation.tooLong') });

export const campaignFormSchema = z
  .object({
    title: text(),
    audience: z.enum(audiences, { message: 'assurance.v.choose' }),
    startsOn: dateInput('dates.assurance.campaignStarts'),
    endsOn: optionalDateInput('dates.assurance.campaignEnds'),
    peopleReached: count,
    summary: optionalText(),
  })
  .refine((v) => !v.endsOn || v.endsOn >= v.startsOn, dateRule('endsOn', 'assurance.v.endBeforeStart'));
export type CampaignForm = z.infer<typeof campaignFormSchema>;

/** The training page's year (anything else: every year). */
export const sessionFilterSchema = z.object({
  year: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .pipe(z.number().int().min(2000).max(2100).optional())
    .catch(undefined),
});

/** The campaigns page's audience (anything else: every audience). */
export const campaignFilterSchema = z.object({
  audience: blankAsAbsent(z.enum(audiences)).catch(undefined),
});

export const materialFormSchema = z.object({
  kind: z.enum(materialKinds, { message: 'assurance.v.choose' }),
  title: text(),
  quantity: count,
});
export type MaterialForm = z.infer<typeof materialFormSchema>;

export const questionFormSchema = z.object({
  text: text(500),
  scale: z.enum(questionScales, { message: 'assurance.v.choose' }),
});
export type QuestionForm = z.infer<typeof questionFormSchema>;

export const tallyFormSchema = z.object({
  questionId: z.string().uuid(),
  strongly_agree: count.optional(),
  agree: count.optional(),
  neutral: count.optional(),
  disagree: count.optional(),
  strongly_disagree: count.optional(),
  yes: count.optional(),
  no: count.optional(),
});
export type TallyForm = z.infer<typeof tallyFormSchema>;

export const serviceFilterSchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, 'validation.tooLong')
    .optional()
    .transform((v) => v || undefined),
  area: z
    .string()
    .trim()
    .max(200, 'validation.tooLong')
    .optional()
    .transform((v) => v || undefined),
  age: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .pipe(z.number({ message: 'assurance.v.age' }).int('assurance.v.age').min(0, 'assurance.v.age').max(25, 'assurance.v.age').optional()),
});
export interface ServiceFilter {
  q?: string | undefined;
  area?: string | undefined;
  age?: number | undefined;
}

export const serviceFormSchema = z
  .object({
    name: text(),
    provider: text(),
    description: text(2000),
    forWhom: text(500),
    ageFrom: z.coerce.number({ message: 'assurance.v.age' }).int('assurance.v.age').min(0, 'assurance.v.age').max(25, 'assurance.v.age'),
    ageTo: z.coerce.number({ message: 'assurance.v.age' }).int('assurance.v.age').min(0, 'assurance.v.age').max(25, 'assurance.v.age'),
    referralRoute: text(1000),
    contact: text(500),
    area: text(),
  })
  .refine((v) => v.ageTo >= v.ageFrom, { path: ['ageTo'], message: 'assurance.v.ageRange' });
export type ServiceForm = z.infer<typeof serviceFormSchema>;

export const bodyFormSchema = z.object({
  name: text(),
  kind: z.enum(bodyKinds, { message: 'assurance.v.choose' }),
  chair: optionalText(200),
  remit: optionalText(),
});
export type BodyForm = z.infer<typeof bodyFormSchema>;

export const workItemFormSchema = z.object({
  meetsOn: dateInput('dates.assurance.meetingDate'),
  topic: text(),
  details: optionalText(),
});
export type WorkItemForm = z.infer<typeof workItemFormSchema>;

export const recommendationFormSchema = z.object({
  reference: text(20),
  recommendation: text(4000),
  madeOn: dateInput('dates.assurance.recommendationMade'),
  crossReference: optionalText(200),
  evidenceSource: optionalText(500),
});
export type RecommendationForm = z.infer<typeof recommendationFormSchema>;

export const responseFormSchema = z.object({
  response: z.enum(responses, { message: 'assurance.v.responseRequired' }),
  responseText: optionalText(4000),
  owner: optionalText(200),
  dueOn: optionalDateInput('dates.assurance.recommendationDue'),
  status: z.enum(ragStatuses, { message: 'assurance.v.choose' }),
  evidenceSource: optionalText(500),
});
export type ResponseForm = z.infer<typeof responseFormSchema>;
