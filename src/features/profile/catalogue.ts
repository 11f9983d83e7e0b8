// What the problem profile counts (issue 13 §1): every measure, its breakdowns and their categories,
// as stable machine keys (labels: locales profile.json). The order here is the order of the tables.
// Every breakdown is a partition: each child, concern, episode … falls in exactly one category, so the
// Total of a group is the sum of its categories. Categories with no records are 0, never missing.
import { agencyKinds } from '../../authz/roles.ts';
import { audiences } from '../assurance/schema.ts';
import { closingOutcomes } from '../children/schema.ts';
import { disruptionTactics } from '../intelligence/disruption-schema.ts';

const yesNo = ['yes', 'no'] as const;

/** The characteristics every children's measure is broken down by. */
const childBreakdowns = {
  risk_level: ['high', 'medium', 'low', 'not_assessed'],
  age_band: ['under_10', '10_to_12', '13_to_15', '16_to_17', '18_and_over', 'not_known'],
  sex: ['female', 'male', 'other', 'not_known'],
  // ONS 2021 census high-level groups: published in aggregate only, never a risk factor.
  ethnicity: ['asian', 'black', 'mixed', 'white', 'other', 'not_known'],
  send: yesNo,
  looked_after: yesNo,
  child_protection_plan: yesNo,
  missing_education: yesNo,
} as const;

export interface MeasureDefinition {
  /** Which themes the page groups it under. */
  section: 'children' | 'concerns' | 'missing' | 'meetings' | 'intelligence' | 'awareness';
  breakdowns: Readonly<Record<string, readonly string[]>>;
  /** Counted for the whole partnership only (not about a child, so no locality). */
  partnershipOnly?: boolean;
}

export const measures = {
  children_at_risk: { section: 'children', breakdowns: childBreakdowns },
  new_identifications: { section: 'children', breakdowns: childBreakdowns },
  children_looked_after: { section: 'children', breakdowns: { placement: ['placed_in_area', 'placed_here_by_other_authority', 'placed_out_of_area'] } },
  cases_closed: { section: 'children', breakdowns: { closing_outcome: closingOutcomes } },
  concerns: {
    section: 'concerns',
    breakdowns: {
      source: [
        'professional',
        'member',
        'partner_system',
        'public_general',
        'public_parent_carer',
        'public_taxi_driver',
        'public_hotel_takeaway',
        'public_school_staff',
        'public_young_person',
        'public_other',
        'public_not_stated',
      ],
      decision_time: ['within_4_hours', '4_to_24_hours', '1_to_3_days', 'over_3_days', 'not_decided'],
      decision: ['cse_concern', 'not_cse', 'already_known', 'not_decided'],
    },
  },
  missing_episodes: { section: 'missing', breakdowns: { episode_type: ['missing', 'absent'] } },
  children_missing: { section: 'missing', breakdowns: { episodes: ['one', 'repeat'] } },
  returns: {
    section: 'missing',
    breakdowns: {
      interview_offered: ['within_72_hours', 'after_72_hours', 'not_offered'],
      interview_held: ['within_72_hours', 'after_72_hours', 'not_held'],
    },
  },
  strategy_meetings: { section: 'meetings', breakdowns: { meeting_kind: ['meeting', 'discussion'] } },
  plan_actions: { section: 'meetings', breakdowns: { status: ['open', 'done'] } },
  mace_agenda_items: { section: 'meetings', partnershipOnly: true, breakdowns: { section: ['victims', 'offenders', 'locations', 'themes'] } },
  persons_of_concern: {
    section: 'intelligence',
    partnershipOnly: true,
    breakdowns: { status: ['active', 'charged', 'convicted', 'deceased', 'no_further_action'] },
  },
  disruptions: { section: 'intelligence', partnershipOnly: true, breakdowns: { tactic: disruptionTactics } },
  training_attendance: { section: 'awareness', partnershipOnly: true, breakdowns: { agency_kind: agencyKinds } },
  campaign_reach: { section: 'awareness', partnershipOnly: true, breakdowns: { audience: audiences } },
} as const satisfies Record<string, MeasureDefinition>;

export type MeasureKey = keyof typeof measures;
export const measureKeys = Object.keys(measures) as MeasureKey[];
export const sections = ['children', 'concerns', 'missing', 'meetings', 'intelligence', 'awareness'] as const;

/** The category every group carries: the sum of its categories. */
export const total = 'Total';

/** The headline figures the trend and the area comparison follow (each a measure's Total). */
export const headlineMeasures = ['children_at_risk', 'new_identifications', 'concerns', 'missing_episodes', 'strategy_meetings', 'disruptions'] as const;
export type HeadlineMeasure = (typeof headlineMeasures)[number];
/** The headline figures counted per locality (about a child), which the area comparison shows. */
export const comparedMeasures = ['children_at_risk', 'new_identifications', 'concerns', 'missing_episodes', 'strategy_meetings'] as const;
