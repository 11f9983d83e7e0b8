import { z } from 'zod';
import { apiScopes } from '../../authz/policy.ts';
import { roles } from '../../authz/roles.ts';
import { optionalQueryId } from '../../web/params.ts';
import { parseIsoDate } from '../../dates.ts';
import { optionalDateInput } from '../../web/form-fields.ts';
import { dateOfBirthCheck, parsePostcode, plainText } from './parsing.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { askPurposes } from '../linkage/encoded/ask.ts';

export const genders = ['female', 'male', 'non_binary', 'other', 'not_known'] as const;
/** ONS 2021 census ethnic groups (England and Wales): equality monitoring only, never a risk factor. */
export const ethnicities = [
  'asian_bangladeshi',
  'asian_chinese',
  'asian_indian',
  'asian_pakistani',
  'asian_other',
  'black_african',
  'black_caribbean',
  'black_other',
  'mixed_white_asian',
  'mixed_white_black_african',
  'mixed_white_black_caribbean',
  'mixed_other',
  'white_british',
  'white_irish',
  'white_gypsy_traveller',
  'white_roma',
  'white_other',
  'other_arab',
  'other_any',
  'not_stated',
] as const;
/**
 * The child's education setting. Missing from education and elective home education are flags (with
 * their dates and source: flags.ts), not settings: the record never says them (0261, DECISIONS 27).
 */
export const educationStatuses = ['in_education', 'excluded', 'alternative_provision', 'employment_training', 'neet'] as const;
/** The flags that say the child is not at school: the record cannot say "in education" while one is open. */
export const outOfSchoolFlags = ['missing_education', 'elective_home_education'] as const;
/**
 * The kind of support a child with special educational needs or a disability has. Whether the child
 * has SEND is the SEND flag (dated and sourced: flags.ts); the record names a kind only while that flag
 * is open (0262, DECISIONS 29), and "none" is no open flag.
 */
export const sendOptions = ['sen_support', 'ehcp', 'disability'] as const;
export { riskLevels };
export const decisions = ['not_cse', 'cse_concern', 'already_known'] as const;
export const closingOutcomes = ['risk_reduced', 'no_longer_at_risk', 'moved_away', 'turned_eighteen', 'transferred', 'no_further_action', 'other'] as const;
/** Roles an API token may carry: the casework roles, never administration or audit. */
export const apiTokenRoles = ['triage_worker', 'practitioner', 'coordinator', 'analyst'] as const satisfies readonly (typeof roles)[number][];

/** A plain-text form field (parsing.ts's plainText) of at most `max` characters; `requiredKey` makes it required, with that message. */
export const text = (max: number, requiredKey?: string) => {
  const base = z
    .preprocess((v) => v ?? '', z.string().max(max * 2, 'validation.tooLong'))
    .transform(plainText)
    .pipe(z.string().max(max, 'validation.tooLong'));
  return requiredKey ? base.pipe(z.string().min(1, requiredKey)) : base;
};
export const optionalText = (max: number) => text(max).transform((v) => v || null);
/** A field `parse` reads (null when it cannot), or blank for none. */
const optionalParsed = <T>(parse: (v: string) => T | null, message: string) =>
  z
    .string()
    .optional()
    .default('')
    .transform((v) => v.trim())
    .refine((v) => v === '' || parse(v) !== null, message)
    .transform((v) => (v ? parse(v) : null));
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .default('')
    .transform((v) => v || null)
    .pipe(z.enum(values).nullable());
const checkbox = z.preprocess((v): unknown => (Array.isArray(v) ? v.at(-1) : v), z.string().optional()).transform((v) => v === 'yes' || v === 'true');
/** A UK postcode in its usual form, or blank for none. */
const optionalPostcode = optionalParsed(parsePostcode, 'children.errors.postcode');
/** A record picked from a list, or blank for none. */
export const optionalUuid = z
  .string()
  .optional()
  .default('')
  .transform((v) => v || null)
  .pipe(z.string().uuid().nullable());

/** What anyone may tell us about a worry. Short and plain; sizes are capped so the form cannot be abused. */
const concernFields = {
  whatHappened: text(4000, 'children.errors.whatHappenedRequired').pipe(z.string().min(10, 'children.errors.whatHappenedShort')),
  where: optionalText(500),
  when: optionalText(200),
  occurredOn: optionalDateInput('dates.children.occurredOn'),
  about: optionalText(500),
  contact: optionalText(500),
  anonymous: checkbox,
};

/** Who a member of the public says they are (migration 0125); optional. */
export const reporterKinds = ['public', 'parent_carer', 'taxi_driver', 'hotel_takeaway', 'school_staff', 'young_person', 'other'] as const;
export type ReporterKind = (typeof reporterKinds)[number];

/**
 * How they heard of the form: one of the partnerships' campaigns (`campaign:<id>`), somewhere else
 * (`other`) or not said (blank).
 */
const heardFrom = z
  .string()
  .optional()
  .default('')
  .refine(
    (v) => v === '' || v === 'other' || (v.startsWith('campaign:') && z.uuid().safeParse(v.slice('campaign:'.length)).success),
    'children.errors.heardFrom',
  )
  .transform((v) =>
    v === ''
      ? { heardVia: null, campaignId: null }
      : v === 'other'
        ? { heardVia: 'other' as const, campaignId: null }
        : { heardVia: 'campaign' as const, campaignId: v.slice(9) },
  );

export const publicConcernSchema = z
  .object({
    partnershipId: z.preprocess((v) => v ?? '', z.string().uuid('children.errors.partnershipRequired')),
    ...concernFields,
    reporterKind: optionalEnum(reporterKinds),
    heardFrom,
  })
  .refine((v) => v.anonymous || v.contact, { path: ['contact'], message: 'children.errors.contactOrAnonymous' });
export type PublicConcern = z.infer<typeof publicConcernSchema>;

export const professionalConcernSchema = z.object({ ...concernFields, childId: optionalUuid });
export type ProfessionalConcern = z.infer<typeof professionalConcernSchema>;

/** The JSON API's concern: the same fields and limits as the form. */
export const apiConcernSchema = z
  .object({
    whatHappened: z.string().max(4000).transform(plainText).pipe(z.string().min(10)),
    where: z.string().max(500).transform(plainText).optional(),
    when: z.string().max(200).transform(plainText).optional(),
    occurredOn: z
      .string()
      .refine((v) => parseIsoDate(v) !== null, 'validation.dateFormat')
      .optional(),
    about: z.string().max(500).transform(plainText).optional(),
    childId: z.string().uuid().optional(),
  })
  .strict();
export type ApiConcern = z.infer<typeof apiConcernSchema>;

const newChildFields = {
  givenName: text(100, 'children.errors.givenNameRequired'),
  familyName: text(100, 'children.errors.familyNameRequired'),
  dateOfBirth: optionalDateInput('dates.children.dateOfBirth', dateOfBirthCheck),
  gender: optionalEnum(genders),
};

export const newChildSchema = z.object(newChildFields);

export const triageSchema = z
  .object({
    decision: z.preprocess((v) => v ?? '', z.enum(decisions, { message: 'children.errors.decisionRequired' })),
    riskLevel: optionalEnum(riskLevels),
    actingAgencyId: optionalUuid,
    notes: optionalText(2000),
    link: z.enum(['none', 'existing', 'new']).default('none'),
    childId: optionalUuid,
    givenName: z.string().optional().default(''),
    familyName: z.string().optional().default(''),
    // The new child's date of birth is read with the other new-child fields below.
    dateOfBirth: z.unknown().optional(),
    gender: z.string().optional().default(''),
    /** The triage worker saw the near-duplicates and still wants a new record. */
    confirmNew: z
      .unknown()
      .optional()
      .transform((v) => v === 'yes'),
  })
  .superRefine((v, ctx) => {
    if (v.decision !== 'not_cse' && !v.riskLevel) ctx.addIssue({ code: 'custom', path: ['riskLevel'], message: 'children.errors.riskRequired' });
    if (v.decision !== 'not_cse' && !v.actingAgencyId) ctx.addIssue({ code: 'custom', path: ['actingAgencyId'], message: 'children.errors.agencyRequired' });
    if (v.link === 'existing' && !v.childId) ctx.addIssue({ code: 'custom', path: ['childId'], message: 'children.errors.childRequired' });
    if (v.link === 'new') {
      const parsed = z.object(newChildFields).safeParse(v);
      // A date input's issue keeps its params: the boxes in error and the field's name (src/web/form-fields.ts).
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          ctx.addIssue({
            code: 'custom',
            path: issue.path,
            message: issue.message,
            ...(issue.code === 'custom' && issue.params ? { params: issue.params } : {}),
          });
    }
    // Only reached when the checks above passed: the new child's fields are then valid.
  })
  .transform((v) => ({ ...v, newChild: v.link === 'new' ? (newChildSchema.safeParse(v).data ?? null) : null }));
export type TriageDecision = Omit<z.infer<typeof triageSchema>, 'newChild' | 'confirmNew'>;
export type NewChild = z.infer<typeof newChildSchema>;

/** Searching by name goes by POST so that no name is ever in a URL. */
export const childSearchSchema = z
  .object({
    name: optionalText(200),
    dateOfBirth: optionalDateInput('dates.children.dateOfBirth'),
    postcode: optionalPostcode,
    includeClosed: checkbox,
  })
  .refine((v) => v.name || v.dateOfBirth || v.postcode, { path: ['name'], message: 'children.errors.searchSomething' });
export type ChildSearch = z.infer<typeof childSearchSchema>;

export const childDetailsSchema = z
  .object({
    aliases: optionalText(500).transform((v) =>
      v
        ? v
            .split(/[,\n]/)
            .map((a) => a.trim())
            .filter(Boolean)
            .slice(0, 20)
        : [],
    ),
    gender: optionalEnum(genders),
    ethnicity: optionalEnum(ethnicities),
    firstLanguage: optionalText(100),
    school: optionalText(200),
    educationStatus: optionalEnum(educationStatuses),
    send: optionalEnum(sendOptions),
    // Looked after and the other legal statuses are flags now (migration 0130); the placement describes a looked-after child's.
    placement: optionalText(200),
    flagCse: checkbox,
    flagCce: checkbox,
    flagTrafficking: checkbox,
    restricted: checkbox,
    restrictedReason: optionalText(500),
  })
  .refine((v) => !v.restricted || v.restrictedReason, { path: ['restrictedReason'], message: 'children.errors.restrictedReason' });
export type ChildDetails = z.infer<typeof childDetailsSchema>;

export const addressSchema = z.object({
  line1: text(200, 'children.errors.addressRequired'),
  town: optionalText(100),
  postcode: optionalPostcode,
  fromDate: optionalDateInput('dates.children.addressFrom'),
});
export type AddressForm = z.infer<typeof addressSchema>;

export const involvementSchema = z.object({
  agencyId: z.preprocess((v) => v ?? '', z.string().uuid('validation.agencyRequired')),
  workerUserId: optionalUuid,
});
export type InvolvementForm = z.infer<typeof involvementSchema>;

/** The agency chosen on the involvement page, whose workers are then offered (anything else: none chosen). */
export const involvementAgencyQuery = z.object({ agencyId: optionalQueryId });

/** The children list: which records and which page (anything else: the first page of open records). */
/** A concern about a known child starts from the child's page (anything but a UUID: none). */
export const newConcernQuery = z.object({ child: optionalQueryId });

export const closeSchema = z.object({
  outcome: z.preprocess((v) => v ?? '', z.enum(closingOutcomes, { message: 'children.errors.outcomeRequired' })),
  reason: text(2000, 'children.errors.reasonRequired'),
});
export type CloseForm = z.infer<typeof closeSchema>;

export const reasonSchema = z.object({ reason: text(2000, 'children.errors.reasonRequired').pipe(z.string().min(10, 'children.errors.reasonShort')) });

export const shareAgencySchema = z.object({
  shareAgencyId: z.preprocess((v) => v ?? '', z.string().uuid('validation.agencyRequired')),
  lawfulBasis: text(2000, 'validation.lawfulBasisRequired').pipe(z.string().min(5, 'validation.lawfulBasisRequired')),
});
export type ShareAgencyForm = z.infer<typeof shareAgencySchema>;

export const sharePartnershipSchema = z.object({
  agreementId: z.preprocess((v) => v ?? '', z.string().uuid('children.errors.agreementRequired')),
  partnershipBasis: text(2000, 'validation.lawfulBasisRequired').pipe(z.string().min(5, 'validation.lawfulBasisRequired')),
  // The receiving partnership's agencies whose people may read the record (L2).
  recipientAgencyIds: z.preprocess(
    (v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().uuid('children.errors.recipientAgenciesRequired')).min(1, 'children.errors.recipientAgenciesRequired').max(50),
  ),
});
export type SharePartnershipForm = z.infer<typeof sharePartnershipSchema>;

/** Asking the partnership on the other side of an agreement whether it holds the child (issue 14 §3). */
export const askNeighbourSchema = z.object({
  agreementId: z.preprocess((v) => v ?? '', z.string().uuid('children.errors.agreementRequired')),
  purpose: z.enum(askPurposes, { message: 'children.errors.askPurposeRequired' }),
});

/** Stopping a share: the reason goes into the audit trail and onto the share. */
export const stopSharingSchema = z.object({
  stopReason: text(2000, 'children.errors.reasonRequired').pipe(z.string().min(10, 'children.errors.reasonShort')),
});

/** How long a new API token lasts, in days; 90 unless the administrator chooses otherwise. */
export const apiTokenLifetimes = ['30', '90', '180', '365'] as const;
export const defaultApiTokenLifetime = '90';

export const apiTokenSchema = z.object({
  name: text(100, 'validation.nameRequired'),
  expiresInDays: z.preprocess((v) => v ?? defaultApiTokenLifetime, z.enum(apiTokenLifetimes, { message: 'children.errors.tokenLifetime' })).transform(Number),
  roles: z.preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(apiTokenRoles)).min(1, 'validation.rolesRequired')),
  scopes: z.preprocess(
    (v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.enum(apiScopes))
      .min(1, 'validation.scopesRequired')
      .transform((v) => [...new Set(v)]),
  ),
});
export type ApiTokenForm = z.infer<typeof apiTokenSchema>;
