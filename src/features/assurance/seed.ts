import { addDays, addMonths, utcDate } from '../../dates.ts';
import type { Insertable } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { TrainingAttendance, TrainingStaff } from '../../db/types.generated.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';

/**
 * Demo assurance records for both partnerships: courses, monthly awareness sessions, a
 * workforce of synthetic staff (Northmere has 191 trained, as Cwm Taf reported in seed 001),
 * campaigns with reach and feedback, a services directory, and scrutiny bodies with the
 * recommendations of the Cardiff (seed 000) and Wiltshire (seed 003) task groups, paraphrased.
 */

const courses = [
  { key: 'awareness', title: 'Understanding and recognising child sexual exploitation', kind: 'awareness' },
  { key: 'specialist', title: 'Direct work with young people at risk of exploitation', kind: 'specialist' },
  { key: 'risk_tool', title: 'Using the exploitation risk assessment tool', kind: 'risk_tool' },
  { key: 'protocol', title: 'The child sexual exploitation protocol in practice', kind: 'protocol' },
] as const;

const roleTitles = [
  'Social worker',
  'Family support worker',
  'School nurse',
  'Teacher',
  'Police constable',
  'Youth worker',
  'Health visitor',
  'Housing officer',
  'Residential care worker',
  'Designated safeguarding lead',
  'Licensing officer',
  'Team manager',
];
const staffAgencies = ['childrens_services', 'childrens_services', 'police', 'health', 'education', 'education', 'youth_justice', 'voluntary'] as const;

const plan = {
  northmere: { staff: 230, trained: 191, areas: ['Northmere town', 'Ashby Vale', 'Kelder Bay', 'Whole partnership'], venue: 'Northmere Civic Centre' },
  westbrook: { staff: 120, trained: 84, areas: ['Westbrook central', 'Millford', 'Harrow Cross', 'Whole partnership'], venue: 'Westbrook Learning Centre' },
} as const;

const serviceTemplates = [
  {
    name: 'Exploitation support service',
    provider: "Young People's Trust",
    forWhom: 'Children at risk of or experiencing sexual exploitation',
    ages: [10, 18],
    route: 'Referral form from any professional; young people may refer themselves',
  },
  {
    name: 'Return home interview service',
    provider: "Young People's Trust",
    forWhom: 'Children who have been missing from home or care',
    ages: [8, 18],
    route: 'Automatic referral from the missing episode notification',
  },
  {
    name: 'Sexual health drop-in',
    provider: 'Health Board sexual health service',
    forWhom: 'Young people wanting confidential sexual health advice',
    ages: [13, 25],
    route: 'Drop in; no referral needed',
  },
  {
    name: 'Sexual assault referral centre',
    provider: 'Regional health partnership',
    forWhom: 'Children and adults who have been sexually assaulted',
    ages: [0, 25],
    route: 'Police or professional referral; self-referral by telephone',
  },
  {
    name: 'Independent sexual violence advisers for young people',
    provider: 'Safe Futures charity',
    forWhom: 'Young victims going through the criminal justice process',
    ages: [11, 25],
    route: 'Referral by police, social worker or self',
  },
  {
    name: 'Therapeutic recovery service',
    provider: 'Child and adolescent mental health service',
    forWhom: 'Children recovering from sexual abuse or exploitation',
    ages: [5, 18],
    route: 'Referral from GP, social worker or school nurse',
  },
  {
    name: 'Parents against exploitation support',
    provider: 'Parents Together network',
    forWhom: 'Parents and carers of children being exploited',
    ages: [0, 18],
    route: 'Self-referral by telephone or email',
  },
  {
    name: 'Detached youth work team',
    provider: 'Council youth service',
    forWhom: 'Young people in parks, town centres and hotspots',
    ages: [11, 19],
    route: 'Ask the team to visit a location; no referral for young people',
  },
  {
    name: 'Substance misuse service for young people',
    provider: 'Turning Point youth service',
    forWhom: 'Young people whose drug or alcohol use puts them at risk',
    ages: [10, 18],
    route: 'Professional or self-referral',
  },
  {
    name: 'Online safety education programme',
    provider: 'Schools safeguarding service',
    forWhom: 'Pupils, parents and staff in primary and secondary schools',
    ages: [7, 16],
    route: 'School requests a session through the safeguarding service',
  },
  {
    name: 'Leaving care exploitation worker',
    provider: "Council Children's Services",
    forWhom: 'Care leavers at risk of exploitation',
    ages: [16, 25],
    route: 'Referral by personal adviser',
  },
  {
    name: 'Learning disability outreach',
    provider: 'Inclusion Partners',
    forWhom: 'Young people with learning disabilities who may be groomed',
    ages: [11, 25],
    route: 'Professional referral',
  },
  {
    name: 'Young people’s advocacy service',
    provider: 'Voice Advocacy',
    forWhom: 'Children in care and children subject to child protection plans',
    ages: [5, 18],
    route: 'Any professional, or the young person',
  },
  {
    name: 'Boys and young men’s exploitation project',
    provider: 'Safe Futures charity',
    forWhom: 'Boys and young men at risk of sexual or criminal exploitation',
    ages: [10, 21],
    route: 'Referral form from any professional',
  },
  {
    name: 'Family group conferencing',
    provider: "Council Children's Services",
    forWhom: 'Families wanting a plan to keep a child safe',
    ages: [0, 18],
    route: 'Referral by the allocated social worker',
  },
];

interface Recommendation {
  reference: string;
  text: string;
  cross: string | null;
  response: 'accepted' | 'partly_accepted' | 'rejected' | null;
  responseText: string | null;
  owner: string | null;
  due: string | null;
  status: string;
  evidence: string | null;
}

const cardiffStyle: Recommendation[] = [
  {
    reference: 'R1',
    text: 'Commit the strategy to working across boundaries with neighbouring partnerships from the start, not only if a regional strategy later proves necessary.',
    cross: 'Board plan 1.3a',
    response: 'accepted',
    responseText: 'A joint protocol with Westbrook is in place and reviewed each year.',
    owner: 'Partnership business manager',
    due: '2025-06-30',
    status: 'blue',
    evidence: 'Cross-border protocol, signed April 2025',
  },
  {
    reference: 'R2',
    text: 'Add baseline data: the number of children at risk by risk category, their ages and ethnicity, how many are missing from school, looked after, or have plans, and the assessment meetings held in the past 3 months.',
    cross: 'Board plan 1.1b',
    response: 'accepted',
    responseText: 'A quarterly dashboard of de-identified figures goes to the Board.',
    owner: 'Exploitation co-ordinator',
    due: '2025-12-31',
    status: 'green',
    evidence: 'Quarterly exploitation dashboard',
  },
  {
    reference: 'R3',
    text: 'Replace words such as “systematically” and “routinely” with set timescales for how and when children at risk are identified and monitored.',
    cross: null,
    response: 'accepted',
    responseText: 'Every action now has a date or a frequency.',
    owner: 'CSE strategy lead',
    due: '2025-09-30',
    status: 'blue',
    evidence: 'Revised action plan, version 3',
  },
  {
    reference: 'R4',
    text: 'Work with the town centre team to raise awareness across licensed premises, large chain restaurants and hotels in the hotspots the police profile identified.',
    cross: 'Board plan 2.4a',
    response: 'partly_accepted',
    responseText: 'Hotels and licensed premises are covered; restaurants will follow when funding allows.',
    owner: 'Licensing manager',
    due: '2026-03-31',
    status: 'amber',
    evidence: 'Campaign returns: hotels and licensed premises',
  },
  {
    reference: 'R5',
    text: 'Change “progress will be reviewed regularly” to “progress will be reviewed quarterly”.',
    cross: null,
    response: 'accepted',
    responseText: null,
    owner: 'CSE strategy lead',
    due: '2025-04-30',
    status: 'blue',
    evidence: 'Strategy, section 7',
  },
  {
    reference: 'R6',
    text: 'Add performance indicators, targets and costs to the action plan so that it can be properly reviewed.',
    cross: 'Board plan 3.4a',
    response: 'accepted',
    responseText: 'Targets added; costs are being gathered from each agency.',
    owner: 'Partnership business manager',
    due: '2026-01-31',
    status: 'red',
    evidence: null,
  },
  {
    reference: 'R7',
    text: 'State the governance arrangements, including which body holds the partnership to account for the strategy.',
    cross: null,
    response: 'accepted',
    responseText: null,
    owner: 'Independent chair',
    due: '2026-12-31',
    status: 'green',
    evidence: 'Governance chart in the annual report',
  },
  {
    reference: 'R8',
    text: 'Link the strategy to the other key plans and strategies it depends on.',
    cross: null,
    response: null,
    responseText: null,
    owner: null,
    due: null,
    status: 'not-rated',
    evidence: null,
  },
];

const wiltshireStyle: Recommendation[] = [
  {
    reference: '1',
    text: 'Do not use acronyms in the action plan, or spell each one out the first time it appears.',
    cross: null,
    response: 'accepted',
    responseText: 'The plan is checked against the acronym list before each publication.',
    owner: 'CSE strategy lead',
    due: '2025-03-31',
    status: 'blue',
    evidence: 'Action plan, January 2026 edition',
  },
  {
    reference: '2',
    text: 'Add a column cross-referencing each action with the safeguarding board’s own action plan.',
    cross: 'Board plan, all actions',
    response: 'accepted',
    responseText: null,
    owner: 'Partnership business manager',
    due: '2025-06-30',
    status: 'blue',
    evidence: 'Action plan, column C',
  },
  {
    reference: '3',
    text: 'Add Blue to the Red, Amber and Green ratings to show actions that are complete.',
    cross: null,
    response: 'accepted',
    responseText: null,
    owner: 'CSE strategy lead',
    due: '2025-03-31',
    status: 'blue',
    evidence: 'Action plan legend',
  },
  {
    reference: '4',
    text: 'Put the columns for each action and its success measure next to each other.',
    cross: null,
    response: 'accepted',
    responseText: null,
    owner: 'CSE strategy lead',
    due: '2025-03-31',
    status: 'blue',
    evidence: 'Action plan layout',
  },
  {
    reference: '5',
    text: 'Include a number in each success measure where possible, instead of “a number of”.',
    cross: null,
    response: 'partly_accepted',
    responseText: 'Numbers are given where data exist; some measures are qualitative.',
    owner: 'Performance and information team',
    due: '2025-12-31',
    status: 'amber',
    evidence: 'Action plan success measures',
  },
  {
    reference: '6',
    text: 'Say where the information for each success measure can be found, such as the name of the report.',
    cross: null,
    response: 'accepted',
    responseText: null,
    owner: 'Performance and information team',
    due: '2026-02-28',
    status: 'green',
    evidence: 'Evidence source column',
  },
  {
    reference: '7',
    text: 'Give quarterly activity reports covering the past 12 months, with targets such as 90% of staff trained on CSE within 2 months of joining, to the select committee and the safeguarding panel.',
    cross: 'Board plan 1.6c',
    response: 'accepted',
    responseText: 'Training compliance is reported from Lantern each quarter.',
    owner: 'Workforce development manager',
    due: '2026-06-30',
    status: 'green',
    evidence: 'Training compliance report',
  },
  {
    reference: '8',
    text: 'Make CSE training compulsory for all staff who work with children and for councillors.',
    cross: null,
    response: 'rejected',
    responseText: 'Training is mandatory for children’s workforce roles only; councillors are offered a briefing.',
    owner: null,
    due: null,
    status: 'not-applicable',
    evidence: null,
  },
];

const workProgramme = [
  {
    months: -10,
    topic: 'Training',
    details: 'Who the council must train, what training exists, how to ensure attendance, and whether it should be compulsory.',
  },
  { months: -9, topic: 'Scoping', details: 'Agree the terms of reference and the witnesses to invite.' },
  {
    months: -7,
    topic: 'The safeguarding board and the council',
    details: 'The board’s role and membership, its CSE work and action plan, and how it relates to the council’s plan.',
  },
  {
    months: -6,
    topic: 'Engagement with young people and schools',
    details: 'Feedback from schools on the theatre-in-education play about grooming; the corporate parenting panel’s work.',
  },
  {
    months: -3,
    topic: 'Action plans',
    details: 'Check that actions, outcomes and success measures are specific, measurable, achievable, relevant and time-bound.',
  },
  {
    months: -2,
    topic: 'Communication and raising awareness',
    details: 'Follow a case from start to finish; check that the public and staff know how to report concerns.',
  },
  {
    months: 1,
    topic: 'Clarity of roles and responsibilities',
    details: 'How well services, members and partners understand their roles in preventing and tackling CSE.',
  },
  { months: 3, topic: 'Final report', details: 'Agree the information to include in the final report.' },
];

export async function seedAssurance(tx: Tx, context: DemoSeedContext): Promise<void> {
  const { faker } = context;
  const anchor = '2026-11-01';
  for (const [code, p] of Object.entries(context.partnerships)) {
    const shape = plan[code as keyof typeof plan] ?? plan.westbrook;
    const place = code === 'northmere' ? 'Northmere' : 'Westbrook';
    const pid = p.id;

    // Courses and sessions: awareness monthly for four years, the others each quarter.
    const courseIds: Record<string, string> = {};
    for (const c of courses) {
      const row = await tx
        .insertInto('training_courses')
        .values({ partnership_id: pid, title: c.title, kind: c.kind })
        .returning('id')
        .executeTakeFirstOrThrow();
      courseIds[c.key] = row.id;
    }
    const sessionRows: { partnership_id: string; course_id: string; held_on: string; trainer: string; venue: string }[] = [];
    const trainers = [faker.person.fullName(), faker.person.fullName(), faker.person.fullName()];
    for (let m = 0; m < 46; m++) {
      sessionRows.push({
        partnership_id: pid,
        course_id: courseIds.awareness!,
        held_on: addDays(addMonths('2023-01-01', m), 14),
        trainer: trainers[m % 3]!,
        venue: m % 2 ? shape.venue : `${place} Police Headquarters`,
      });
    }
    for (let q = 0; q < 15; q++) {
      for (const key of ['specialist', 'risk_tool', 'protocol'] as const) {
        sessionRows.push({
          partnership_id: pid,
          course_id: courseIds[key]!,
          held_on: addDays(addMonths('2023-02-01', q * 3), key === 'protocol' ? 20 : 9),
          trainer: trainers[q % 3]!,
          venue: shape.venue,
        });
      }
    }
    const sessions = await tx.insertInto('training_sessions').values(sessionRows).returning(['id', 'course_id', 'held_on']).execute();
    const awareness = sessions
      .filter((s) => s.course_id === courseIds.awareness)
      .map((s) => ({ id: s.id, heldOn: s.held_on }))
      .sort((a, b) => a.heldOn.localeCompare(b.heldOn));
    const firstAfter = (date: string, skip = 0) => awareness.filter((s) => s.heldOn >= date)[skip];
    const riskTool = sessions
      .filter((s) => s.course_id === courseIds.risk_tool)
      .map((s) => ({ id: s.id, heldOn: s.held_on }))
      .sort((a, b) => a.heldOn.localeCompare(b.heldOn));

    // The workforce without Lantern accounts.
    const staffRows: Insertable<TrainingStaff>[] = [];
    for (let i = 0; i < shape.staff; i++) {
      const kind = staffAgencies[i % staffAgencies.length]!;
      staffRows.push({
        partnership_id: pid,
        agency_id: p.agencies[kind]!,
        display_name: faker.person.fullName(),
        role_title: faker.helpers.arrayElement(roleTitles),
        started_on: i % 40 === 39 ? null : utcDate(faker.date.between({ from: '2023-01-01', to: addMonths(anchor, -1) })),
      });
    }
    const staff = await tx.insertInto('training_staff').values(staffRows).returning(['id', 'agency_id', 'started_on', 'role_title']).execute();
    const attendance: Insertable<TrainingAttendance>[] = [];
    let trained = 0;
    for (const s of staff) {
      if (trained >= shape.trained) break;
      const started = s.started_on ?? '2023-01-01';
      // Most attend the first session after joining; some months later.
      const late = faker.number.int({ min: 1, max: 10 }) <= 2;
      const session = firstAfter(started, late ? 4 : 0);
      if (!session || session.heldOn > anchor) continue;
      attendance.push({ partnership_id: pid, session_id: session.id, staff_id: s.id, agency_id: s.agency_id, role_title: s.role_title });
      trained++;
      // Two in three practitioners also learn the risk assessment tool, at the next quarterly session.
      const toolSession = riskTool.find((x) => x.heldOn >= started);
      if (trained % 3 !== 0 && toolSession && toolSession.heldOn <= anchor) {
        attendance.push({ partnership_id: pid, session_id: toolSession.id, staff_id: s.id, agency_id: s.agency_id, role_title: s.role_title });
      }
    }
    // Some demo accounts attended in their first weeks (they joined on 2 September 2024); the rest have not.
    const early = firstAfter('2024-09-02', 1)!;
    const users = await tx.selectFrom('users').select(['id', 'agency_id', 'job_title', 'email']).where('partnership_id', '=', pid).execute();
    for (const u of users.filter((x) => /^(strategy|coordinator|social-worker|admin)\./.test(x.email))) {
      attendance.push({ partnership_id: pid, session_id: early.id, user_id: u.id, agency_id: u.agency_id, role_title: u.job_title });
    }
    for (let i = 0; i < attendance.length; i += 500)
      await tx
        .insertInto('training_attendance')
        .values(attendance.slice(i, i + 500))
        .execute();
    await tx
      .insertInto('training_measures')
      .values([
        {
          partnership_id: pid,
          title: 'Staff trained on CSE within 2 months of joining',
          course_ids: [courseIds.awareness!],
          window_months: 2,
          target_percent: 90,
        },
        {
          partnership_id: pid,
          title: 'Staff trained in the risk assessment tool within 6 months of joining',
          course_ids: [courseIds.risk_tool!],
          window_months: 6,
          target_percent: 75,
        },
      ])
      .execute();

    // Campaigns by audience, with materials and feedback.
    const campaignPlan = [
      {
        title: 'Leaflets for taxi and private hire drivers',
        audience: 'taxi_drivers',
        starts: '2025-11-01',
        ends: '2025-11-30',
        reached: 412,
        materials: [['leaflet', 'How to raise a concern: a guide for drivers', 600]],
      },
      {
        title: 'Hotels: spotting the signs',
        audience: 'hotels',
        starts: '2025-11-01',
        ends: '2026-01-31',
        reached: 58,
        materials: [
          ['leaflet', 'Hotel staff guide', 300],
          ['poster', 'Back-of-house poster', 120],
        ],
      },
      {
        title: 'Night-time economy awareness',
        audience: 'licensed_premises',
        starts: '2025-11-15',
        ends: null,
        reached: 137,
        materials: [['leaflet', 'Night-time vendors leaflet', 500]],
      },
      {
        title: 'Theatre-in-education play about grooming',
        audience: 'schools',
        starts: '2025-09-08',
        ends: '2025-12-19',
        reached: 2310,
        materials: [
          ['play', 'Touring play and workshop', 18],
          ['guide', 'Teachers’ follow-up pack', 40],
        ],
      },
      {
        title: 'Talking to your child about exploitation',
        audience: 'parents_carers',
        starts: '2026-03-18',
        ends: null,
        reached: 860,
        materials: [
          ['web_page', 'Parents’ advice page', 1],
          ['film', 'Short film made by young people', 1],
        ],
      },
      {
        title: 'Foster carers’ awareness sessions',
        audience: 'foster_carers',
        starts: '2026-01-10',
        ends: '2026-06-30',
        reached: 74,
        materials: [['presentation', 'Foster carer briefing', 6]],
      },
    ];
    if (code === 'westbrook')
      campaignPlan.push({
        title: 'Letting agents: what to look for',
        audience: 'letting_agents',
        starts: '2026-02-01',
        ends: null,
        reached: 43,
        materials: [['guide', 'Credit-card sized guide', 250]],
      });
    for (const c of campaignPlan) {
      const row = await tx
        .insertInto('campaigns')
        .values({
          partnership_id: pid,
          title: c.title,
          audience: c.audience,
          starts_on: c.starts,
          ends_on: c.ends,
          people_reached: c.reached + faker.number.int({ min: 0, max: 20 }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('campaign_materials')
        .values(
          c.materials.map(([kind, title, quantity]) => ({
            partnership_id: pid,
            campaign_id: row.id,
            kind: String(kind),
            title: String(title),
            quantity: Number(quantity),
          })),
        )
        .execute();
      if (c.audience === 'schools' || c.audience === 'taxi_drivers') {
        const questions =
          c.audience === 'schools'
            ? [
                ['The play helped pupils understand how grooming works', 'likert'],
                ['Pupils knew who to talk to afterwards', 'likert'],
                ['Would you book the play again?', 'yes_no'],
              ]
            : [
                ['The leaflet made it clear how to report a concern', 'likert'],
                ['Have you seen something that worried you since?', 'yes_no'],
              ];
        let position = 0;
        for (const [text, scale] of questions) {
          const q = await tx
            .insertInto('campaign_questions')
            .values({ partnership_id: pid, campaign_id: row.id, position: ++position, text: text!, scale: scale! })
            .returning('id')
            .executeTakeFirstOrThrow();
          const answers = scale === 'likert' ? ['strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree'] : ['yes', 'no'];
          const weights = scale === 'likert' ? [9, 7, 3, 1, 0] : [8, 2];
          await tx
            .insertInto('campaign_answer_counts')
            .values(
              answers.map((answer, i) => ({
                partnership_id: pid,
                question_id: q.id,
                answer,
                count: weights[i]! + faker.number.int({ min: 0, max: 3 }) * (weights[i]! > 0 ? 1 : 0),
              })),
            )
            .execute();
        }
      }
    }

    // The services directory.
    await tx
      .insertInto('directory_services')
      .values(
        serviceTemplates.map((s, i) => ({
          partnership_id: pid,
          name: `${place} ${s.name.charAt(0).toLowerCase()}${s.name.slice(1)}`.replace(/^(\w+) (\w)/, (_m, a: string, b: string) => `${a} ${b.toUpperCase()}`),
          provider:
            s.provider.includes('Council') || s.provider.includes('Health Board') || s.provider.includes("Young People's Trust")
              ? `${place} ${s.provider}`
              : s.provider,
          description: `${s.name} for ${s.forWhom.charAt(0).toLowerCase()}${s.forWhom.slice(1)}.`,
          for_whom: s.forWhom,
          age_from: s.ages[0]!,
          age_to: s.ages[1]!,
          referral_route: s.route,
          contact: `0300 555 0${String(100 + i * 7 + (code === 'northmere' ? 0 : 3)).padStart(3, '0')} · ${s.name
            .toLowerCase()
            .replace(/[^a-z]+/g, '-')
            .replace(/-+$/, '')}@${code}.example`,
          area: shape.areas[i % shape.areas.length]!,
        })),
      )
      .execute();

    // Scrutiny: a committee, its task group, the work programme and the recommendations.
    const committee = await tx
      .insertInto('scrutiny_bodies')
      .values({
        partnership_id: pid,
        kind: 'committee',
        name: code === 'northmere' ? 'Children and Young People Scrutiny Committee' : "Children's Select Committee",
        chair: `Cllr ${faker.person.fullName()}`,
        remit: 'Holds the council and its partners to account for services to children and young people.',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const taskGroup = await tx
      .insertInto('scrutiny_bodies')
      .values({
        partnership_id: pid,
        kind: 'task_group',
        parent_id: committee.id,
        name: code === 'northmere' ? 'Child sexual exploitation task and finish group' : 'Child sexual exploitation task group',
        chair: `Cllr ${faker.person.fullName()}`,
        remit:
          code === 'northmere'
            ? 'Reviews the draft exploitation strategy and action plan before Cabinet adopts it.'
            : 'Scrutinises the council’s programme to prevent and tackle CSE, starting with the Prevent strand: awareness raising, training take-up, roles and responsibilities, and engagement of young people and schools.',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('scrutiny_work_items')
      .values(
        workProgramme.map((w) => ({
          partnership_id: pid,
          body_id: taskGroup.id,
          meets_on: addDays(addMonths(anchor, w.months), 7),
          topic: w.topic,
          details: w.details,
        })),
      )
      .execute();
    await tx
      .insertInto('scrutiny_work_items')
      .values({
        partnership_id: pid,
        body_id: committee.id,
        meets_on: addMonths(anchor, 2),
        topic: 'Interim report of the CSE task group',
        details: 'To note the report and endorse the future work programme.',
      })
      .execute();
    const recommendations = code === 'northmere' ? cardiffStyle : wiltshireStyle;
    await tx
      .insertInto('scrutiny_recommendations')
      .values(
        recommendations.map((r) => ({
          partnership_id: pid,
          body_id: taskGroup.id,
          reference: r.reference,
          recommendation: r.text,
          made_on: addMonths(anchor, -12),
          cross_reference: r.cross,
          response: r.response,
          response_text: r.responseText,
          owner: r.owner,
          due_on: r.due,
          status: r.status,
          evidence_source: r.evidence,
        })),
      )
      .execute();
  }
}
