/**
 * Pages with long repeated rows, rendered from synthetic data: the rendering snapshot test
 * (test/unit/rendering-snapshots.test.ts) and the rendering benchmark (bench/render.ts) share them.
 * Every value is made up and derived from the row's index, so a case renders the same every time.
 */
import type nunjucks from 'nunjucks';
import type { TFunction } from 'i18next';
import { apiScopes } from '../../src/authz/policy.ts';
import { navigationEntries } from '../../src/web/navigation.ts';

export interface ViewCase {
  name: string;
  template: string;
  /** The page's own context for `rows` repeated rows; `canAll` false renders what a read-only role sees. */
  context: (rows: number, canAll: boolean) => Record<string, unknown>;
}

const givenNames = ['Olivia', 'Noah', 'Amelia', 'Leo', 'Isla', 'Oscar', 'Ava', 'Arthur', 'Mia', 'Theo'];
// One name carries characters the page must escape, so a template that stops escaping differs.
const familyNames = ['Smith', 'Jones', 'Williams', 'Taylor', 'O’Brien & <Sons>', 'Davies', 'Evans', 'Wilson', 'Thomas', '"Quoted"'];
const agencyNames = ['Northmere Council Children’s Services', 'Northmere Police', 'Northmere Health Board', 'Youth Justice Service', 'Barnardo’s Cymru'];
const rag = ['red', 'amber', 'green', 'blue', 'not-applicable', 'not-rated'] as const;
const roleNames = ['practitioner', 'triage_worker', 'coordinator', 'analyst', 'strategy_lead', 'partnership_admin', 'dpo'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const id = (kind: number, i: number) => `00000000-0000-4000-8${String(kind).padStart(3, '0')}-${String(i).padStart(12, '0')}`;
const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 3 * 86_400_000).toISOString().slice(0, 10);
const moment = (i: number) => new Date(Date.UTC(2026, 0, 1, 8, 15) + i * 7_261_000).toISOString();
const person = (i: number) => `${pick(givenNames, i)} ${pick(familyNames, i * 3)}`;
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

const viewer = { userId: id(1, 0), displayName: 'Alex Example', agencyName: 'Northmere Council', partnershipName: 'Northmere Partnership' };

/** What `reply.page` adds to every page (src/web/app.ts), fixed. */
export function pageContext(t: TFunction, canAll: boolean, currentPath: string): Record<string, unknown> {
  return {
    t,
    config: { demo: false },
    user: viewer,
    can: () => canAll,
    navigation: navigationEntries.map((e) => ({ href: e.href, textKey: e.textKey, active: e.href !== '/' && currentPath.startsWith(e.href) })),
    csrfToken: 'fixed-csrf-token',
    currentPath,
  };
}

export function renderCase(env: nunjucks.Environment, t: TFunction, view: ViewCase, rows: number, canAll = true): string {
  return env.render(view.template, { ...pageContext(t, canAll, '/'), ...view.context(rows, canAll) });
}

const child = {
  id: id(2, 1),
  given_name: 'Olivia',
  family_name: 'O’Brien & <Sons>',
  reference: 'NM-000123',
  current_risk_level: 'high',
  current_risk_source: 'meeting',
  current_risk_source_id: id(9, 0),
  current_risk_on: '2026-11-12',
};
const agencies = agencyNames.map((name, i) => ({ id: id(3, i), name }));

export const viewCases: ViewCase[] = [
  {
    name: 'people (admin)',
    template: 'features/admin/views/users.njk',
    context: (n) => ({
      page: 2,
      hasNext: true,
      users: times(n, (i) => ({
        id: i === 3 ? viewer.userId : id(4, i),
        display_name: person(i),
        email: `person${i}@northmere.example`,
        agency_name: pick(agencyNames, i),
        roles: roleNames.slice(i % 3, (i % 3) + 1 + (i % 2)),
        disabled_at: i % 5 === 1 ? moment(i) : null,
        totp_enrolled_at: i % 5 === 2 ? null : moment(i),
      })),
    }),
  },
  {
    name: 'strategy plan',
    template: 'features/strategy/views/plan.njk',
    context: (n) => {
      const actions = times(n, (i) => ({
        id: id(5, i),
        action_ref: `${1 + (i % 3)}.${1 + (i % 2)}.${i + 1}`,
        text: `Action ${i + 1}: work with ${pick(agencyNames, i)} on return interviews & <disruption>`,
        latest_narrative: i % 3 === 0 ? `Progress for action ${i + 1}` : null,
        lead_title: 'Head of safeguarding',
        lead_agency_name: i % 4 === 0 ? null : pick(agencyNames, i),
        is_mine: i % 7 === 0,
        due_on: i % 6 === 5 ? null : day(i),
        overdue: i % 5 === 0,
        target_value: i % 2 === 0 ? String(10 + i) : null,
        current_value: i % 4 === 0 ? null : String(i),
        measure_unit: 'children',
        status: pick(rag, i),
      }));
      const outcomes = times(6, (o) => ({
        id: `${1 + Math.floor(o / 2)}.${1 + (o % 2)}`,
        text: `Outcome ${o + 1}`,
        actions: actions.filter((_, i) => i % 7 === o),
      }));
      return {
        plan: {
          id: id(6, 1),
          title: 'CSE strategy 2026–2029',
          partnership_name: 'Northmere Partnership',
          agency_name: null,
          source_note: 'Imported from the 2025 plan',
          linked_plans: 'Community safety plan\nHealth board plan',
          framework_name: 'Wales 2016',
          returns_offered: ['welsh-government'],
          period_start: '2026-04-01',
          period_end: '2029-03-31',
          owning_body: 'Regional board',
          accountable_to: 'Chief officers',
          review_cycle: 'quarterly',
          next_review_on: '2026-06-30',
          named_review: 'Annual review',
        },
        ragItems: rag.map((status) => ({ status })),
        findingsByAction: Object.fromEntries(actions.filter((_, i) => i % 4 === 1).map((a, i) => [a.id, 1 + (i % 3)])),
        strands: [
          { number: 1, title: 'Prevent', outcome: 'Children are safer', outcomes: outcomes.slice(0, 2) },
          { number: 2, title: 'Protect', outcome: 'Harm is found early', outcomes: outcomes.slice(2, 4) },
          {
            number: 3,
            title: 'Pursue',
            outcome: 'Perpetrators are disrupted',
            outcomes: [...outcomes.slice(4, 6), { id: '3.3', text: 'Outcome with no actions', actions: [] }],
          },
        ],
      };
    },
  },
  {
    name: 'quarterly report',
    template: 'features/strategy/views/quarterly.njk',
    context: (n) => ({
      planId: id(6, 1),
      quarter: '2026-04-01',
      quarters: times(8, (q) => ({ value: `2026-Q${q}`, text: `Quarter ${q}` })),
      report: {
        quarterLabel: 'April to June 2026',
        disclosure: { controlled: true, notForPublication: false, threshold: 5, symbol: 'c' },
        plan: { title: 'CSE strategy 2026–2029' },
        statusCounts: rag.map((status, i) => ({ status, count: i * 3 })),
        exceptions: times(n, (i) => ({
          ref: `1.${i}`,
          text: `Action ${i} & <more>`,
          status: pick(['red', 'amber'], i),
          overdue: i % 2 === 0,
          dueOn: i % 5 ? day(i) : null,
          leadTitle: 'Lead',
          leadAgency: i % 3 ? pick(agencyNames, i) : null,
        })),
        measures: times(n, (i) => ({
          ref: `2.${i}`,
          measure: `Measure ${i}`,
          target: 10,
          current: i % 4 ? String(i) : null,
          percentOfTarget: i % 3 ? i * 10 : null,
        })),
        performanceMeasures: times(4, (i) => ({
          name: `Performance ${i}`,
          computed: i % 2 === 0,
          target: 5,
          value: i % 3 ? String(i) : null,
          basis: i === 1 ? 'from records' : null,
          onTrack: [true, false, null][i % 3],
        })),
        training: {
          asOf: '2026-06-30',
          compliance: [
            {
              title: 'CSE awareness',
              windowMonths: 36,
              targetPercent: 90,
              // Controlled for a board member (issue 13 §2): one agency's small counts withheld, and the total as their complement.
              byAgency: agencyNames.map((agency, i) =>
                i === 1 ? { agency, due: 'c', onTime: 'c', percentage: 'c' } : { agency, due: 10 + i, onTime: 8 + i, percentage: i === 4 ? null : 80 + i },
              ),
              overall: { due: 'c', onTime: 'c', percentage: 'c' },
            },
          ],
          sessions: times(3, (i) => ({ course: `Course ${i}`, sessions: i + 1, attendees: 10 * (i + 1) })),
        },
        changedThisQuarter: times(n, (i) => ({ ref: `3.${i}`, status: pick(rag, i), narrative: `Narrative ${i} <b>not bold</b>` })),
        lastTwelveMonths: times(4, (i) => ({ label: `Q${i + 1}`, updates: i * 4, completed: i })),
      },
    }),
  },
  {
    name: 'plan import preview',
    template: 'features/strategy/views/import.njk',
    context: (n) => ({
      plan: { id: id(6, 1), title: 'CSE strategy 2026–2029' },
      hasErrors: true,
      rowsJson: '[]',
      preview: {
        fileErrors: [],
        ignoredHeadings: ['Notes', 'RAG (old)'],
        rows: times(n, (i) => ({
          row: i + 2,
          ref: `1.${i}`,
          action: i % 9 === 4 ? null : { text: `Imported action ${i} & <x>`, dueOn: day(i), status: pick(rag, i) },
          errors: i % 9 === 4 ? ['The action is missing.', 'The date is not a date.'] : [],
        })),
      },
    }),
  },
  {
    name: 'strategy action history',
    template: 'features/strategy/views/action.njk',
    context: (n) => ({
      plan: { id: id(6, 1), title: 'CSE strategy 2026–2029' },
      outcome: { id: '1.1', text: 'Children are safer' },
      mayUpdate: true,
      findings: [],
      action: {
        id: id(5, 1),
        action_ref: '1.1.1',
        text: 'Train every school’s safeguarding lead',
        overdue: true,
        status: 'amber',
        status_note: 'Behind <plan>',
        lead_title: 'Head of education',
        lead_user_name: 'Alex Example',
        lead_agency_name: agencyNames[0],
        start_on: '2026-04-01',
        due_on: '2026-12-31',
        cost_pounds: '1200',
        cost_note: 'venue',
        success_measure: 'Leads trained',
        target_value: '40',
        measure_unit: 'leads',
        current_value: '12',
        evidence_source: 'Training records',
        board_plan_ref: 'B-7',
      },
      history: times(n, (i) => ({
        quarter_label: `Quarter ${i}`,
        status: pick(rag, i),
        narrative: `Update ${i} & <notes>`,
        current_value: i % 2 ? String(i) : null,
        status_note: i % 3 === 0 ? 'Note' : null,
        recorded_at: moment(i),
        recorded_by_name: i % 4 ? person(i) : null,
      })),
    }),
  },
  {
    name: 'scrutiny body',
    template: 'features/assurance/views/body.njk',
    context: (n) => ({
      body: { id: id(7, 1), kind: 'committee', name: 'Scrutiny committee', chair: 'Cllr Jones', parent_name: 'Regional board', remit: 'Reviews the strategy' },
      recommendations: times(n, (i) => ({
        id: id(8, i),
        reference: `R${i + 1}`,
        recommendation: `Recommendation ${i} <about> schools`,
        cross_reference: i % 2 ? `Plan 1.${i}` : null,
        response: i % 4 === 0 ? null : pick(['accepted', 'partly_accepted', 'rejected'], i),
        owner: person(i),
        due_on: day(i),
        overdue: i % 3 === 0,
        status: pick(['red', 'amber', 'green', 'blue', 'not-rated'], i),
      })),
      workItems: times(3, (i) => ({ meets_on: day(i), topic: `Topic ${i}`, details: 'Details' })),
      values: {},
    }),
  },
  {
    // One record, not a list: it shares the status tag's classes with the scrutiny body's table.
    name: 'scrutiny recommendation',
    template: 'features/assurance/views/recommendation.njk',
    context: (n) => ({
      canManage: true,
      saved: n > 0,
      values: {},
      responses: ['accepted', 'partly_accepted', 'rejected'],
      ragStatuses: [...rag],
      recommendation: {
        id: id(8, 1),
        body_id: id(7, 1),
        body_name: 'Scrutiny committee',
        reference: 'R1',
        recommendation: 'Schools <report> termly',
        made_on: '2026-02-01',
        cross_reference: null,
        response: n > 0 ? 'accepted' : null,
        response_text: 'Agreed & started',
        owner: 'Head of education',
        due_on: '2026-09-30',
        status: pick(rag, n + 4),
        evidence_source: 'Minutes',
      },
    }),
  },
  {
    name: 'meetings and plan',
    template: 'features/casework/views/meetings.njk',
    context: (n) => ({
      child,
      childNav: true,
      agencies,
      riskLevels: ['low', 'medium', 'high'],
      referralStatuses: ['referred', 'accepted', 'waiting', 'attending', 'completed', 'declined_by_service', 'declined_by_child', 'withdrawn'],
      meetings: times(3, (i) => ({
        id: id(9, i),
        meeting_kind: pick(['meeting', 'discussion'], i),
        held_on: day(i),
        agencyNames: agencyNames.slice(0, 2 + i),
        attendees: 'A, B & <C>',
        decisions: 'Decided',
        risk_level: pick(['low', 'medium', 'high'], i),
        next_review_on: i ? day(i + 30) : null,
      })),
      actions: times(n, (i) => ({
        id: id(10, i),
        description: `Plan action ${i} & <visit>`,
        owner_name: person(i),
        agency_name: pick(agencyNames, i),
        due_on: day(i),
        done_at: i % 3 === 0 ? moment(i) : null,
        overdue: i % 3 === 1,
      })),
      referrals: times(Math.max(1, Math.ceil(n / 10)), (i) => ({
        id: id(11, i),
        service_name: `Service ${i} & <Co>`,
        provider: 'Provider',
        referred_on: day(i),
        referred_by_name: person(i),
        agency_name: pick(agencyNames, i),
        status: pick(['referred', 'accepted', 'waiting', 'attending', 'completed', 'declined_by_service', 'declined_by_child', 'withdrawn'], i),
        outcome_note: i % 2 ? 'Outcome <note>' : null,
      })),
      services: times(3, (i) => ({
        id: id(12, i),
        name: `Service ${i}`,
        provider: 'Provider',
        for_whom: 'Young people',
        age_from: 10,
        age_to: 18,
        area: 'Northmere',
      })),
      serviceSearch: 'mentoring',
      referralValues: {},
      actionValues: {},
      values: {},
    }),
  },
  {
    name: 'missing episodes',
    template: 'features/casework/views/missing.njk',
    context: (n) => ({
      child,
      childNav: true,
      episodeTypes: ['missing', 'absent'],
      episodeRiskLevels: ['low', 'medium', 'high'],
      values: {},
      episodes: times(n, (i) => {
        const open = i === 0;
        const interviewed = !open && i % 3 === 1;
        return {
          id: id(13, i),
          episode_type: pick(['missing', 'absent'], i),
          started_at: moment(i),
          ended_at: open ? null : moment(i + 1),
          ended_by: i % 7 === 2 ? 'type_changed' : 'returned',
          reported_by: person(i),
          risk_level: pick(['low', 'medium', 'high'], i),
          where_found: i % 2 ? 'Bus station & <park>' : null,
          police_reference: i % 3 ? `NP-${1000 + i}` : null,
          interview: interviewed
            ? {
                id: id(40, i),
                outcome: pick(['accepted', 'declined'], i),
                offered_at: moment(i + 2),
                interviewer_name: person(i + 1),
                agency_name: pick(agencyNames, i),
                independent_of_placement: i % 2 === 0,
                learned: i % 4 === 1 ? 'Line one\nLine <two>' : null,
                places_mentioned: i % 5 === 1 ? ['Park', 'Station'] : [],
                people_mentioned: i % 6 === 1 ? ['“Dee”'] : [],
              }
            : null,
          interviewDue: !open && !interviewed && i % 3 === 2 ? moment(i + 3) : null,
          interviewOverdue: i % 2 === 0,
        };
      }),
    }),
  },
  {
    name: 'break-glass alerts',
    template: 'features/children/views/alerts.njk',
    context: (n) => ({
      values: {},
      alerts: times(n, (i) => ({
        id: id(14, i),
        granted_at: moment(i),
        display_name: person(i),
        email: `p${i}@northmere.example`,
        child_id: id(2, i),
        reason: `Reason ${i} <urgent>`,
        expires_at: moment(i + 5),
        acknowledged_at: i % 3 === 0 ? moment(i + 1) : null,
      })),
      lifted: times(Math.ceil(n / 2), (i) => ({
        id: id(15, i),
        changed_at: moment(i),
        display_name: person(i),
        email: `p${i}@northmere.example`,
        child_id: id(2, i),
        reference: `NM-${i}`,
        reason: 'Lifted & <why>',
        acknowledged_at: i % 2 ? moment(i + 1) : null,
      })),
      restrictedRecords: times(3, (i) => ({
        id: id(16, i),
        reference: `NM-R${i}`,
        owning_agency: pick(agencyNames, i),
        restricted_reason: i ? 'High-profile family' : null,
      })),
    }),
  },
  {
    name: 'API tokens',
    template: 'features/children/views/api-tokens.njk',
    context: (n) => ({
      values: {},
      issuableRoles: ['practitioner', 'analyst'],
      apiTokenLifetimes: [30, 90, 365],
      apiScopes,
      tokens: times(n, (i) => ({
        id: id(17, i),
        name: `Case system ${i} <sync>`,
        agency: pick(agencyNames, i),
        roles: roleNames.slice(0, 1 + (i % 2)),
        scopes: apiScopes.slice(0, 1 + (i % 4)),
        issued_by: person(i),
        approved_by: i % 2 ? person(i + 1) : null,
        approved_at: i % 2 ? moment(i) : null,
        last_used_at: i % 3 ? moment(i) : null,
        expires_at: moment(i + 100),
        revoked_at: i % 5 === 4 ? moment(i) : null,
        expired: i % 7 === 6,
        canApprove: i % 2 === 0,
      })),
    }),
  },
  {
    name: 'allocating a worker',
    template: 'features/children/views/involvement-new.njk',
    context: (n) => ({
      child,
      agencies,
      agency: agencies[1],
      values: { agencyId: agencies[1]!.id, workerUserId: n > 3 ? id(4, 3) : undefined },
      workers: times(n, (i) => ({ id: id(4, i), display_name: person(i) })),
    }),
  },
  {
    name: 'triage queue',
    template: 'features/children/views/triage.njk',
    context: (n) => ({
      triageHours: 24,
      breaches: { total: 40, late: 3, overdue: 2 },
      waiting: n + 12,
      waitingCapped: false,
      open: times(n, (i) => ({
        id: id(18, i),
        reference: `C-${1000 + i}`,
        received_at: moment(i),
        source: pick(['public', 'professional', 'member', 'partner_system'], i),
        minutesLeft: i % 4 === 0 ? -(30 + i * 7) : 60 + i * 13,
        breached: i % 4 === 0,
        decided_at: null,
      })),
      decided: times(25, (i) => ({
        id: id(19, i),
        reference: `C-${900 + i}`,
        decision: pick(['not_cse', 'cse_concern', 'already_known'], i),
        risk_level: i % 2 ? pick(['low', 'medium', 'high'], i) : null,
        acting_agency: i % 3 ? pick(agencyNames, i) : null,
        minutesLeft: 100 - i * 10,
        breached: i % 5 === 0,
        decided_at: moment(i),
      })),
    }),
  },
  {
    // One concern, with the search results to link it to: it shares the time left with the queue's rows.
    name: 'triage a concern',
    template: 'features/children/views/concern.njk',
    context: (n) => ({
      minutesLeft: n > 0 ? 130 : -75,
      breached: n === 0,
      concern: {
        id: id(18, 1),
        reference: 'C-1001',
        received_at: moment(1),
        deadline_at: moment(12),
        source: 'professional',
        raised_by_agency: agencyNames[1],
        what_happened: 'Seen with older men & <adults>\nat the station',
        where_text: 'Station',
        when_text: 'Friday',
        occurred_on: '2026-01-02',
        about_text: 'A girl, about 14',
        anonymous: false,
        contact_text: 'PC Example',
        child_id: null,
        decision: n > 0 ? null : 'cse_concern',
        risk_level: 'high',
        acting_agency: agencyNames[0],
        decision_notes: 'Strategy meeting',
        decided_at: n > 0 ? null : moment(20),
      },
      values: {},
      searchValues: { name: 'Olivia' },
      decisions: ['not_cse', 'cse_concern', 'already_known'],
      riskLevels: ['low', 'medium', 'high'],
      agencies,
      genders: ['female', 'male'],
      matches: times(n, (i) => ({
        id: id(2, i),
        given_name: pick(givenNames, i),
        family_name: pick(familyNames, i * 3),
        reference: `NM-${i}`,
        date_of_birth: i % 4 ? day(i - 5000) : null,
        strength: pick(['likely', 'possible', 'none'], i),
        status: 'open',
      })),
    }),
  },
  {
    name: 'children list',
    template: 'features/children/views/children.njk',
    context: (n) => ({
      values: {},
      status: 'open',
      page: 2,
      hasNext: true,
      filters: {
        status: 'open',
        risk: ['high'],
        flag: ['looked_after', 'trafficking_nrm'],
        agency: agencies[0]?.id,
        worker: undefined,
        locality: undefined,
        age: '13to15',
        missing: true,
        sort: 'risk',
        page: 2,
      },
      filtered: true,
      count: 3 * n,
      countCapped: false,
      countCap: 1000,
      exportCap: 5000,
      lastPage: 3,
      exportQuery: 'status=open&risk=high&sort=risk',
      pageHref: (page: number) => `/children?status=open&risk=high&sort=risk&page=${page}`,
      riskFilters: ['low', 'medium', 'high', 'none'],
      flagKinds: ['looked_after', 'child_protection_plan', 'trafficking_nrm'],
      ageBands: ['under10', '10to12', '13to15', '16to17', '18plus'],
      listSorts: ['name', 'reference', 'risk', 'age', 'activity'],
      agencies,
      localities: [{ id: id(9, 1), name: 'Riverside' }],
      workers: [{ id: id(9, 2), display_name: 'Casey Madeup' }],
      children: times(n, (i) => ({
        flags: i % 3 ? [] : ['looked_after', 'trafficking_nrm'],
        id: id(2, i),
        given_name: pick(givenNames, i),
        family_name: pick(familyNames, i * 3),
        reference: `NM-${100000 + i}`,
        date_of_birth: i % 9 ? day(i - 5000) : null,
        status: i % 6 ? 'open' : 'closed',
        risk_level: i % 4 ? pick(['low', 'medium', 'high'], i) : null,
      })),
    }),
  },
  {
    name: 'children search',
    template: 'features/children/views/children.njk',
    context: (n) => ({
      values: { name: 'Jones' },
      searched: true,
      restrictedMatch: true,
      matches: times(n, (i) => ({
        id: id(2, i),
        given_name: pick(givenNames, i),
        family_name: pick(familyNames, i * 3),
        reference: `NM-${100000 + i}`,
        date_of_birth: day(i - 5000),
        status: 'open',
        risk_level: null,
        strength: pick(['likely', 'possible', 'none'], i),
      })),
    }),
  },
  {
    // A child's record: its access-log panel is the audit trail's table, one row per recent access.
    name: 'child record',
    template: 'features/children/views/child.njk',
    context: (n) => ({
      active: 'overview',
      values: {},
      age: 14,
      ownPartnership: true,
      closingOutcomes: ['risk_reduced', 'moved_away'],
      agencies,
      child: {
        ...child,
        status: 'open',
        flag_cse: true,
        looked_after: true,
        placement: 'Foster care',
        date_of_birth: '2012-03-14',
        gender: 'female',
        aliases: ['Liv'],
        first_language: 'Welsh',
        ethnicity: null,
        owning_agency: agencyNames[0],
        school: 'Northmere High',
        education_status: null,
        send: null,
        child_protection_plan: true,
        may_manage_shares: true,
        may_lift_restriction: false,
      },
      involvements: times(3, (i) => ({
        agency: pick(agencyNames, i),
        worker: i ? person(i) : null,
        started_on: day(i),
        ended_on: i === 2 ? day(i + 9) : null,
        ...(i === 1
          ? { contact_name: 'Jordan Notreal', contact_role: 'Detective sergeant', contact_phone: '01632 960003', contact_email: 'j.notreal@police.example.org' }
          : {}),
      })),
      addresses: times(2, (i) => ({
        line1: `${i + 1} High Street`,
        town: 'Northmere',
        postcode: i ? 'NM1 1AA' : null,
        from_date: day(i),
        to_date: i ? null : day(i + 30),
      })),
      concerns: times(2, (i) => ({ id: id(18, i), reference: `C-${i}`, received_at: moment(i), decision: i ? 'cse_concern' : null })),
      shares: [
        { id: id(20, 1), agency: agencyNames[2], lawful_basis: 'Children Act 2004 s.11', created_at: moment(3), recipient_agency_ids: null },
        {
          id: id(20, 2),
          agency: agencyNames[1],
          lawful_basis: 'Children Act 1989 s.47 strategy discussion',
          created_at: moment(4),
          recipient_agency_ids: null,
          automatic_source: 'strategy_meeting',
          source_meeting_on: day(4),
          source_meeting_kind: 'discussion',
          source_action: null,
        },
      ],
      partnershipShares: [],
      agreements: [],
      history: [],
      events: times(n, (i) => ({
        occurred_at: moment(i),
        actor_label: `${person(i)} <p${i}@northmere.example>`,
        action: pick(['record.view', 'record.update', 'made.up'], i),
        record_type: 'child',
        record_id: child.id,
        reason: i % 4 ? null : 'Break glass & <why>',
      })),
    }),
  },
  {
    name: 'audit trail',
    template: 'features/audit-log/views/audit.njk',
    context: (n) => ({
      values: {},
      page: 1,
      hasNext: true,
      query: 'action=record.view',
      events: times(n, (i) => ({
        occurred_at: moment(i),
        actor_label: `${person(i)} <p${i}@northmere.example>`,
        action: pick(['record.view', 'record.update', 'search', 'made.up'], i),
        record_type: i % 3 ? 'child' : null,
        record_id: id(2, i),
        record_reference: i % 3 && i % 5 ? `NM-${1000 + i}` : null,
        reason: i % 4 ? null : 'Break glass & <why>',
      })),
    }),
  },
  {
    name: 'worklist',
    template: 'features/casework/views/worklists.njk',
    context: (n) => ({
      query: { show: 'interviews', whose: 'all', agency: '', sort: 'due', page: 1 },
      available: ['children', 'triage', 'reviews', 'interviews', 'actions', 'meetings', 'agencyActions', 'agencyMeetings'],
      agencies,
      pageSize: 50,
      lists: {
        interviews: {
          total: n + 20,
          capped: false,
          rows: times(n, (i) => ({
            child_id: i % 9 ? id(2, i) : null,
            given_name: pick(givenNames, i),
            family_name: pick(familyNames, i * 3),
            reference: `NM-${i}`,
            due: i % 2 ? moment(i) : day(i),
            reason: pick(['missing', 'absent'], i),
          })),
        },
      },
    }),
  },
  {
    name: 'child chronology',
    template: 'features/casework/views/chronology.njk',
    context: (n) => ({
      child,
      childNav: true,
      agencies,
      kinds: ['concern', 'triage', 'meeting', 'missing', 'case_note'],
      filters: { types: ['concern'], agency: undefined },
      filtered: true,
      query: '?type=concern',
      withheld: Math.floor(n / 7),
      entries: times(n, (i) => ({
        kind: 'concern',
        when: `${1 + (i % 28)} Mar 2026, 09:00`,
        daysSincePrevious: i === 0 ? null : i % 9,
        withheld: i % 7 === 3,
        ...pick(
          [
            { type: 'Concern', agencies: 'Police <A>', summary: 'Concern C-1 received (Member of the public)', detail: '', who: '' },
            { type: 'Triage decision', agencies: 'Children’s Services', summary: 'CSE concern. High risk', detail: 'Notes <b>', who: '' },
            { type: 'Strategy meeting', agencies: 'Police, Health', summary: 'Strategy meeting. Medium risk', detail: 'Safety plan\nagreed', who: '' },
            { type: 'Case note', agencies: 'Children’s Services', summary: 'Spoke with the child', detail: '', who: person(i) },
          ],
          i,
        ),
      })),
    }),
  },
  {
    name: 'roles granted',
    template: 'features/audit-log/views/roles-granted.njk',
    context: (n) => ({
      page: 1,
      hasNext: false,
      highRoles: ['dpo', 'partnership_admin'],
      grants: times(n, (i) => ({
        occurred_at: moment(i),
        actor_label: person(i),
        subject: person(i + 1),
        via: i % 4 ? 'user' : 'sharing_agreement',
        added: roleNames.slice(i % 5, (i % 5) + 2),
        roles_now: roleNames.slice(0, 1 + (i % 3)),
      })),
    }),
  },
];
