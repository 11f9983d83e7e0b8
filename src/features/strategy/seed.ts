import { addDays } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { FeatureSeed } from '../../seed/feature-seed.ts';
import { builtInFrameworks, englishExampleFramework, englishName, welshNationalActionPlan2016, type Framework } from './domain/frameworks.ts';
import type { RagStatus } from './domain/rag.ts';
import { seed001Glossary, seed001Return } from './domain/seed001-return.ts';

/**
 * Demo plans. Northmere (Wales) reports on the Welsh national action plan: its statuses and
 * narratives are the ones printed in a real Welsh Government return (seed 001); its dates, leads
 * and measures are Lantern's demo. Westbrook (England) has an invented Prevent, Protect, Pursue
 * plan in which some rows are weak on purpose, so the SMART check has something to find.
 */
const quarterReported = '2026-07-01';
const recordedAt = new Date('2026-09-22T10:00:00Z');

async function storeFrameworks(tx: Tx, partnershipId: string): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const framework of builtInFrameworks) {
    const row = await tx
      .insertInto('strategy_frameworks')
      .values({
        partnership_id: partnershipId,
        key: framework.key,
        name: englishName(framework),
        source: framework.source,
        is_example: framework.isExample,
        built_in: true,
        definition: JSON.stringify(framework),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[framework.key] = row.id;
  }
  return ids;
}

interface DemoAction {
  ref: string;
  text: string;
  leadTitle: string;
  leadUser?: string | undefined;
  leadAgency?: string | undefined;
  startOn?: string;
  dueOn?: string | null;
  costPounds?: string;
  costNote?: string;
  successMeasure?: string;
  targetValue?: string;
  currentValue?: string;
  measureUnit?: string;
  evidenceSource?: string;
  boardPlanRef?: string;
  status: RagStatus;
  statusNote?: string;
  updates: { quarter: string; status: RagStatus; narrative: string; by: string }[];
}

async function storeActions(
  tx: Tx,
  partnershipId: string,
  planId: string,
  framework: Framework,
  actions: DemoAction[],
  users: Record<string, string>,
  agencies: Record<string, string>,
) {
  for (const a of actions) {
    const outcomeRef = a.ref.slice(0, -1);
    if (!framework.outcomes.some((o) => o.id === outcomeRef)) throw new Error(`demo action ${a.ref} is outside ${framework.key}`);
    const row = await tx
      .insertInto('strategy_actions')
      .values({
        partnership_id: partnershipId,
        plan_id: planId,
        action_ref: a.ref,
        outcome_ref: outcomeRef,
        text: a.text,
        lead_title: a.leadTitle,
        lead_user_id: a.leadUser ? (users[a.leadUser] ?? null) : null,
        lead_agency_id: a.leadAgency ? (agencies[a.leadAgency] ?? null) : null,
        start_on: a.startOn ?? null,
        due_on: a.dueOn ?? null,
        cost_pounds: a.costPounds ?? null,
        cost_note: a.costNote ?? '',
        success_measure: a.successMeasure ?? '',
        target_value: a.targetValue ?? null,
        current_value: a.currentValue ?? null,
        measure_unit: a.measureUnit ?? '',
        evidence_source: a.evidenceSource ?? '',
        board_plan_ref: a.boardPlanRef ?? '',
        status: a.status,
        status_note: a.statusNote ?? '',
        updated_at: recordedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const u of a.updates) {
      await tx
        .insertInto('strategy_action_updates')
        .values({
          partnership_id: partnershipId,
          action_id: row.id,
          quarter_start: u.quarter,
          status: u.status,
          narrative: u.narrative,
          // Progress is reported late in the quarter it covers.
          recorded_by: users[u.by] ?? null,
          recorded_at: new Date(`${addDays(u.quarter, 80)}T10:00:00Z`),
        })
        .execute();
    }
  }
}

/** Which demo account and agency lead each strand of the Welsh plan. */
const welshLeads: Record<string, { leadTitle: string; leadUser: string; leadAgency: string }> = {
  prepare: { leadTitle: 'Partnership CSE strategy lead', leadUser: 'strategy', leadAgency: 'partnership' },
  prevent: { leadTitle: 'Head of inclusion and attendance', leadUser: 'school', leadAgency: 'education' },
  protect: { leadTitle: 'Exploitation team manager', leadUser: 'social-worker', leadAgency: 'childrens_services' },
  pursue: { leadTitle: 'Detective inspector, public protection unit', leadUser: 'police', leadAgency: 'police' },
};

const dueFor: Record<RagStatus, string> = {
  blue: '2026-03-31',
  red: '2026-06-30',
  amber: '2026-09-30',
  green: '2027-03-31',
  'not-applicable': '2027-03-31',
  'not-rated': '2027-03-31',
};

function northmereActions(): DemoAction[] {
  return seed001Return.actions.map((returned, index) => {
    const strandKey = welshNationalActionPlan2016.outcomes.find((o) => o.id === returned.outcomeId)!.strandKey;
    const lead = welshLeads[strandKey]!;
    const action: DemoAction = {
      ref: returned.actionId,
      text: returned.actionText,
      ...lead,
      startOn: '2025-04-01',
      dueOn: dueFor[returned.status],
      boardPlanRef: `Board plan ${index + 1}`,
      status: returned.status,
      updates: returned.narrative ? [{ quarter: quarterReported, status: returned.status, narrative: returned.narrative, by: 'strategy' }] : [],
    };
    if (returned.actionId === '1.6b') {
      Object.assign(action, {
        successMeasure: 'Staff in partner agencies who have completed child sexual exploitation awareness training',
        targetValue: '400',
        currentValue: '191',
        measureUnit: 'staff',
        evidenceSource: 'Board multi-agency training report (quarterly)',
        costPounds: '12000',
        costNote: 'Trainer time and venues, from the Board budget',
      });
    }
    return action;
  });
}

function westbrookActions(): DemoAction[] {
  const q1 = '2026-04-01';
  const q2 = quarterReported;
  return [
    {
      ref: '1.1a',
      text: 'Train all new staff in partner agencies to recognise child sexual exploitation within 2 months of joining.',
      leadTitle: 'Workforce development manager',
      leadUser: 'strategy',
      leadAgency: 'partnership',
      startOn: '2026-04-01',
      dueOn: '2027-03-31',
      costPounds: '8500',
      costNote: 'E-learning licences',
      successMeasure: '90% of new staff trained within 2 months of joining',
      targetValue: '90',
      currentValue: '72',
      measureUnit: '%',
      evidenceSource: 'Quarterly training compliance report to the Board',
      boardPlanRef: 'Board priority 2',
      status: 'amber',
      updates: [
        { quarter: q1, status: 'amber', narrative: 'E-learning module launched in May; 64% of new starters trained within 2 months.', by: 'strategy' },
        { quarter: q2, status: 'amber', narrative: '72% of new starters trained within 2 months. Reminders now sent by managers at week 4.', by: 'strategy' },
      ],
    },
    {
      ref: '1.1b',
      text: 'Regularly raise awareness of CSE with a number of frontline staff.',
      leadTitle: '',
      leadAgency: 'childrens_services',
      status: 'green',
      updates: [{ quarter: q2, status: 'green', narrative: 'Awareness sessions continue.', by: 'strategy' }],
    },
    {
      ref: '1.2a',
      text: 'Deliver the healthy relationships and online safety lesson to every Year 8 class in Westbrook secondary schools.',
      leadTitle: 'Designated safeguarding lead network chair',
      leadUser: 'school',
      leadAgency: 'education',
      startOn: '2026-09-01',
      dueOn: '2027-07-20',
      successMeasure: 'Year 8 classes that have had the lesson',
      targetValue: '100',
      currentValue: '35',
      measureUnit: '%',
      evidenceSource: 'Schools safeguarding audit (termly)',
      boardPlanRef: 'Board priority 1',
      status: 'green',
      updates: [{ quarter: q2, status: 'green', narrative: 'Lesson plan agreed with 11 of 12 secondary schools; first lessons in September.', by: 'school' }],
    },
    {
      ref: '1.4a',
      text: 'Systematically engage taxi drivers, hotels and letting agents about the signs of exploitation.',
      leadTitle: 'Licensing',
      leadAgency: 'partnership',
      dueOn: null,
      status: 'not-rated',
      updates: [],
    },
    {
      ref: '1.5a',
      text: 'Publish a problem profile that pools every partner’s data, refreshed each year.',
      leadTitle: 'Intelligence analyst',
      leadUser: 'analyst',
      leadAgency: 'police',
      startOn: '2026-01-05',
      dueOn: '2026-06-30',
      successMeasure: 'Problem profile published with data from all 6 partner agencies',
      targetValue: '6',
      currentValue: '4',
      measureUnit: 'agencies',
      evidenceSource: 'Problem profile report to the Board',
      boardPlanRef: 'Board priority 3',
      status: 'red',
      updates: [
        { quarter: q1, status: 'amber', narrative: 'Data received from police, children’s services and health.', by: 'analyst' },
        { quarter: q2, status: 'red', narrative: 'Education and voluntary sector data still outstanding; the profile is late.', by: 'analyst' },
      ],
    },
    {
      ref: '2.1a',
      text: 'Screen every concern about child sexual exploitation and decide on next steps within one working day.',
      leadTitle: 'MASH team manager',
      leadUser: 'social-worker',
      leadAgency: 'childrens_services',
      startOn: '2026-04-01',
      dueOn: '2027-03-31',
      successMeasure: 'Concerns screened within one working day',
      targetValue: '95',
      currentValue: '91',
      measureUnit: '%',
      evidenceSource: 'Monthly MASH performance report',
      boardPlanRef: 'Board priority 2',
      status: 'green',
      updates: [{ quarter: q2, status: 'green', narrative: '91% screened within one working day (target 95%).', by: 'social-worker' }],
    },
    {
      ref: '2.3a',
      text: 'Offer every child who has been missing a return home interview within 72 hours of coming back.',
      leadTitle: 'Return home interview service manager',
      leadUser: 'social-worker',
      leadAgency: 'voluntary',
      startOn: '2026-04-01',
      dueOn: '2026-09-30',
      successMeasure: 'Return home interviews offered within 72 hours',
      targetValue: '100',
      currentValue: '100',
      measureUnit: '%',
      evidenceSource: 'Missing children quarterly report',
      boardPlanRef: 'Board priority 2',
      status: 'blue',
      updates: [
        {
          quarter: q2,
          status: 'blue',
          narrative: 'Completed: every child was offered an interview within 72 hours in July to September.',
          by: 'social-worker',
        },
      ],
    },
    {
      ref: '2.4a',
      text: 'Commission therapeutic support for victims as appropriate.',
      leadTitle: 'Commissioning manager',
      leadAgency: 'health',
      dueOn: '2026-08-31',
      status: 'green',
      statusNote: 'Tender extended by the health board; new date being agreed.',
      updates: [{ quarter: q2, status: 'green', narrative: 'Tender out.', by: 'strategy' }],
    },
    {
      ref: '3.2a',
      text: 'Use child abduction warning notices and sexual risk orders wherever they can disrupt a person of concern.',
      leadTitle: 'Detective inspector, exploitation team',
      leadUser: 'police',
      leadAgency: 'police',
      startOn: '2026-04-01',
      dueOn: '2027-03-31',
      successMeasure: 'Disruption notices and orders issued',
      targetValue: '20',
      currentValue: '9',
      measureUnit: 'notices',
      evidenceSource: 'Police disruption log, reported quarterly',
      boardPlanRef: 'Board priority 4',
      status: 'green',
      updates: [{ quarter: q2, status: 'green', narrative: '9 notices issued since April.', by: 'police' }],
    },
    {
      ref: '3.4a',
      text: 'Include child sexual exploitation awareness in the taxi and private hire licence conditions.',
      leadTitle: 'Licensing manager',
      leadAgency: 'partnership',
      startOn: '2026-04-01',
      dueOn: '2026-12-31',
      costPounds: '0',
      successMeasure: 'Licensed drivers who have completed the awareness module',
      targetValue: '100',
      currentValue: '58',
      measureUnit: '%',
      evidenceSource: 'Licensing committee report',
      boardPlanRef: 'Board priority 1',
      status: 'amber',
      updates: [{ quarter: q2, status: 'amber', narrative: 'Condition adopted in June; 58% of drivers trained so far.', by: 'strategy' }],
    },
  ];
}

interface DemoMeasure {
  name: string;
  unit: string;
  baseline: string;
  baselinePeriod: string;
  target: string;
  direction: 'up' | 'down';
  owner: string;
  evidence: string;
  values: [string, string][];
}

const northmereMeasures: DemoMeasure[] = [
  {
    name: 'Staff trained in child sexual exploitation awareness',
    unit: 'staff',
    baseline: '0',
    baselinePeriod: '2025-04-01',
    target: '400',
    direction: 'up',
    owner: 'Board training co-ordinator',
    evidence: 'Board multi-agency training report (quarterly)',
    values: [
      ['2025-07-01', '48'],
      ['2025-10-01', '97'],
      ['2026-01-01', '140'],
      ['2026-04-01', '168'],
      ['2026-07-01', '191'],
    ],
  },
  {
    name: 'Working days from a concern to the multi-agency CSE meeting',
    unit: 'days',
    baseline: '21',
    baselinePeriod: '2025-04-01',
    target: '10',
    direction: 'down',
    owner: 'Exploitation team manager',
    evidence: 'Multi-agency CSE meeting log',
    values: [
      ['2025-07-01', '19'],
      ['2025-10-01', '16'],
      ['2026-01-01', '14'],
      ['2026-04-01', '12'],
      ['2026-07-01', '11'],
    ],
  },
];

const westbrookMeasures: DemoMeasure[] = [
  {
    name: 'Return home interviews offered within 72 hours',
    unit: '%',
    baseline: '61',
    baselinePeriod: '2026-01-01',
    target: '100',
    direction: 'up',
    owner: 'Return home interview service manager',
    evidence: 'Missing children quarterly report',
    values: [
      ['2026-01-01', '61'],
      ['2026-04-01', '84'],
      ['2026-07-01', '100'],
    ],
  },
  {
    name: 'Concerns screened within one working day',
    unit: '%',
    baseline: '78',
    baselinePeriod: '2026-01-01',
    target: '95',
    direction: 'up',
    owner: 'MASH team manager',
    evidence: 'Monthly MASH performance report',
    values: [
      ['2026-01-01', '78'],
      ['2026-04-01', '88'],
      ['2026-07-01', '91'],
    ],
  },
];

export const strategySeed: FeatureSeed = async (tx, context) => {
  for (const p of Object.values(context.partnerships)) {
    const frameworks = await storeFrameworks(tx, p.id);
    const welsh = p.code === 'northmere';
    const framework = welsh ? welshNationalActionPlan2016 : englishExampleFramework;
    const plan = await tx
      .insertInto('strategy_plans')
      .values(
        welsh
          ? {
              partnership_id: p.id,
              framework_id: frameworks[framework.key]!,
              title: 'Child Sexual Exploitation Strategy and Action Plan 2025 to 2027',
              period_start: '2025-04-01',
              period_end: '2027-03-31',
              review_cycle: 'quarterly',
              next_review_on: '2026-12-10',
              named_review: 'Annual review by the Board in October, before the Welsh Government return',
              owning_body: 'Northmere Safeguarding Children Partnership CSE Task Group',
              accountable_to: 'Northmere Safeguarding Children Board, which is scrutinised by the Children and Young People Scrutiny Committee',
              linked_plans:
                'National Action Plan to Tackle Child Sexual Exploitation (Wales) 2016\nAll Wales Protocol: Safeguarding and Promoting the Welfare of Children who are at Risk of Abuse through Sexual Exploitation\nNorthmere Missing Children Protocol',
              source_note: `The RAG statuses and narratives are reproduced from a public council report: ${seed001Return.source} (${seed001Return.reportingBody}, “${seed001Return.title}”). Dates, leads, costs and measures are Lantern demo data.`,
            }
          : {
              partnership_id: p.id,
              framework_id: frameworks[framework.key]!,
              title: 'Tackling Child Sexual Exploitation: Prevent, Protect, Pursue 2026 to 2028',
              period_start: '2026-04-01',
              period_end: '2028-03-31',
              review_cycle: 'quarterly',
              next_review_on: '2027-01-14',
              named_review: 'Full review by the Children’s Select Committee task group each October',
              owning_body: 'Westbrook Safeguarding Children Partnership Exploitation Sub-group',
              accountable_to: 'Westbrook Safeguarding Children Partnership executive, reporting to the Children’s Select Committee',
              linked_plans:
                'Westbrook Missing Children Strategy 2025 to 2028\nCommunity Safety Partnership Plan 2026\nCouncil Business Plan: “protect those who are most vulnerable”',
              source_note: '',
            },
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    await storeActions(tx, p.id, plan.id, framework, welsh ? northmereActions() : westbrookActions(), p.users, p.agencies);
    for (const m of welsh ? northmereMeasures : westbrookMeasures) {
      const measure = await tx
        .insertInto('strategy_measures')
        .values({
          partnership_id: p.id,
          plan_id: plan.id,
          name: m.name,
          unit: m.unit,
          baseline_value: m.baseline,
          baseline_period: m.baselinePeriod,
          target_value: m.target,
          direction: m.direction,
          frequency: 'quarterly',
          owner_title: m.owner,
          evidence_source: m.evidence,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [period, value] of m.values) {
        await tx
          .insertInto('strategy_measure_values')
          .values({
            partnership_id: p.id,
            measure_id: measure.id,
            period_start: period,
            value,
            recorded_by: p.users.strategy ?? null,
            recorded_at: new Date(`${addDays(period, 95)}T10:00:00Z`),
          })
          .execute();
      }
    }
    // Measures Lantern computes each quarter from its own records (src/features/strategy/computed-measures.ts): no values are stored.
    for (const m of [
      {
        name: 'Return home interviews within 72 hours (Lantern records)',
        source: 'return_interviews_72h',
        target: '95',
        owner: 'Missing children co-ordinator',
      },
      { name: 'Concerns decided within the triage deadline', source: 'concerns_within_deadline', target: '100', owner: 'Exploitation team manager' },
    ]) {
      await tx
        .insertInto('strategy_measures')
        .values({
          partnership_id: p.id,
          plan_id: plan.id,
          name: m.name,
          unit: '%',
          target_value: m.target,
          direction: 'up',
          frequency: 'quarterly',
          owner_title: m.owner,
          evidence_source: 'Lantern records (computed)',
          source: m.source,
        })
        .execute();
    }
    const glossary: Record<string, string> = welsh ? seed001Glossary : { RHI: 'return home interview', DSL: 'designated safeguarding lead' };
    for (const [term, expansion] of Object.entries(glossary)) {
      await tx.insertInto('strategy_glossary').values({ partnership_id: p.id, term, expansion }).execute();
    }
  }
};
