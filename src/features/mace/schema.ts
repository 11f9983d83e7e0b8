import { z } from 'zod';
import { dateInput } from '../../web/form-fields.ts';
import { documentLanguage, uuid } from '../../web/params.ts';
import { optionalText, optionalUuid, text } from '../children/schema.ts';

/** The VOLT sections of a MACE agenda, in the order it is read: Victims, Offenders, Locations, Themes. */
export const voltSections = ['victims', 'offenders', 'locations', 'themes'] as const;
export type VoltSection = (typeof voltSections)[number];

/** Why an item is on the agenda (migration 0320): the VOLT rules' reasons (volt.ts), or the chair's. */
export const itemReasons = [
  'high_risk',
  'newly_escalated',
  'linked_children',
  'newly_identified',
  'repeated_found_at',
  'chair_added',
  'cross_boundary',
] as const;
export type ItemReason = (typeof itemReasons)[number];

/** What a MACE meeting may decide, in the order the form lists them. */
export const decisionKinds = [
  'refer_to_licensing',
  'child_abduction_warning_notice',
  'sexual_risk_order',
  'closure_order',
  'hotel_information_request',
  'police_investigation',
  'no_further_action',
  'other',
] as const;
export type DecisionKind = (typeof decisionKinds)[number];

export const actionStatuses = ['open', 'in_progress', 'done'] as const;
export type ActionStatus = (typeof actionStatuses)[number];

export const packFormats = ['docx', 'pdf'] as const;
export type PackFormat = (typeof packFormats)[number];

const requiredChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.enum(values, { message }));

/** Ticked boxes of a checkbox group of ids: none, one (a string) or several. */
const tickedIds = z.preprocess((v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(uuid).max(50));

/** A new meeting: its title, the day it is held and where. */
export const meetingFormSchema = z.object({
  title: text(200, 'mace.errors.title'),
  heldOn: dateInput('mace.dates.heldOn'),
  venue: optionalText(200),
});
export type MeetingForm = z.output<typeof meetingFormSchema>;

/** An item the chair adds: a child (by reference), a person of concern or a place (picked), or a theme; always with a reason. */
export const itemFormSchema = z
  .object({
    section: requiredChoice(voltSections, 'mace.errors.section'),
    childReference: z
      .preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : ''), z.string().max(30, 'validation.tooLong'))
      .transform((v) => v || null),
    personId: optionalUuid,
    locationId: optionalUuid,
    theme: optionalText(300),
    reason: text(1000, 'mace.errors.reason'),
    restrictedTo: tickedIds,
  })
  .superRefine((v, ctx) => {
    const field = { victims: 'childReference', offenders: 'personId', locations: 'locationId', themes: 'theme' }[v.section];
    const missing = { victims: !v.childReference, offenders: !v.personId, locations: !v.locationId, themes: !v.theme }[v.section];
    if (missing) ctx.addIssue({ code: 'custom', path: [field], message: `mace.errors.target.${v.section}` });
  })
  .transform((v) => ({
    section: v.section,
    target:
      v.section === 'victims'
        ? { kind: 'child' as const, reference: v.childReference! }
        : v.section === 'offenders'
          ? { kind: 'person' as const, id: v.personId! }
          : v.section === 'locations'
            ? { kind: 'location' as const, id: v.locationId! }
            : { kind: 'theme' as const, theme: v.theme! },
    reason: v.reason,
    restrictedTo: v.restrictedTo,
  }));
export type ItemForm = z.output<typeof itemFormSchema>;

/** The add-item form's part of the agenda (`?section=`, not personal): a malformed value asks for the section again. */
export const itemSectionQuery = z.object({ section: z.enum(voltSections).optional().catch(undefined) });

/** The add-item form's search (posted, so no name is in an address): persons of concern for offenders, places for locations. */
export const itemSearchFormSchema = z.object({
  section: z.enum(['offenders', 'locations']),
  q: text(100, 'mace.errors.searchTerm'),
});
export type ItemSearchForm = z.output<typeof itemSearchFormSchema>;

/** Removing an item: the reason is required. */
export const removeFormSchema = z.object({ reason: text(1000, 'mace.errors.removeReason') });

/** An item's minutes, and the agencies it is restricted to (none: every agency). */
export const minutesFormSchema = z.object({ minutes: text(10000, 'mace.errors.minutes'), restrictedTo: tickedIds });
export type MinutesForm = z.output<typeof minutesFormSchema>;

/** An action set at the meeting: what, which agency owns it, when it is due. */
export const actionFormSchema = z.object({
  description: text(1000, 'mace.errors.description'),
  ownerAgencyId: z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.uuid({ message: 'mace.errors.owner' })),
  dueOn: dateInput('mace.dates.dueOn'),
});
export type ActionForm = z.output<typeof actionFormSchema>;

/** An action's new status; `from` says which page to go back to (the worklist or the meeting). */
export const actionStatusFormSchema = z.object({
  status: requiredChoice(actionStatuses, 'mace.errors.status'),
  from: z.enum(['worklist', 'meeting']).optional(),
});

/** A decision: its kind, and a note (required for "other"). */
export const decisionFormSchema = z
  .object({ kind: requiredChoice(decisionKinds, 'mace.errors.decisionKind'), note: optionalText(2000) })
  .superRefine((v, ctx) => {
    if (v.kind === 'other' && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'mace.errors.decisionNote' });
  });
export type DecisionForm = z.output<typeof decisionFormSchema>;

/** A meeting pack's download: the recipient agency (whose restrictions apply) and the language. */
export const packParams = z.object({ id: uuid, format: z.enum(packFormats) });
export const packQuery = z.object({ agency: uuid, language: documentLanguage });

/** The meeting page's place in its agenda: which section's page (a malformed value shows the first page). */
export const meetingQuery = z.object({
  section: z.enum(voltSections).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100000).catch(1).default(1),
});

export const itemParams = z.object({ id: uuid, itemId: uuid });
export const actionParams = z.object({ maceActionId: uuid });
