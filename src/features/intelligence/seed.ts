import { addDays, londonDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';

/**
 * Demo intelligence (synthetic, issue 12 §1): in Northmere a man the children call "Dean" who drives a
 * silver car and frequents a takeaway, a second man who works for a taxi firm, the takeaway and the
 * taxi firm, linked to demo children (NM-1004 seen with Dean, NM-1005 found at the takeaway …); in
 * Westbrook a smaller picture, so both partnerships have rows in every table. Nothing is drawn from the
 * faker, so no later seed's people move.
 */
export async function seedIntelligence(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  for (const [code, p] of Object.entries(partnerships)) {
    const northmere = code === 'northmere';
    const prefix = northmere ? 'NM' : 'WB';
    const council = northmere ? 'Northmere Council' : 'Westbrook Council';
    const owner = p.agencies.police ?? Object.values(p.agencies)[0]!;
    const analyst = p.users.analyst ?? null;
    // The demo's dates move with the day it is seeded.
    const today = londonDate(new Date());
    const analystName = analyst ? (await tx.selectFrom('users').select('display_name').where('id', '=', analyst).executeTakeFirst())?.display_name : undefined;
    const byline = { partnership_id: p.id, created_by: analyst, created_by_name: analystName ?? null };

    const persons = await tx
      .insertInto('persons_of_concern')
      .values([
        {
          ...byline,
          given_name: null,
          family_name: null,
          aliases: northmere ? ['Dean', 'D'] : ['Jonno'],
          estimated_age: northmere ? 28 : 35,
          description: northmere ? 'White man, late twenties, short dark hair, often in a grey tracksuit.' : 'Tall man, mid thirties, shaved head.',
          phone_numbers: northmere ? ['07700 900123'] : ['07700 900456'],
          social_media: northmere ? ['Snapchat: deanooo_x'] : [],
          markers: northmere ? ['offers_lifts', 'supplies_drugs_alcohol', 'gives_gifts_money'] : ['offers_lifts', 'online_contact'],
          status: 'active',
          owning_agency_id: owner,
        },
        ...(northmere
          ? [
              {
                ...byline,
                given_name: 'Kieran',
                family_name: 'Holt',
                aliases: ['Kez'],
                estimated_age: 34,
                description: 'Drives for a private hire firm; seen collecting girls from the retail park.',
                phone_numbers: [],
                social_media: [],
                markers: ['offers_lifts', 'uses_hotel_rooms'],
                status: 'charged',
                owning_agency_id: owner,
              },
            ]
          : []),
      ])
      .returning('id')
      .execute();
    const locations = await tx
      .insertInto('intel_locations')
      .values([
        {
          ...byline,
          name: northmere ? 'Ferry Road Grill' : 'Harbour Chicken',
          kind: 'takeaway',
          address: northmere ? '14 Ferry Road, Northmere' : '3 Quay Street, Westbrook',
          postcode: northmere ? 'NM3 4FR' : 'WB2 7QS',
          business_type: 'Hot food takeaway',
          licensing_authority: council,
          licence_number: northmere ? 'NMC/LN/2291' : 'WBC/PL/0417',
        },
        ...(northmere
          ? [
              {
                ...byline,
                name: 'Mere Cars',
                kind: 'taxi_firm',
                address: 'Unit 2, Station Approach, Northmere',
                postcode: 'NM1 2SA',
                business_type: 'Private hire operator',
                licensing_authority: council,
                licence_number: 'NMC/PHO/0058',
              },
            ]
          : []),
      ])
      .returning('id')
      .execute();
    const [car] = await tx
      .insertInto('intel_objects')
      .values({
        ...byline,
        kind: 'vehicle',
        registration: northmere ? 'nm19 kxe' : 'WB68 TRL',
        make: northmere ? 'Audi' : 'Ford',
        model: northmere ? 'A3' : 'Transit',
        colour: northmere ? 'Silver' : 'White',
      })
      .returning('id')
      .execute();

    const children = new Map(
      (
        await tx
          .selectFrom('children')
          .select(['id', 'reference'])
          .where('partnership_id', '=', p.id)
          .where('reference', 'in', [`${prefix}-1004`, `${prefix}-1005`, `${prefix}-1006`])
          .execute()
      ).map((c) => [c.reference, c.id]),
    );
    const dean = persons[0]!.id;
    const takeaway = locations[0]!.id;
    type End = { kind: 'child' | 'person' | 'location' | 'object'; id: string | undefined };
    const link = (from: End, relation: string, to: End, source: string, confidence: 'low' | 'medium' | 'high', daysAgo: number) =>
      from.id && to.id
        ? [
            {
              ...byline,
              from_kind: from.kind,
              from_id: from.id,
              to_kind: to.kind,
              to_id: to.id,
              relation,
              source,
              confidence,
              first_seen_on: addDays(today, -daysAgo),
            },
          ]
        : [];
    const links = [
      ...link({ kind: 'person', id: dean }, 'drives', { kind: 'object', id: car!.id }, 'ANPR and officer sighting, log 1123', 'high', 40),
      ...link({ kind: 'person', id: dean }, 'frequents', { kind: 'location', id: takeaway }, 'Police patrol observations', 'medium', 60),
      ...link(
        { kind: 'child', id: children.get(`${prefix}-1004`) },
        'seen_with',
        { kind: 'person', id: dean },
        'The child’s account at the return home interview',
        'medium',
        20,
      ),
      ...link(
        { kind: 'child', id: children.get(`${prefix}-1005`) },
        'found_at',
        { kind: 'location', id: takeaway },
        'Missing episode: found by patrol',
        'high',
        30,
      ),
      ...link(
        { kind: 'child', id: children.get(`${prefix}-1006`) },
        'seen_with',
        { kind: 'object', id: car!.id },
        'School staff saw the child get into the car',
        'low',
        10,
      ),
      ...(northmere
        ? [
            ...link({ kind: 'person', id: persons[1]!.id }, 'works_at', { kind: 'location', id: locations[1]!.id }, 'Licensing records', 'high', 200),
            ...link({ kind: 'person', id: persons[1]!.id }, 'associates_with', { kind: 'person', id: dean }, 'Phone download, case 55/2026', 'medium', 90),
          ]
        : []),
    ];
    if (links.length > 0) await tx.insertInto('intel_links').values(links).execute();

    // An event in each partnership (migration 0350): the car seen outside the takeaway with a child.
    const sighting = await tx
      .insertInto('intel_events')
      .values({
        ...byline,
        kind: 'sighting',
        occurred_on: addDays(today, -8),
        location_id: takeaway,
        description: northmere
          ? 'The silver Audi parked outside the takeaway after 23:00 with a girl of about fourteen in the passenger seat.'
          : 'The white van parked outside the chicken shop late at night; a boy got in.',
        source: northmere ? 'Patrol log, PC 4411' : 'Patrol log, PC 1029',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const eventEnds: End[] = [
      { kind: 'location', id: takeaway },
      { kind: 'object', id: car!.id },
      { kind: 'person', id: dean },
      { kind: 'child', id: children.get(`${prefix}-1006`) },
    ];
    await tx
      .insertInto('intel_event_links')
      .values(eventEnds.flatMap((e) => (e.id ? [{ ...byline, event_id: sighting.id, entity_kind: e.kind, entity_id: e.id }] : [])))
      .execute();

    // Graded reports (issue 12 §2), submitted by the police with their original text: in Northmere a P
    // report about Dean and his car, a C report about the takeaway that only the police's intelligence
    // roles read (its conditions unreleased), and a C report about the taxi firm released to the
    // partnership; in Westbrook one P report.
    type Report = {
      grading: [string, string, 'P' | 'C'];
      conditions?: string;
      released?: boolean;
      daysAgo: number;
      officer: string;
      sanitised: string;
      original: string;
      about: End[];
    };
    const reports: Report[] = northmere
      ? [
          {
            grading: ['2', 'B', 'P'],
            daysAgo: 35,
            officer: 'PC 4411 Rhian Pryce',
            sanitised: 'A man known as “Dean” is driving a silver Audi A3 and giving lifts to girls of school age near the retail park in the evenings.',
            original:
              'Source (a neighbour of the retail park) saw “Dean” on three evenings last week pick up two girls in school uniform in a silver Audi, registration NM19 KXE.',
            about: [
              { kind: 'person', id: dean },
              { kind: 'object', id: car!.id },
            ],
          },
          {
            grading: ['1', 'C', 'C'],
            conditions: 'Not to be disclosed outside Northmere Police. Do not act on it without speaking to the Intelligence unit.',
            daysAgo: 12,
            officer: 'DC 2290 Owen Marsh',
            sanitised: 'Alcohol is reported to be given to children in the back room of a takeaway on Ferry Road after closing.',
            original:
              'Covert source 118 reports that staff at Ferry Road Grill let “Dean” use the back room after 23:00 and that he brings girls there with vodka.',
            about: [
              { kind: 'location', id: takeaway },
              { kind: 'person', id: dean },
            ],
          },
          {
            grading: ['2', 'C', 'C'],
            conditions: 'Share with the licensing authority only for a review of the operator’s licence.',
            released: true,
            daysAgo: 5,
            officer: 'PC 3307 Sian Lloyd',
            sanitised: 'A driver for a private hire firm is said to take girls to hotels on the edge of town.',
            original: 'A hotel receptionist told the officer that Kieran Holt of Mere Cars brought two young girls to the hotel twice this month.',
            about: [
              { kind: 'person', id: persons[1]?.id },
              { kind: 'location', id: locations[1]?.id },
            ],
          },
        ]
      : [
          {
            grading: ['3', 'C', 'P'],
            daysAgo: 20,
            officer: 'PC 1029 Gareth Evans',
            sanitised: 'A man known as “Jonno” is said to contact girls online and offer them lifts in a white van.',
            original: 'An anonymous caller said “Jonno” messages girls on Snapchat and picks them up in a white Ford Transit, WB68 TRL.',
            about: [
              { kind: 'person', id: dean },
              { kind: 'object', id: car!.id },
            ],
          },
        ];
    for (const r of reports) {
      const report = await tx
        .insertInto('intel_reports')
        .values({
          ...byline,
          source_evaluation: r.grading[0],
          intelligence_assessment: r.grading[1],
          handling_code: r.grading[2],
          handling_conditions: r.conditions ?? null,
          released_to_partnership: r.released ?? false,
          obtained_on: addDays(today, -r.daysAgo),
          submitting_agency_id: owner,
          officer_name: r.officer,
          sanitised_text: r.sanitised,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('intel_report_originals')
        .values({ report_id: report.id, partnership_id: p.id, agency_id: owner, original_text: r.original })
        .execute();
      if (r.released)
        await tx
          .insertInto('intel_report_releases')
          .values({
            report_id: report.id,
            partnership_id: p.id,
            agency_id: owner,
            reason: 'The licensing authority is reviewing the operator’s licence; the co-ordinator needs it for the children’s plans.',
            released_by: analyst,
            released_by_name: analystName ?? null,
          })
          .execute();
      const about = r.about.flatMap((e) => (e.id ? [{ ...byline, report_id: report.id, entity_kind: e.kind, entity_id: e.id }] : []));
      if (about.length > 0) await tx.insertInto('intel_report_links').values(about).execute();
    }
  }
}
