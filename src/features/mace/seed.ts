import { sql } from 'kysely';
import { addDays, londonDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';
import { buildAgenda } from './volt.ts';

/**
 * Demo MACE meetings (synthetic, issue 12 §4): in each partnership a meeting held three weeks ago, its
 * VOLT agenda built by the same rules as the page, a theme the chair added, minutes, an action for the
 * police (in progress) and one for the school (open, so it shows in the school's worklist), a decision
 * to refer the takeaway to licensing and an item restricted to the police; and a meeting in two weeks
 * whose agenda is not built yet. Runs after the intelligence seed, whose people and places it puts on
 * the agenda; draws nothing from the faker.
 */
export async function seedMace(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  const today = londonDate(new Date());
  for (const [code, p] of Object.entries(partnerships)) {
    const northmere = code === 'northmere';
    const place = northmere ? 'Northmere' : 'Westbrook';
    const chairId = p.users.coordinator ?? null;
    const chairName = chairId
      ? ((await tx.selectFrom('users').select('display_name').where('id', '=', chairId).executeTakeFirst())?.display_name ?? null)
      : null;
    const byline = { partnership_id: p.id, created_by: chairId, created_by_name: chairName };
    const police = p.agencies.police!;
    const school = p.agencies.education ?? police;

    const [past, upcoming] = await tx
      .insertInto('mace_meetings')
      .values([
        {
          ...byline,
          title: `${place} MACE (part 1)`,
          held_on: addDays(today, -21),
          venue: `${place} Police Station, meeting room 2`,
          chair_user_id: chairId,
          chair_name: chairName,
        },
        {
          ...byline,
          title: `${place} MACE (part 1)`,
          held_on: addDays(today, 14),
          venue: `${place} Civic Centre`,
          chair_user_id: chairId,
          chair_name: chairName,
        },
      ])
      .returning(['id', 'held_on'])
      .execute();
    if (!past || !upcoming) continue;
    if (northmere) await linkNorthmere(tx, p.id, byline, today);
    if (chairId) await buildAgenda(tx, { id: past.id, partnershipId: p.id, heldOn: past.held_on }, { userId: chairId, name: chairName ?? '' });
    await tx.updateTable('mace_meetings').set({ agenda_built_at: new Date() }).where('id', '=', past.id).execute();

    const theme = await tx
      .insertInto('mace_agenda_items')
      .values({
        ...byline,
        meeting_id: past.id,
        section: 'themes',
        theme: northmere ? 'Children taken to hotels near the ring road' : 'Older boys recruiting through a gaming platform',
        reasons: ['chair_added'],
        chair_reason: 'Raised by two agencies since the last meeting',
        minutes: 'Police to visit the hotels with the licensing officer; education to brief designated safeguarding leads.',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const items = await tx.selectFrom('mace_agenda_items').select(['id', 'section']).where('meeting_id', '=', past.id).orderBy('id').execute();
    const offender = items.find((i) => i.section === 'offenders');
    const location = items.find((i) => i.section === 'locations');
    const victim = items.find((i) => i.section === 'victims');
    if (victim)
      await tx
        .updateTable('mace_agenda_items')
        .set({ minutes: 'Risk remains high. Missing twice this month; the return interviews name the same older man.', minutes_by_name: chairName })
        .where('id', '=', victim.id)
        .execute();
    if (offender)
      await tx
        .updateTable('mace_agenda_items')
        .set({ minutes: 'Police have a named suspect; details shared with the police only.', restricted_to_agency_ids: [police] })
        .where('id', '=', offender.id)
        .execute();

    await tx
      .insertInto('mace_actions')
      .values([
        {
          ...byline,
          meeting_id: past.id,
          item_id: offender?.id ?? theme.id,
          description: 'Consider a Child Abduction Warning Notice',
          owner_agency_id: police,
          due_on: addDays(today, 7),
          status: 'in_progress',
        },
        {
          ...byline,
          meeting_id: past.id,
          item_id: theme.id,
          description: 'Brief designated safeguarding leads on the hotels theme',
          owner_agency_id: school,
          due_on: addDays(today, 10),
          status: 'open',
        },
      ])
      .execute();
    await tx
      .insertInto('mace_decisions')
      .values([
        {
          ...byline,
          meeting_id: past.id,
          item_id: location?.id ?? theme.id,
          kind: 'refer_to_licensing',
          note: 'Refer the premises to the council’s licensing team',
        },
        { ...byline, meeting_id: past.id, item_id: theme.id, kind: 'hotel_information_request', note: null },
      ])
      .execute();
  }
}

/**
 * Two more sightings in Northmere, so the demo's agenda shows each VOLT rule: NM-1005 seen with "Dean"
 * (linked now to two children) and NM-1007 found at the Ferry Road takeaway (two children, found there twice).
 */
async function linkNorthmere(tx: Tx, partnershipId: string, byline: { created_by: string | null; created_by_name: string | null }, today: string) {
  const children = await tx
    .selectFrom('children')
    .select(['id', 'reference'])
    .where('partnership_id', '=', partnershipId)
    .where('reference', 'in', ['NM-1005', 'NM-1007'])
    .execute();
  const child = (reference: string) => children.find((c) => c.reference === reference)?.id;
  const dean = await tx
    .selectFrom('persons_of_concern')
    .select('id')
    .where('partnership_id', '=', partnershipId)
    .where(sql<boolean>`'Dean' = ANY (aliases)`)
    .executeTakeFirst();
  const takeaway = await tx
    .selectFrom('intel_locations')
    .select('id')
    .where('partnership_id', '=', partnershipId)
    .where('name', '=', 'Ferry Road Grill')
    .executeTakeFirst();
  const seen = child('NM-1005');
  const found = child('NM-1007');
  const links = [
    ...(seen && dean
      ? [
          {
            from_kind: 'child',
            from_id: seen,
            to_kind: 'person',
            to_id: dean.id,
            relation: 'seen_with',
            source: 'The child’s account after going missing',
            confidence: 'medium',
          },
        ]
      : []),
    ...(found && takeaway
      ? [
          {
            from_kind: 'child',
            from_id: found,
            to_kind: 'location',
            to_id: takeaway.id,
            relation: 'found_at',
            source: 'Missing episode: found by patrol',
            confidence: 'high',
          },
        ]
      : []),
  ];
  if (links.length > 0)
    await tx
      .insertInto('intel_links')
      .values(links.map((l) => ({ ...l, ...byline, partnership_id: partnershipId, first_seen_on: addDays(today, -12) })))
      .execute();
}
