import { z } from 'zod';
import { isoDateField, json, oneOf, optionalText, requiredText } from '../../../web/api/schema.ts';
import { actionStatuses, decisionKinds, itemReasons, voltSections } from '../schema.ts';

/**
 * The MACE API's schemas (issue 12 §4). A new meeting becomes what the web form gives the same service
 * (MeetingForm); the agenda is built by the same set-based rules (volt.ts). Dates are ISO.
 */

export const newMeeting = z.object({
  title: requiredText(200),
  held_on: isoDateField.meta({ description: 'The day the meeting is held (ISO date).' }),
  venue: optionalText(200),
});

const meetingSummary = z.object({
  id: z.uuid(),
  title: z.string(),
  held_on: z.string(),
  venue: z.string().nullable(),
  chair_name: z.string().nullable(),
  agenda_built_at: z.date().nullable(),
});

const item = z.object({
  id: z.uuid(),
  section: oneOf(voltSections),
  entity_kind: z.string().nullable().meta({ description: 'child, person or location; null for a theme.' }),
  entity_id: z.uuid().nullable().meta({ description: 'Null for a theme, and for a child the token may not see.' }),
  label: z
    .string()
    .nullable()
    .meta({ description: 'The child’s name and reference, the person’s name or nicknames, the place, or the theme; null for a child the token may not see.' }),
  reasons: z.array(oneOf(itemReasons)),
  linked_children: z.number().int().nullable(),
  found_at_links: z.number().int().nullable(),
  restricted_to_agency_ids: z.array(z.uuid()).meta({ description: 'Empty: every agency; otherwise only these agencies see the item.' }),
  minutes: z.string().nullable(),
  removed: z.boolean(),
  removed_reason: z.string().nullable(),
});

const action = z.object({
  id: z.uuid(),
  item_id: z.uuid().nullable(),
  description: z.string(),
  owner_agency_id: z.uuid(),
  owner_agency: z.string(),
  due_on: z.string(),
  status: oneOf(actionStatuses),
});

const decision = z.object({ id: z.uuid(), item_id: z.uuid().nullable(), kind: oneOf(decisionKinds), note: z.string().nullable(), created_at: z.date() });

export const responses = {
  meetings: json('MACE meetings, newest first (at most 200)', z.object({ meetings: z.array(meetingSummary) })),
  meeting: json(
    'A MACE meeting with its agenda (by VOLT section), actions and decisions, as the token may see them',
    meetingSummary.extend({ items: z.array(item), actions: z.array(action), decisions: z.array(decision) }),
  ),
  built: json(
    'What building the agenda added, and the cut-off for “newly escalated” and “newly identified”',
    z.object({ victims: z.number().int(), offenders: z.number().int(), locations: z.number().int(), cut_off: z.string() }),
  ),
  created: json('Created', z.object({ id: z.uuid() })),
};
