import crypto from 'node:crypto';
import { sql } from 'kysely';
import { addDays, addHours, subHours, utcDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';
import { ethnicities, outOfSchoolFlags, type educationStatuses, type sendOptions } from './schema.ts';
import { insertCount, pick, scaledChildren, type ScaleSeedContext } from '../../seed/scale.ts';
import { keepingDrawnLegalStatus, seedOutOfSchoolFlags, seedSendFlags } from './seed-flags.ts';

type OutOfSchoolFlag = (typeof outOfSchoolFlags)[number];
type EducationDraw = (typeof educationStatuses)[number] | OutOfSchoolFlag;
const isOutOfSchool = (v: EducationDraw): v is OutOfSchoolFlag => (outOfSchoolFlags as readonly string[]).includes(v);
/** The record's education setting for a draw: none when the child is out of school (that is a flag). */
const educationSetting = (v: EducationDraw) => (isOutOfSchool(v) ? null : v);
type SendDraw = (typeof sendOptions)[number] | 'none';
/** A child's special educational needs or disability: most have none (one draw of the seeded faker). */
const drawSend = (faker: DemoSeedContext['faker']): SendDraw =>
  faker.helpers.weightedArrayElement([
    { weight: 70, value: 'none' },
    { weight: 18, value: 'sen_support' },
    { weight: 8, value: 'ehcp' },
    { weight: 4, value: 'disability' },
  ] satisfies { weight: number; value: SendDraw }[]);
/** The record's SEND field as the child is added: empty, as the kind is recorded once the flag is open (seedSendFlags). */
const recordedWithTheFlag = (_draw: SendDraw): null => null;
/** A child's education: mostly in school, some missing from it, a few home educated (one draw of the seeded faker). */
const drawEducation = (faker: DemoSeedContext['faker'], age: number): EducationDraw =>
  faker.helpers.weightedArrayElement(
    (
      [
        { weight: 60, value: 'in_education' },
        { weight: 12, value: 'missing_education' },
        { weight: 8, value: 'excluded' },
        { weight: 8, value: 'alternative_provision' },
        { weight: 10, value: 'neet' },
        { weight: 2, value: 'elective_home_education' },
      ] satisfies { weight: number; value: EducationDraw }[]
    ).filter((e) => age >= 16 || e.value !== 'neet'),
  );

const childrenPerPartnership = 25;
const refDate = new Date('2026-09-01T00:00:00Z');
const hoursAgo = (h: number) => subHours(new Date(), h);

/** Fictional postcode districts for the fictional demo places (valid UK postcode shape). */
const districts: Record<string, string> = { northmere: 'NM', westbrook: 'WB' };
const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ';

/**
 * Demo children, concerns and their triage for both demo partnerships. Teenage girls most often,
 * some boys; ages 10 to 17; a few looked after; two restricted records; a near-duplicate pair
 * for the triage search. Deterministic: everything comes from the seeded faker.
 */
export async function seedChildren(tx: Tx, { faker, partnerships }: DemoSeedContext): Promise<void> {
  const agreements: Record<string, string> = {};
  // Ended joint-working agreements, so that past cross-border shares have a basis but grant nothing now.
  for (const [from, to] of [
    ['northmere', 'westbrook'],
    ['westbrook', 'northmere'],
  ] as const) {
    const row = await tx
      .insertInto('sharing_agreements')
      .values({
        partnership_id: partnerships[from]!.id,
        recipient_partnership_id: partnerships[to]!.id,
        purpose: 'Operation Lantern Bridge: joint work on two missing children (ended)',
        lawful_basis: 'UK GDPR Article 6(1)(e) and 9(2)(g); DPA 2018 Schedule 1 paragraph 18',
        starts_on: '2024-02-01',
        ends_on: '2024-07-31',
        recorded_by: partnerships[from]!.users.admin ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    agreements[from] = row.id;
  }

  for (const [code, p] of Object.entries(partnerships)) {
    const agencies = p.agencies;
    const workerFor: Record<string, string | undefined> = {
      childrens_services: p.users['social-worker'],
      police: p.users.police,
      education: p.users.school,
    };
    const childIds: string[] = [];
    const outOfSchool: { childId: string; kind: OutOfSchoolFlag }[] = [];
    const withSend: { childId: string; kind: (typeof sendOptions)[number] }[] = [];
    for (let i = 0; i < childrenPerPartnership; i++) {
      const sex = faker.helpers.weightedArrayElement([
        { weight: 78, value: 'female' as const },
        { weight: 22, value: 'male' as const },
      ]);
      const age = faker.helpers.weightedArrayElement([
        { weight: 1, value: 10 },
        { weight: 2, value: 11 },
        { weight: 4, value: 12 },
        { weight: 8, value: 13 },
        { weight: 11, value: 14 },
        { weight: 12, value: 15 },
        { weight: 9, value: 16 },
        { weight: 5, value: 17 },
      ]);
      const dob = utcDate(faker.date.birthdate({ mode: 'age', min: age, max: age, refDate }));
      const owningKind = faker.helpers.weightedArrayElement([
        { weight: 12, value: 'childrens_services' },
        { weight: 4, value: 'police' },
        { weight: 3, value: 'education' },
        { weight: 2, value: 'health' },
        { weight: 2, value: 'voluntary' },
        { weight: 2, value: 'youth_justice' },
      ]);
      const lookedAfter = faker.number.int({ min: 1, max: 100 }) <= 16;
      const restricted = i === 7 || i === 19;
      const nearDuplicate = i === 3;
      const given = nearDuplicate ? 'Kayleigh' : faker.person.firstName(sex);
      const family = nearDuplicate ? 'Smith' : faker.person.lastName();
      // A draw kept only so the seeded faker's sequence, and so every later demo value, stays as it was: a
      // child no longer carries a risk level of its own (its level comes from its sources, migration 0170).
      faker.helpers.weightedArrayElement([
        { weight: 3, value: 'low' },
        { weight: 4, value: 'medium' },
        { weight: 2, value: 'high' },
      ]);
      const closed = i >= 22;
      // Missing from education and elective home education are flags (DECISIONS 27): the record keeps
      // the setting and the flag is opened after the children. Drawn where it always was, in the
      // record's values, so the seeded faker's sequence and every later demo value stay as they were.
      let education: EducationDraw;
      // SEND is a flag and the record the kind of support beside it (DECISIONS 29): drawn here as ever, opened after.
      let send: SendDraw;
      const child = await tx
        .insertInto('children')
        .values({
          partnership_id: p.id,
          owning_agency_id: agencies[owningKind]!,
          reference: `${districts[code]}-${String(1001 + i)}`,
          given_name: given,
          family_name: family,
          date_of_birth: dob,
          aliases: faker.number.int({ min: 1, max: 10 }) === 1 ? [faker.person.firstName(sex)] : [],
          gender: sex,
          ethnicity: faker.helpers.weightedArrayElement([
            { weight: 70, value: 'white_british' },
            { weight: 4, value: 'white_other' },
            { weight: 4, value: 'mixed_white_black_caribbean' },
            { weight: 3, value: 'asian_pakistani' },
            { weight: 3, value: 'black_african' },
            { weight: 2, value: 'white_gypsy_traveller' },
            { weight: 2, value: 'asian_indian' },
            { weight: 2, value: 'mixed_other' },
            { weight: 5, value: 'not_stated' },
          ] satisfies { weight: number; value: (typeof ethnicities)[number] }[]),
          first_language: faker.helpers.weightedArrayElement([
            { weight: 85, value: 'English' },
            { weight: code === 'northmere' ? 10 : 2, value: 'Welsh' },
            { weight: 3, value: 'Polish' },
            { weight: 2, value: 'Urdu' },
          ]),
          school:
            age >= 16 && faker.datatype.boolean() ? `${p.code === 'northmere' ? 'Northmere' : 'Westbrook'} College` : `${faker.location.city()} High School`,
          education_status: educationSetting((education = drawEducation(faker, age))),
          send: recordedWithTheFlag((send = drawSend(faker))),
          looked_after: lookedAfter,
          placement: lookedAfter ? faker.helpers.arrayElement(['Foster care', 'Children’s home', 'Kinship care', 'Supported lodgings']) : null,
          child_protection_plan: !lookedAfter && faker.number.int({ min: 1, max: 5 }) === 1,
          child_in_need: faker.number.int({ min: 1, max: 3 }) === 1,
          youth_justice: faker.number.int({ min: 1, max: 8 }) === 1,
          flag_cse: faker.number.int({ min: 1, max: 10 }) <= 8,
          flag_cce: faker.number.int({ min: 1, max: 6 }) === 1,
          flag_trafficking: faker.number.int({ min: 1, max: 15 }) === 1,
          restricted,
          restricted_reason: restricted ? 'A parent works in the partnership’s children’s services' : null,
          status: closed ? 'closed' : 'open',
          closed_at: closed ? hoursAgo(24 * 30) : null,
          closing_outcome: closed ? faker.helpers.arrayElement(['risk_reduced', 'moved_away', 'turned_eighteen'] as const) : null,
          closing_reason: closed ? 'Reviewed at the exploitation meeting: no current indicators for three months.' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      childIds.push(child.id);
      if (isOutOfSchool(education)) outOfSchool.push({ childId: child.id, kind: education });
      if (send !== 'none') withSend.push({ childId: child.id, kind: send });
      // A near-duplicate of child 3: the triage search should warn about it.
      if (nearDuplicate) {
        await tx
          .insertInto('children')
          .values({
            partnership_id: p.id,
            owning_agency_id: agencies.police!,
            reference: `${districts[code]}-0999`,
            given_name: 'Kayley',
            family_name: 'Smyth',
            date_of_birth: dob,
            gender: 'female',
            flag_cse: true,
          })
          .execute();
      }
      // Address history: moves in date order, each address ending the day before the next begins.
      const moves = faker.number.int({ min: 1, max: lookedAfter ? 3 : 2 });
      const starts = faker.date.betweens({ from: new Date(dob), to: refDate, count: moves }).map(utcDate);
      for (let m = 0; m < moves; m++) {
        const from = starts[m]!;
        const next = starts[m + 1];
        await tx
          .insertInto('child_addresses')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            line1: faker.location.streetAddress(),
            town: code === 'northmere' ? 'Northmere' : 'Westbrook',
            postcode: `${districts[code]}${faker.number.int({ min: 1, max: 9 })} ${faker.number.int({ min: 1, max: 9 })}${faker.helpers.arrayElement([...inwardLetters])}${faker.helpers.arrayElement([...inwardLetters])}`,
            from_date: from,
            to_date: next ? [from, addDays(next, -1)].sort()[1]! : null,
          })
          .execute();
      }
      for (const kind of new Set([
        owningKind,
        ...faker.helpers.arrayElements(['childrens_services', 'police', 'education', 'health', 'voluntary'], { min: 0, max: 2 }),
      ])) {
        await tx
          .insertInto('child_involvements')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            agency_id: agencies[kind]!,
            worker_user_id: workerFor[kind] ?? null,
            started_on: utcDate(faker.date.past({ years: 2, refDate })),
          })
          .execute();
      }
      // Two closed records from before risk levels needed a source: their old level is carried over, as
      // migration 0170 does for an existing installation, and shown as such until an assessment replaces it.
      if (i === 22 || i === 23) {
        await tx
          .insertInto('child_risk_carried_over')
          .values({ partnership_id: p.id, child_id: child.id, risk_level: i === 22 ? 'medium' : 'low', recorded_at: hoursAgo(24 * (400 + i)) })
          .execute();
      }
      if (closed) {
        await tx
          .insertInto('child_status_events')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            event: 'closed',
            outcome: 'risk_reduced',
            reason: 'Reviewed at the exploitation meeting: no current indicators for three months.',
            recorded_by: p.users.coordinator ?? null,
          })
          .execute();
      }
    }
    // The flags' trigger sets a child's legal status from its open flags, which the flags seed has not
    // opened yet: the drawn status is put back for it to read.
    await keepingDrawnLegalStatus(tx, [...new Set([...outOfSchool, ...withSend].map((x) => x.childId))], async () => {
      await seedOutOfSchoolFlags(tx, p, outOfSchool);
      await seedSendFlags(tx, p, withSend);
    });
    // One child reopened after a new concern, so the history shows both events.
    await tx
      .insertInto('child_status_events')
      .values([
        {
          partnership_id: p.id,
          child_id: childIds[0]!,
          event: 'closed',
          outcome: 'risk_reduced',
          reason: 'Engaging with support; no missing episodes since spring.',
          recorded_by: p.users.coordinator ?? null,
          recorded_at: hoursAgo(24 * 90),
        },
        {
          partnership_id: p.id,
          child_id: childIds[0]!,
          event: 'reopened',
          reason: 'New concern from school: seen getting into cars after school.',
          recorded_by: p.users.triage ?? null,
          recorded_at: hoursAgo(24 * 20),
        },
      ])
      .execute();

    // Concerns: some waiting (one already past its deadline), some decided (one late).
    const concernPlan = [
      {
        source: 'public',
        hours: 3,
        decided: false,
        about: 'A girl of about 14 in a school uniform',
        what: 'Two men in their twenties bought vodka for a group of girls and drove off with two of them in a silver car.',
      },
      {
        source: 'professional',
        hours: 20,
        decided: false,
        about: null,
        what: 'Pupil has a new expensive phone and is collected from school by an older man who is not family.',
      },
      {
        source: 'member',
        hours: 30,
        decided: false,
        about: null,
        what: 'Residents told me about young girls going in and out of a flat above the takeaway late at night.',
      },
      {
        source: 'public',
        hours: 50,
        decided: true,
        late: false,
        about: null,
        what: 'Taxi driver: picked up a young teenager from a hotel at 2am; she seemed drunk and frightened.',
      },
      {
        source: 'professional',
        hours: 80,
        decided: true,
        late: true,
        about: null,
        what: 'Sexual health clinic: 15-year-old attending with a much older “boyfriend”.',
      },
      {
        source: 'professional',
        hours: 120,
        decided: true,
        late: false,
        about: null,
        what: 'Missing overnight for the third time this month; returned with cash and alcohol.',
      },
    ];
    for (const [n, plan] of concernPlan.entries()) {
      const received = hoursAgo(plan.hours);
      const deadline = addHours(received, 24);
      const decidedAt = plan.decided ? addHours(received, plan.late ? 30 : 6) : null;
      const raiser =
        plan.source === 'professional'
          ? { raised_by: p.users.school ?? null, raised_by_agency_id: agencies.education! }
          : plan.source === 'member'
            ? { raised_by: p.users.councillor ?? null, raised_by_agency_id: agencies.partnership! }
            : {};
      await tx
        .insertInto('concerns')
        .values({
          partnership_id: p.id,
          reference: `CN-${code === 'northmere' ? 'NMRE' : 'WBRK'}-${'ABCDEFGH'[n]}${faker.string.alpha({ length: 3, casing: 'upper', exclude: ['I', 'O'] })}`,
          source: plan.source,
          received_at: received,
          deadline_at: deadline,
          what_happened: plan.what,
          where_text: faker.helpers.arrayElement(['Outside the bus station', 'Riverside park', 'The Station Hotel', 'Flat above the takeaway on High Street']),
          when_text: 'Evenings, over the last two weeks',
          about_text: plan.about,
          anonymous: plan.source === 'public',
          ...raiser,
          ...(decidedAt
            ? {
                decision: n === 3 ? 'cse_concern' : n === 4 ? 'already_known' : 'cse_concern',
                // The decision's level is the child's current level until a later assessment or meeting (migration 0170).
                risk_level: n === 5 ? 'medium' : 'high',
                acting_agency_id: agencies.childrens_services!,
                decided_at: decidedAt,
                decided_by: p.users.triage ?? null,
                child_id: childIds[n]!,
                decision_notes: 'Strategy discussion requested with police and health.',
              }
            : {}),
        })
        .execute();
    }

    // A break-glass opening of a restricted record, for the DPO's alerts page.
    await tx
      .insertInto('break_glass_grants')
      .values({
        partnership_id: p.id,
        child_id: childIds[7]!,
        user_id: p.users.coordinator!,
        reason: 'Strategy discussion today about a linked missing episode',
        granted_at: hoursAgo(26),
        expires_at: hoursAgo(22),
      })
      .execute();
    // A past cross-border share under the ended agreement: revoked, so it grants nothing now.
    await tx
      .insertInto('child_partnership_shares')
      .values({
        partnership_id: p.id,
        child_id: childIds[5]!,
        agreement_id: agreements[code]!,
        recipient_partnership_id: partnerships[code === 'northmere' ? 'westbrook' : 'northmere']!.id,
        lawful_basis: 'Joint operation under the agreement',
        shared_by: p.users.coordinator ?? null,
        created_at: sql`'2024-03-01'::timestamptz`,
        revoked_at: sql`'2024-07-31'::timestamptz`,
        revoked_by: p.users.coordinator ?? null,
        revoked_reason: 'The joint operation and its agreement ended',
      })
      .execute();
    // A token for the police case system; its secret is thrown away (create real ones on the API tokens page).
    await tx
      .insertInto('api_tokens')
      .values({
        partnership_id: p.id,
        agency_id: agencies.police!,
        name: 'Police case system (demo)',
        token_hash: crypto.createHash('sha256').update(crypto.randomBytes(32)).digest('hex'),
        roles: ['practitioner'],
        created_by: p.users.admin ?? null,
        expires_at: sql`now() + interval '90 days'`,
      })
      .execute();
  }
}

/**
 * Benchmark history for the scaled children (src/seed/scale.ts), set-based: one concern each
 * (decided by the partnership's triage worker, a few undecided ones waiting in the queue), and
 * involvements with an allocated worker — the scaled staff of the owning agency, a few dozen
 * children each, the demo social worker, triage worker, police officer and school lead taking a
 * caseload of their own — plus a police involvement for one child in five.
 */
export async function scaleSeedChildren(tx: Tx, range: ScaleSeedContext): Promise<number> {
  const h = (salt: string, m: number) => pick('c.reference', salt, m);
  const scaled = scaledChildren('c', range);
  // The scaled staff of each agency, numbered from 0 (sn) of n, to allocate children round-robin.
  const staff = sql`(SELECT id, agency_id, row_number() OVER (PARTITION BY agency_id ORDER BY email) - 1 AS sn, count(*) OVER (PARTITION BY agency_id) AS n
               FROM users WHERE email LIKE 'staff%@lantern.example' AND disabled_at IS NULL)`;
  let rows = 0;
  // About one child in 500 has a concern still waiting; it arrived within the last day and a half,
  // so some are past a 24-hour deadline. The rest arrived over two years and were decided in 1–30 hours.
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO concerns (partnership_id, reference, source, received_at, deadline_at, what_happened, where_text, anonymous,
                          raised_by_agency_id, child_id, decision, risk_level, acting_agency_id, decision_notes, decided_at, decided_by)
    SELECT k.partnership_id, 'S' || k.reference, k.source, k.received, k.received + make_interval(hours => k.triage_hours),
           'Seen getting into cars with older men after school; new phone and clothes.', 'Near the bus station',
           k.source = 'public', CASE WHEN k.source = 'professional' THEN k.owning_agency_id END, CASE WHEN k.waiting THEN NULL ELSE k.id END,
           CASE WHEN NOT k.waiting THEN (ARRAY['cse_concern', 'cse_concern', 'already_known', 'not_cse'])[1 + k.h4] END,
           CASE WHEN NOT k.waiting THEN (ARRAY['low', 'medium', 'medium', 'high'])[1 + k.h4r] END,
           CASE WHEN NOT k.waiting THEN k.owning_agency_id END,
           CASE WHEN NOT k.waiting THEN 'Strategy discussion requested with police and health.' END,
           CASE WHEN NOT k.waiting THEN k.received + make_interval(hours => 1 + k.h30) END,
           CASE WHEN NOT k.waiting THEN t.id END
    FROM (SELECT c.id, c.partnership_id, c.owning_agency_id, c.reference, p.triage_hours,
                 ${h('waiting', 500)} = 0 AS waiting,
                 (ARRAY['public', 'professional', 'professional', 'member', 'partner_system'])[1 + ${h('source', 5)}] AS source,
                 CASE WHEN ${h('waiting', 500)} = 0 THEN now() - make_interval(mins => ${h('recent', 2160)})
                      ELSE now() - make_interval(days => 2 + ${h('age', 730)}, mins => ${h('minute', 1440)}) END AS received,
                 ${h('decision', 4)} AS h4, ${h('risk', 4)} AS h4r, ${h('late', 30)} AS h30
          FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE ${scaled}) k
    LEFT JOIN (SELECT DISTINCT ON (partnership_id) partnership_id, id FROM users WHERE 'triage_worker' = ANY (roles) ORDER BY partnership_id, email) t
      ON t.partnership_id = k.partnership_id`,
  );
  // Allocated workers in the owning agency: the scaled staff round-robin, except the first few dozen
  // children of an agency that has a demo account, who are that account's caseload.
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO child_involvements (partnership_id, child_id, agency_id, worker_user_id, started_on)
    SELECT k.partnership_id, k.id, k.owning_agency_id, coalesce(d.id, s.id), current_date - k.age
    FROM (SELECT c.id, c.partnership_id, c.owning_agency_id, ${h('started', 700)} AS age,
                 row_number() OVER (PARTITION BY c.owning_agency_id ORDER BY c.reference) AS rn
          FROM children c WHERE ${scaled}) k
    LEFT JOIN (SELECT u.id, u.agency_id, v.lo, v.hi FROM users u
               JOIN (VALUES ('social-worker', 1, 30), ('triage', 31, 50), ('police', 1, 30), ('school', 1, 25)) v (k, lo, hi)
                 ON u.email LIKE v.k || '.%@lantern.example') d ON d.agency_id = k.owning_agency_id AND k.rn BETWEEN d.lo AND d.hi
    LEFT JOIN ${staff} s ON s.agency_id = k.owning_agency_id AND s.sn = k.rn % s.n`,
  );
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO child_involvements (partnership_id, child_id, agency_id, worker_user_id, started_on)
    SELECT k.partnership_id, k.id, a.id, s.id, current_date - k.age
    FROM (SELECT c.id, c.partnership_id, c.owning_agency_id, ${h('police-started', 400)} AS age, ${h('police-worker', 100000)} AS w
          FROM children c WHERE ${scaled} AND ${h('police', 5)} = 0) k
    JOIN agencies a ON a.partnership_id = k.partnership_id AND a.kind = 'police' AND a.id <> k.owning_agency_id
    LEFT JOIN ${staff} s ON s.agency_id = a.id AND s.sn = k.w % s.n`,
  );
  return rows;
}
