import { z } from 'zod';
import { datePartNames, readDateInput, type IsoDate } from '../../dates.ts';
import { optionalText, optionalUuid, text } from './schema.ts';

/** The kinds of flag a child can carry (migration 0130), in the order the pages list them. */
export const flagKinds = [
  'looked_after',
  'child_protection_plan',
  'child_in_need',
  'missing_education',
  'elective_home_education',
  'youth_justice',
  'substance_misuse',
  'sexual_health',
  'trafficking_nrm',
  'send',
] as const;
export type FlagKind = (typeof flagKinds)[number];

/** What the National Referral Mechanism decided, if known. */
export const nrmDecisions = [
  'awaiting',
  'reasonable_grounds_positive',
  'reasonable_grounds_negative',
  'conclusive_grounds_positive',
  'conclusive_grounds_negative',
] as const;

const checkbox = z.preprocess((v): unknown => (Array.isArray(v) ? v.at(-1) : v), z.string().optional()).transform((v) => v === 'yes');
const part = z.preprocess((v) => v ?? '', z.string().max(10, 'validation.tooLong'));

/** The three boxes of a GOV.UK date input named `${name}-day`, `-month`, `-year`. */
const dateParts = (name: string) => ({ [`${name}-day`]: part, [`${name}-month`]: part, [`${name}-year`]: part });

/**
 * Reads a GOV.UK date input out of the posted fields (readDateInput): empty → null (or the required
 * message), not a real date → the invalid message, both on the field `name` (the error summary links to its day box).
 */
function readDate(fields: Record<string, unknown>, name: string, ctx: z.RefinementCtx, messages: { required?: string; invalid: string }): IsoDate | null {
  const read = readDateInput(Object.fromEntries(datePartNames.map((part) => [part, fields[`${name}-${part}`]])));
  if (read.ok) return read.date;
  const message = read.problem === 'required' ? messages.required : messages.invalid;
  if (message) ctx.addIssue({ code: 'custom', message, path: [name] });
  return null;
}

function required(value: string, field: string, message: string, ctx: z.RefinementCtx): string {
  if (!value) ctx.addIssue({ code: 'custom', message, path: [field] });
  return value;
}

const detailFields = {
  // Required, but checked with the dates (below) so that every missing answer is listed at once.
  source: text(300),
  sourceAgencyId: optionalUuid,
  note: optionalText(2000),
  placingAuthority: optionalText(200),
  placedHereByOtherAuthority: checkbox,
  placedOutOfArea: checkbox,
  nrmDecision: z
    .string()
    .optional()
    .default('')
    .transform((v) => v || null)
    .pipe(z.enum(nrmDecisions).nullable()),
  ...dateParts('startDate'),
  ...dateParts('nrmReferredOn'),
};

const details = <T extends Record<string, unknown>>(v: T, ctx: z.RefinementCtx) => ({
  startedOn: readDate(v, 'startDate', ctx, { required: 'children.childFlags.errors.startRequired', invalid: 'children.childFlags.errors.startInvalid' }),
  source: required(v.source as string, 'source', 'children.childFlags.errors.sourceRequired', ctx),
  sourceAgencyId: v.sourceAgencyId as string | null,
  note: v.note as string | null,
  placingAuthority: v.placingAuthority as string | null,
  placedHereByOtherAuthority: v.placedHereByOtherAuthority as boolean,
  placedOutOfArea: v.placedOutOfArea as boolean,
  nrmDecision: v.nrmDecision as (typeof nrmDecisions)[number] | null,
  nrmReferredOn: readDate(v, 'nrmReferredOn', ctx, { invalid: 'children.childFlags.errors.nrmDateInvalid' }),
});

/** Adding a flag: its kind, when it started, where the information came from. */
export const addFlagSchema = z.object({ kind: z.preprocess((v) => v ?? '', z.string().max(50, 'validation.tooLong')), ...detailFields }).transform((v, ctx) => {
  const kind = flagKinds.find((k) => k === v.kind);
  if (!kind) ctx.addIssue({ code: 'custom', message: 'children.childFlags.errors.kindRequired', path: ['kind'] });
  return { kind: kind!, ...details(v, ctx) };
});
export type AddFlagForm = z.output<typeof addFlagSchema>;

/** Correcting a flag: the same details, the end date if it has ended, and why it is corrected. */
export const correctFlagSchema = z
  .object({ ...detailFields, ...dateParts('endDate'), reason: text(500, 'children.childFlags.errors.reasonRequired') })
  .transform((v, ctx) => ({
    ...details(v, ctx),
    endedOn: readDate(v, 'endDate', ctx, { invalid: 'children.childFlags.errors.endInvalid' }),
    reason: v.reason,
  }));
export type CorrectFlagForm = z.output<typeof correctFlagSchema>;

/** Ending a flag: the day it ended, and optionally why. */
export const endFlagSchema = z.object({ ...dateParts('endDate'), reason: optionalText(500) }).transform((v, ctx) => ({
  endedOn: readDate(v, 'endDate', ctx, { required: 'children.childFlags.errors.endRequired', invalid: 'children.childFlags.errors.endInvalid' }),
  reason: v.reason,
}));
export type EndFlagForm = z.output<typeof endFlagSchema>;
