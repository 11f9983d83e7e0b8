import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { addDays, endOfLondonDay } from '../../dates.ts';

/**
 * The VOLT rules of a MACE agenda (issue 12 §4), each one set-based INSERT … SELECT, so a cohort of
 * 200,000 children is read once per rule and never child by child:
 *
 *   Victims    open children whose current risk level (children.current_risk_level, the one truth kept
 *              by lantern_child_risk, migration 0170) is high — "high_risk" — and those newly escalated:
 *              a medium or high level set since the cut-off — "newly_escalated" (docs/DECISIONS.md 34);
 *   Offenders  persons of concern linked to two or more children — "linked_children" — or recorded since
 *              the cut-off — "newly_identified" — or shared across the boundary now, by this partnership or
 *              with it (issue 12 §6) — "cross_boundary"; not those deceased, with no further action or removed;
 *   Locations  places linked to two or more children — "linked_children" — or where children were found
 *              two or more times (found_at links: repeated missing-from locations) — "repeated_found_at"; not removed;
 *   Themes     chosen by the chair (never built).
 *
 * The cut-off is the partnership's previous MACE meeting before this one, or 28 days before it when
 * there is none. Each rule names the meeting's partnership as well as relying on row-level security, so
 * the demo seed (as the owner) builds the same agenda. An entity already on the agenda (added before, or removed by the chair) is left as it
 * is: building again only adds what is new. Runs as the chair, so row-level security decides what the
 * rules read (a restricted child is not put on an agenda).
 */
export const firstCutOffDays = 28;

export interface AgendaBuild {
  victims: number;
  offenders: number;
  locations: number;
  cutOff: string;
}

/** The day after which a child's escalation or a person's recording counts as new for this meeting. */
export async function cutOffFor(tx: Tx, meeting: { id: string; partnershipId: string; heldOn: string }): Promise<string> {
  const { id: meetingId, heldOn } = meeting;
  const previous = await tx
    .selectFrom('mace_meetings')
    .select('held_on')
    .where('partnership_id', '=', meeting.partnershipId)
    .where('held_on', '<', heldOn)
    .where('id', '<>', meetingId)
    .orderBy('held_on', 'desc')
    .limit(1)
    .executeTakeFirst();
  return previous?.held_on ?? addDays(heldOn, -firstCutOffDays);
}

export async function buildAgenda(
  tx: Tx,
  meeting: { id: string; partnershipId: string; heldOn: string },
  by: { userId: string; name: string },
): Promise<AgendaBuild> {
  const cutOff = await cutOffFor(tx, meeting);
  const byline = sql`${meeting.partnershipId}::uuid, ${meeting.id}::uuid, ${by.userId}::uuid, ${by.name}::text`;
  // Recorded after the cut-off day, London time.
  const newSince = endOfLondonDay(cutOff);
  const conflict = sql`ON CONFLICT (meeting_id, entity_id) WHERE entity_id IS NOT NULL DO NOTHING`;
  // What is on the agenda already is skipped by an anti-join (one hash of the agenda) before it is
  // tried; ON CONFLICT stays for a build running beside another.
  // Each section's new items are numbered after those already there (migration 0371).
  const after = (section: string) =>
    sql`coalesce((SELECT max(o.position) FROM mace_agenda_items o WHERE o.meeting_id = ${meeting.id}::uuid AND o.section = ${section}), 0)`;
  const personOrder = sql`lower(coalesce(nullif(concat_ws(' ', p.family_name, p.given_name), ''), array_to_string(p.aliases, ', ')))`;
  const absent = (column: string) =>
    sql`NOT EXISTS (SELECT 1 FROM mace_agenda_items o WHERE o.meeting_id = ${meeting.id}::uuid AND o.entity_id = ${sql.ref(column)})`;

  const victims = await sql`
    INSERT INTO mace_agenda_items (partnership_id, meeting_id, created_by, created_by_name, section, entity_kind, entity_id, reasons, position)
    SELECT ${byline}, 'victims', 'child', c.id,
           array_remove(ARRAY[CASE WHEN c.current_risk_level = 'high' THEN 'high_risk' END,
                              CASE WHEN c.current_risk_on > ${cutOff}::date THEN 'newly_escalated' END], NULL),
           ${after('victims')} + row_number() OVER (ORDER BY c.current_risk_level = 'high' DESC, c.family_name, c.given_name, c.id)
      FROM children c
     WHERE c.partnership_id = ${meeting.partnershipId} AND c.status = 'open'
       AND (c.current_risk_level = 'high' OR (c.current_risk_level = 'medium' AND c.current_risk_on > ${cutOff}::date))
       AND ${absent('c.id')}
    ${conflict}`.execute(tx);

  // Persons of concern shared across the boundary now (intel_shares, migration 0340), by this
  // partnership or with it: on both partnerships' agendas (issue 12 §6).
  const shared = sql`SELECT DISTINCT s.entity_id AS person_id FROM intel_shares s
       WHERE s.entity_kind = 'person' AND s.withdrawn_at IS NULL
         AND (s.partnership_id = ${meeting.partnershipId} OR s.shared_with_partnership_id = ${meeting.partnershipId})
         AND lantern_intel_shared_with('person', s.entity_id, s.shared_with_partnership_id)`;

  // A link between a person and a child may be written either way round.
  const offenders = await sql`
    WITH linked AS (
      SELECT CASE WHEN l.from_kind = 'person' THEN l.from_id ELSE l.to_id END AS person_id,
             count(DISTINCT CASE WHEN l.from_kind = 'child' THEN l.from_id ELSE l.to_id END)::int AS children
        FROM intel_links l
       WHERE l.partnership_id = ${meeting.partnershipId}
         AND ((l.from_kind = 'person' AND l.to_kind = 'child') OR (l.from_kind = 'child' AND l.to_kind = 'person'))
       GROUP BY 1),
    shared AS (${shared})
    INSERT INTO mace_agenda_items (partnership_id, meeting_id, created_by, created_by_name, section, entity_kind, entity_id, reasons, linked_children, position)
    SELECT ${byline}, 'offenders', 'person', p.id,
           array_remove(ARRAY[CASE WHEN coalesce(k.children, 0) >= 2 THEN 'linked_children' END,
                              CASE WHEN p.created_at >= ${newSince} THEN 'newly_identified' END,
                              CASE WHEN x.person_id IS NOT NULL THEN 'cross_boundary' END], NULL),
           coalesce(k.children, 0),
           ${after('offenders')} + row_number() OVER (ORDER BY coalesce(k.children, 0) DESC, ${personOrder}, p.id)
      FROM persons_of_concern p LEFT JOIN linked k ON k.person_id = p.id LEFT JOIN shared x ON x.person_id = p.id
     WHERE p.partnership_id = ${meeting.partnershipId} AND p.status NOT IN ('deceased', 'no_further_action') AND p.removed_at IS NULL
       AND (coalesce(k.children, 0) >= 2 OR p.created_at >= ${newSince} OR x.person_id IS NOT NULL)
       AND ${absent('p.id')}
    ${conflict}`.execute(tx);

  // A neighbour's person shared with this partnership: its links are the neighbour's, so only the reason.
  const neighbours = await sql`
    WITH shared AS (${shared})
    INSERT INTO mace_agenda_items (partnership_id, meeting_id, created_by, created_by_name, section, entity_kind, entity_id, reasons, position)
    SELECT ${byline}, 'offenders', 'person', p.id, ARRAY['cross_boundary'],
           ${after('offenders')} + row_number() OVER (ORDER BY ${personOrder}, p.id)
      FROM shared x JOIN persons_of_concern p ON p.id = x.person_id
     WHERE p.partnership_id <> ${meeting.partnershipId} AND p.status NOT IN ('deceased', 'no_further_action') AND p.removed_at IS NULL
       AND ${absent('p.id')}
    ${conflict}`.execute(tx);

  const locations = await sql`
    WITH linked AS (
      SELECT CASE WHEN l.from_kind = 'location' THEN l.from_id ELSE l.to_id END AS location_id,
             count(DISTINCT CASE WHEN l.from_kind = 'child' THEN l.from_id ELSE l.to_id END)::int AS children,
             count(*) FILTER (WHERE l.relation = 'found_at')::int AS found_at
        FROM intel_links l
       WHERE l.partnership_id = ${meeting.partnershipId}
         AND ((l.from_kind = 'location' AND l.to_kind = 'child') OR (l.from_kind = 'child' AND l.to_kind = 'location'))
       GROUP BY 1)
    INSERT INTO mace_agenda_items (partnership_id, meeting_id, created_by, created_by_name, section, entity_kind, entity_id, reasons, linked_children, found_at_links, position)
    SELECT ${byline}, 'locations', 'location', k.location_id,
           array_remove(ARRAY[CASE WHEN k.children >= 2 THEN 'linked_children' END, CASE WHEN k.found_at >= 2 THEN 'repeated_found_at' END], NULL),
           k.children, k.found_at,
           ${after('locations')} + row_number() OVER (ORDER BY k.children DESC, k.found_at DESC, x.name, k.location_id)
      FROM linked k JOIN intel_locations x ON x.id = k.location_id
     WHERE (k.children >= 2 OR k.found_at >= 2) AND x.removed_at IS NULL
       AND ${absent('k.location_id')}
    ${conflict}`.execute(tx);

  return {
    victims: Number(victims.numAffectedRows ?? 0n),
    offenders: Number(offenders.numAffectedRows ?? 0n) + Number(neighbours.numAffectedRows ?? 0n),
    locations: Number(locations.numAffectedRows ?? 0n),
    cutOff,
  };
}
