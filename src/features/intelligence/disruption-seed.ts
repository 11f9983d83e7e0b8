import { addDays, londonDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';

/**
 * Demo disruptions (synthetic, issue 12 §3), against the intelligence seed's people and places: in
 * Northmere a child abduction warning notice served on "Dean" for NM-1004 and his later arrest, a
 * review of Ferry Road Grill's licence, and against Kieran Holt of Mere Cars a charge and engagement
 * with the taxi firm and the hotels; in Westbrook a notice served on "Jonno". Each partnership's plan
 * gets two Pursue measures computed from them. Nothing is drawn from the faker.
 */
export async function seedDisruptions(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  for (const [code, p] of Object.entries(partnerships)) {
    const northmere = code === 'northmere';
    const prefix = northmere ? 'NM' : 'WB';
    const police = p.agencies.police ?? Object.values(p.agencies)[0]!;
    const council = p.agencies.childrens_services ?? police;
    const analyst = p.users.analyst ?? null;
    const today = londonDate(new Date());
    const analystName = analyst ? (await tx.selectFrom('users').select('display_name').where('id', '=', analyst).executeTakeFirst())?.display_name : undefined;
    const byline = { partnership_id: p.id, created_by: analyst, created_by_name: analystName ?? null };

    const personByAlias = async (alias: string) =>
      (
        await tx
          .selectFrom('persons_of_concern')
          .select('id')
          .where('partnership_id', '=', p.id)
          .where((eb) => eb(eb.val(alias), '=', eb.fn.any('aliases')))
          .executeTakeFirst()
      )?.id ?? null;
    const locationByName = async (name: string) =>
      (await tx.selectFrom('intel_locations').select('id').where('partnership_id', '=', p.id).where('name', '=', name).executeTakeFirst())?.id ?? null;
    const children = new Map(
      (
        await tx.selectFrom('children').select(['id', 'reference']).where('partnership_id', '=', p.id).where('reference', 'like', `${prefix}-100%`).execute()
      ).map((c) => [c.reference, c.id]),
    );

    type Seeded = {
      tactic: string;
      daysAgo: number;
      agency: string;
      person: string | null;
      location: string | null;
      summary: string;
      outcome: 'pending' | 'achieved' | 'not_achieved' | 'breached';
      notes?: string;
      children: string[];
    };
    const dean = await personByAlias(northmere ? 'Dean' : 'Jonno');
    const list: Seeded[] = northmere
      ? [
          {
            tactic: 'child_abduction_warning_notice',
            daysAgo: 14,
            agency: police,
            person: dean,
            location: null,
            summary: 'Notice served on “Dean” at his home address, naming NM-1004; explained in person by two officers.',
            outcome: 'achieved',
            notes: 'Served and signed for; the notice lasts two years.',
            children: ['NM-1004'],
          },
          {
            tactic: 'arrest',
            daysAgo: 3,
            agency: police,
            person: dean,
            location: null,
            summary: 'Arrested after being found with NM-1004 in the silver Audi in breach of the notice.',
            outcome: 'pending',
            children: ['NM-1004'],
          },
          {
            tactic: 'licence_review',
            daysAgo: 9,
            agency: council,
            person: null,
            location: await locationByName('Ferry Road Grill'),
            summary: 'Premises licence review requested by the police under the Licensing Act; hearing listed.',
            outcome: 'pending',
            children: ['NM-1005'],
          },
          {
            tactic: 'hotel_taxi_engagement',
            daysAgo: 120,
            agency: council,
            person: null,
            location: await locationByName('Mere Cars'),
            summary: 'Safeguarding briefing for Mere Cars’ drivers and the two hotels at the retail park; who to call and what to look for.',
            outcome: 'achieved',
            children: [],
          },
          {
            tactic: 'charge',
            daysAgo: 45,
            agency: police,
            person: await personByAlias('Kez'),
            location: await locationByName('Mere Cars'),
            summary: 'Charged with arranging or facilitating the commission of a child sex offence.',
            outcome: 'achieved',
            notes: 'Remanded on conditional bail; trial listed at the Crown Court.',
            children: ['NM-1006'],
          },
        ]
      : [
          {
            tactic: 'child_abduction_warning_notice',
            daysAgo: 6,
            agency: police,
            person: dean,
            location: null,
            summary: 'Notice served on “Jonno”, naming WB-1004.',
            outcome: 'achieved',
            children: ['WB-1004'],
          },
        ];
    for (const d of list) {
      if (!d.person && !d.location) continue;
      const row = await tx
        .insertInto('intel_disruptions')
        .values({
          ...byline,
          tactic: d.tactic,
          disrupted_on: addDays(today, -d.daysAgo),
          agency_id: d.agency,
          target_person_id: d.person,
          target_location_id: d.location,
          summary: d.summary,
          outcome: d.outcome,
          outcome_notes: d.notes ?? null,
          outcome_recorded_at: d.outcome === 'pending' ? null : new Date(),
          outcome_recorded_by_name: d.outcome === 'pending' ? null : (analystName ?? null),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const linked = d.children.flatMap((r) => (children.get(r) ? [{ partnership_id: p.id, disruption_id: row.id, linked_child_id: children.get(r)! }] : []));
      if (linked.length > 0) await tx.insertInto('intel_disruption_children').values(linked).execute();
    }

    // The Pursue strand's measures, computed each quarter from these (strategy/computed-measures.ts): no values are stored.
    const plan = await tx.selectFrom('strategy_plans').select('id').where('partnership_id', '=', p.id).orderBy('created_at').executeTakeFirst();
    if (plan)
      await tx
        .insertInto('strategy_measures')
        .values([
          {
            partnership_id: p.id,
            plan_id: plan.id,
            name: 'Disruptions of those who exploit children (Lantern records)',
            unit: 'disruptions',
            target_value: '6',
            direction: 'up',
            frequency: 'quarterly',
            owner_title: 'Detective inspector, public protection unit',
            evidence_source: 'Lantern disruptions (computed)',
            source: 'disruptions',
          },
          {
            partnership_id: p.id,
            plan_id: plan.id,
            name: 'Days from first intelligence to first disruption (median)',
            unit: 'days',
            target_value: '60',
            direction: 'down',
            frequency: 'quarterly',
            owner_title: 'Detective inspector, public protection unit',
            evidence_source: 'Lantern disruptions (computed)',
            source: 'days_to_first_disruption',
          },
        ])
        .execute();
  }
}
