import { z } from 'zod';
import { dateInput, optionalDateInput } from '../../web/form-fields.ts';
import { agencyKinds, roles } from '../../authz/roles.ts';

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const roleArray = z.preprocess(asArray, z.array(z.enum(roles)));
const roleList = z.preprocess(asArray, z.array(z.enum(roles)).min(1, 'validation.rolesRequired'));

export const userFormSchema = z.object({
  displayName: z.string().trim().min(1, 'validation.nameRequired').max(200, 'validation.tooLong'),
  email: z.string().trim().toLowerCase().email('validation.emailFormat').max(320, 'validation.tooLong'),
  agencyId: z.string().uuid('validation.agencyRequired'),
  jobTitle: z
    .string()
    .trim()
    .max(200, 'validation.tooLong')
    .optional()
    .transform((v) => v || null),
  startedOn: optionalDateInput('dates.admin.joined'),
  roles: roleList,
});
export type UserForm = z.infer<typeof userFormSchema>;

// A person may hold only roles the editor cannot change (which the form does not offer), so the
// service checks that someone keeps at least one role once those are added back.
export const userEditSchema = userFormSchema.omit({ email: true }).extend({ roles: roleArray });
export type UserEdit = z.infer<typeof userEditSchema>;

export const agencyFormSchema = z.object({
  name: z.string().trim().min(2, 'validation.nameRequired').max(200, 'validation.tooLong'),
  kind: z.enum(agencyKinds, { message: 'validation.agencyKindRequired' }),
});
export type AgencyForm = z.infer<typeof agencyFormSchema>;

/** An agency's named contact (seed 004): a UK phone number as people write it, and a secure email address. */
export const agencyContactSchema = z.object({
  name: z.string().trim().min(1, 'validation.contactNameRequired').max(200, 'validation.tooLong'),
  role: z.string().trim().min(1, 'validation.contactRoleRequired').max(200, 'validation.tooLong'),
  phone: z
    .string()
    .trim()
    .min(1, 'validation.phoneRequired')
    .max(30, 'validation.phoneFormat')
    .regex(/^\+?[0-9][0-9 ()-]{8,}$/, 'validation.phoneFormat')
    .refine((v) => v.replace(/\D/g, '').length >= 10 && v.replace(/\D/g, '').length <= 13, 'validation.phoneFormat'),
  secureEmail: z.string().trim().toLowerCase().min(1, 'validation.secureEmailRequired').email('validation.emailFormat').max(320, 'validation.tooLong'),
});
export type AgencyContactForm = z.infer<typeof agencyContactSchema>;

export const agreementFormSchema = z.object({
  recipientPartnershipId: z.string().uuid('validation.partnershipRequired'),
  purpose: z.string().trim().min(5, 'validation.purposeRequired').max(2000, 'validation.tooLong'),
  lawfulBasis: z.string().trim().min(5, 'validation.lawfulBasisRequired').max(2000, 'validation.tooLong'),
  startsOn: dateInput('dates.admin.sharingStarts'),
  endsOn: optionalDateInput('dates.admin.sharingEnds'),
});
export type AgreementForm = z.infer<typeof agreementFormSchema>;

export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });

export const grantFormSchema = z.object({
  email: z.string().trim().toLowerCase().email('validation.emailFormat').max(320, 'validation.tooLong'),
  roles: roleList,
});
export type GrantForm = z.infer<typeof grantFormSchema>;

/** A partnership's languages (issue 11): Welsh offered or not, and the default; Welsh is the default only where it is offered. */
export const languageSettingsSchema = z
  .object({
    offersWelsh: z.enum(['yes', 'no'], 'validation.offersWelshRequired'),
    defaultLanguage: z.enum(['en', 'cy'], 'validation.languageRequired'),
  })
  .refine((form) => form.offersWelsh === 'yes' || form.defaultLanguage === 'en', { path: ['defaultLanguage'], message: 'validation.welshDefaultNotOffered' });
export type LanguageSettingsForm = z.infer<typeof languageSettingsSchema>;

/** One of a person's sessions, as their administration page names it (a hash of its id, never the id). */
export const personSessionParams = z.object({ id: z.uuid(), session: z.string().regex(/^[0-9a-f]{24}$/) });
