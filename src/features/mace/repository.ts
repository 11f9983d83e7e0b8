import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { AgendaItem, MaceAction, MaceDecision } from './pack.ts';
import type { ActionStatus, DecisionKind, ItemReason, VoltSection } from './schema.ts';

/** The partnership's meetings, the next first and then the past newest first, with their agenda's size. */
export async function meetingList(tx: Tx, today: string) {
  const rows = await tx
    .selectFrom('mace_meetings as m')
    .select(['m.id', 'm.title', 'm.held_on', 'm.venue', 'm.chair_name', 'm.agenda_built_at'])
    .select((eb) => [
      eb
        .selectFrom('mace_agenda_items as i')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('i.meeting_id', '=', 'm.id')
        .where('i.removed_at', 'is', null)
        .as('items'),
      eb
        .selectFrom('mace_actions as a')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('a.meeting_id', '=', 'm.id')
        .where('a.status', '<>', 'done')
        .as('openActions'),
    ])
    .orderBy('m.held_on', 'desc')
    .limit(200)
    .execute();
  return {
    upcoming: rows.filter((r) => r.held_on >= today).reverse(),
    past: rows.filter((r) => r.held_on < today),
  };
}

export function meetingRow(tx: Tx, id: string) {
  return tx
    .selectFrom('mace_meetings')
    .select(['id', 'partnership_id', 'title', 'held_on', 'venue', 'chair_name', 'agenda_built_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** One page of an agenda: a section's items still on it (or those removed), from an offset. */
export interface AgendaWindow {
  section?: VoltSection;
  removed: boolean;
  offset: number;
  limit: number;
}

/** How many items each VOLT section holds (still on the agenda), and how many the chair removed. */
export async function agendaCounts(tx: Tx, meetingId: string): Promise<{ sections: Record<VoltSection, number>; removed: number }> {
  const rows = await tx
    .selectFrom('mace_agenda_items')
    .select(['section', sql<boolean>`removed_at IS NOT NULL`.as('removed'), sql<number>`count(*)::int`.as('n')])
    .where('meeting_id', '=', meetingId)
    .groupBy(['section', sql`removed_at IS NOT NULL`])
    .execute();
  const sections: Record<VoltSection, number> = { victims: 0, offenders: 0, locations: 0, themes: 0 };
  let removed = 0;
  for (const r of rows) {
    if (r.removed) removed += r.n;
    else sections[r.section as VoltSection] = r.n;
  }
  return { sections, removed };
}

/** A person of concern's name as the pages show it: the name, else the nicknames. */
const personLabel = sql<string>`coalesce(nullif(concat_ws(' ', p.given_name, p.family_name), ''), array_to_string(p.aliases, ', '))`;

/**
 * A meeting's agenda items (all of them, or one), each with the label of its child, person or place
 * as the reader may see it (a child the reader may not see has none), in VOLT order.
 */
export async function agendaItems(tx: Tx, meetingId: string, itemId?: string, window?: AgendaWindow): Promise<AgendaItem[]> {
  let q = tx
    .selectFrom('mace_agenda_items as i')
    .leftJoin('children as c', (j) => j.onRef('c.id', '=', 'i.entity_id').on('i.entity_kind', '=', 'child'))
    .leftJoin('persons_of_concern as p', (j) => j.onRef('p.id', '=', 'i.entity_id').on('i.entity_kind', '=', 'person'))
    .leftJoin('intel_locations as l', (j) => j.onRef('l.id', '=', 'i.entity_id').on('i.entity_kind', '=', 'location'))
    .select([
      'i.id',
      'i.section',
      'i.entity_kind',
      'i.entity_id',
      'i.theme',
      'i.reasons',
      'i.linked_children',
      'i.found_at_links',
      'i.chair_reason',
      'i.restricted_to_agency_ids',
      'i.minutes',
      'i.removed_at',
      'i.removed_reason',
      'i.removed_by_name',
      'c.current_risk_level',
      sql<string | null>`CASE i.entity_kind
        WHEN 'child' THEN CASE WHEN c.id IS NULL THEN NULL ELSE c.given_name || ' ' || c.family_name || ' (' || c.reference || ')' END
        WHEN 'person' THEN ${personLabel}
        WHEN 'location' THEN l.name
        ELSE i.theme END`.as('label'),
    ])
    .where('i.meeting_id', '=', meetingId);
  if (itemId) q = q.where('i.id', '=', itemId);
  if (window) {
    // The page's items first, from the agenda alone (the position index), then their labels: the
    // children policies are asked about the fifty shown, not the whole section.
    let page = tx
      .selectFrom('mace_agenda_items')
      .select('id')
      .where('meeting_id', '=', meetingId)
      .where('removed_at', window.removed ? 'is not' : 'is', null);
    if (window.section) page = page.where('section', '=', window.section);
    const ids = (
      await page
        .orderBy(sql`position NULLS FIRST`)
        .orderBy('id')
        .limit(window.limit)
        .offset(window.offset)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return [];
    q = q.where('i.id', 'in', ids);
  }
  // In the order the build numbered them (migration 0371), the chair's own additions first; a page of
  // one section reads only its fifty items (the index on meeting, section, removed, position).
  if (window) q = q.orderBy(sql`i.position NULLS FIRST`).orderBy('i.id');
  else
    q = q
      .orderBy(sql`array_position(ARRAY['victims', 'offenders', 'locations', 'themes'], i.section)`)
      .orderBy(sql`i.removed_at IS NOT NULL`)
      .orderBy(sql`i.position NULLS FIRST`)
      .orderBy('label')
      .orderBy('i.id');
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    section: r.section as VoltSection,
    entityKind: r.entity_kind as AgendaItem['entityKind'],
    entityId: r.entity_id,
    label: r.label,
    reasons: r.reasons as ItemReason[],
    linkedChildren: r.linked_children,
    foundAtLinks: r.found_at_links,
    riskLevel: r.current_risk_level,
    chairReason: r.chair_reason,
    restrictedTo: r.restricted_to_agency_ids,
    minutes: r.minutes,
    removedAt: r.removed_at,
    removedReason: r.removed_reason,
    removedByName: r.removed_by_name,
  }));
}

export async function meetingActions(tx: Tx, meetingId: string, itemId?: string): Promise<MaceAction[]> {
  let q = tx
    .selectFrom('mace_actions as a')
    .innerJoin('agencies as g', 'g.id', 'a.owner_agency_id')
    .select(['a.id', 'a.item_id', 'a.description', 'a.owner_agency_id', 'g.name as owner', 'a.due_on', 'a.status'])
    .where('a.meeting_id', '=', meetingId);
  if (itemId) q = q.where('a.item_id', '=', itemId);
  const rows = await q.orderBy('a.due_on').orderBy('a.id').execute();
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    description: r.description,
    ownerAgencyId: r.owner_agency_id,
    ownerAgency: r.owner,
    dueOn: r.due_on,
    status: r.status as ActionStatus,
  }));
}

export async function meetingDecisions(tx: Tx, meetingId: string, itemId?: string): Promise<MaceDecision[]> {
  let q = tx.selectFrom('mace_decisions').select(['id', 'item_id', 'kind', 'note', 'created_at']).where('meeting_id', '=', meetingId);
  if (itemId) q = q.where('item_id', '=', itemId);
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, itemId: r.item_id, kind: r.kind as DecisionKind, note: r.note, createdAt: r.created_at }));
}

/** The children and persons of concern an agenda names: what a read of it discloses. */
export const disclosedBy = (items: readonly AgendaItem[]): string[] =>
  items.flatMap((i) => (i.entityId && i.label !== null && i.entityKind !== 'location' ? [i.entityId] : []));
