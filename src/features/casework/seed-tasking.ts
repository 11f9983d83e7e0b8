import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';
import { addDays, addHours } from '../../dates.ts';
import { seedPlanActions } from './seed.ts';

// The same fixed day as the casework seed, so the demo and the tests (clock on 2 November 2026) agree.
const ANCHOR = new Date('2026-11-01T09:00:00Z');
const ANCHOR_DAY = '2026-11-01';
const dateFromAnchor = (days: number) => addDays(ANCHOR_DAY, days);

/**
 * Named contacts for every agency (seed 004: "a named contact for each partnership agency"). Plainly
 * made-up people, example.org addresses and 01632 960xxx numbers (Ofcom's range for drama). No
 * faker here: a seed that drew from it would change every later seed's synthetic people.
 */
const contacts: Record<string, { name: string; role: string }> = {
  partnership: { name: 'Morgan Fictional', role: 'Partnership business manager' },
  childrens_services: { name: 'Casey Madeup', role: 'Exploitation team manager' },
  police: { name: 'Jordan Notreal', role: 'Detective sergeant, public protection unit' },
  health: { name: 'Taylor Specimen', role: 'Named nurse for safeguarding children' },
  education: { name: 'Riley Example', role: 'Education safeguarding adviser' },
  youth_justice: { name: 'Avery Sample', role: 'Prevention team leader' },
  voluntary: { name: 'Quinn Placeholder', role: 'Exploitation support service lead' },
};

/**
 * Multi-agency tasking in the demo: every agency's named contact, and a strategy discussion for
 * NM-1004 / WB-1004 (Kayleigh Smith in Northmere) that the police and the school attended, with
 * actions for the police, the school and children's services. The police and the school then see
 * the child through the plan (migration 0171), and the police officer's home page shows their task.
 */
export async function seedMultiAgencyTasking(tx: Tx, ctx: DemoSeedContext): Promise<void> {
  let line = 1;
  for (const p of Object.values(ctx.partnerships)) {
    for (const [kind, agencyId] of Object.entries(p.agencies)) {
      const contact = contacts[kind];
      if (!contact) continue;
      const slug = `${kind.replace(/_/g, '-')}.${p.code}`;
      await tx
        .insertInto('agency_contacts')
        .values({
          agency_id: agencyId,
          partnership_id: p.id,
          name: contact.name,
          role: contact.role,
          phone: `01632 960${String(line++).padStart(3, '0')}`,
          secure_email: `${contact.name.toLowerCase().replace(/ /g, '.')}@${slug}.example.org`,
          updated_by: p.users.admin ?? null,
        })
        .execute();
    }

    // A plan held outside children's services: a strategy discussion of the youth justice, health or
    // voluntary agency holding the child, with the health board, and an action for the holding
    // agency. Police and children's services are not in it, so they still cannot see this child.
    const held = await tx
      .selectFrom('children as c')
      .innerJoin('agencies as a', 'a.id', 'c.owning_agency_id')
      .select(['c.id', 'c.owning_agency_id'])
      .where('c.partnership_id', '=', p.id)
      .where('a.kind', 'in', ['youth_justice', 'health', 'voluntary'])
      .where('c.status', '=', 'open')
      .where('c.restricted', '=', false)
      .orderBy('c.reference')
      .executeTakeFirst();
    if (held) {
      const attending = [...new Set([held.owning_agency_id, p.agencies.health!])];
      const discussion = await tx
        .insertInto('strategy_meetings')
        .values({
          partnership_id: p.id,
          child_id: held.id,
          meeting_kind: 'discussion',
          held_on: dateFromAnchor(-10),
          attending_agency_ids: attending,
          attendees: 'Drew Invented (chair), Taylor Specimen (health)',
          decisions: 'Offer support in a group; the school nurse to see the young person weekly.',
          risk_level: 'medium',
          next_review_on: dateFromAnchor(50),
          recorded_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await seedPlanActions(
        tx,
        { partnership_id: p.id, child_id: held.id, meeting_id: discussion.id, recorded_by: null, created_at: addHours(ANCHOR, -10 * 24) },
        [
          {
            description: 'Offer a place on the healthy relationships group',
            owner_name: 'Drew Invented',
            agency_id: held.owning_agency_id,
            due_on: dateFromAnchor(21),
          },
        ],
      );
    }

    const cs = p.agencies.childrens_services!;
    const police = p.agencies.police!;
    const education = p.agencies.education!;
    const child = await tx.selectFrom('children').select('id').where('partnership_id', '=', p.id).where('reference', 'like', '%-1004').executeTakeFirst();
    if (!child) continue;
    const meeting = await tx
      .insertInto('strategy_meetings')
      .values({
        partnership_id: p.id,
        child_id: child.id,
        meeting_kind: 'discussion',
        held_on: dateFromAnchor(-6),
        attending_agency_ids: [cs, police, education],
        attendees: 'Casey Madeup (children’s services, chair), Jordan Notreal (police), Riley Example (school)',
        decisions:
          'Section 47 enquiries to continue. The police to check the address where she was found and the cars seen there; the school to see her daily; a safety plan with her mother.',
        risk_level: 'high',
        next_review_on: dateFromAnchor(24),
        recorded_by: p.users['social-worker'] ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await seedPlanActions(
      tx,
      {
        partnership_id: p.id,
        child_id: child.id,
        meeting_id: meeting.id,
        recorded_by: p.users['social-worker'] ?? null,
        created_at: addHours(ANCHOR, -6 * 24),
      },
      [
        { description: 'Visit the flat where she was found and record the vehicles seen there', owner: 'Jordan Notreal', agency: police, due: 7 },
        { description: 'See her at the start of each school day and record any concerns', owner: 'Riley Example', agency: education, due: 14 },
        { description: 'Agree a safety plan with her mother', owner: 'Casey Madeup', agency: cs, due: 3 },
      ].map((a) => ({ description: a.description, owner_name: a.owner, agency_id: a.agency, due_on: dateFromAnchor(a.due) })),
    );
  }
}
