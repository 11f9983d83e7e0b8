import { sql } from 'kysely';
import { londonDate, quarterEnd } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { RiskLevel } from '../assessments/risk-level.ts';
import { complianceByAgency, percentage, type ComplianceFigures } from '../assurance/compliance.ts';
import { staffTrainingRecords } from '../assurance/training-records.ts';
import { disruptionQuarters } from '../intelligence/disruption-figures.ts';

/** “3 of 4”, in the language of the page or document being made. */
const t = requestTranslator();

/**
 * Measures Lantern works out from its own records, one value per quarter. Every source returns an
 * aggregate (a count or a percentage) and never a row about a child or a person: board members read
 * these figures. The three that count children's records call SECURITY DEFINER functions (migration
 * 0202_strategy_computed_measures.sql) so that every reader sees the whole partnership's figure,
 * whichever records their own agency may open; the training figure reuses assurance's compliance maths.
 *
 * A quarter with nothing to count has no value (null), never 0%. The Pursue sources count the
 * disruptions recorded (by tactic: every one, charges, convictions) through SECURITY DEFINER functions
 * too (migration 0310), and the median days from first intelligence to first disruption, which has no
 * value in a quarter when no one was first disrupted.
 */
export const measureSources = [
  'entered',
  'children_at_risk',
  'return_interviews_72h',
  'concerns_within_deadline',
  'staff_trained',
  // The Pursue strand's figures, from the disruptions recorded (issue 12 §3; intelligence/disruption-figures.ts, migration 0310).
  'disruptions',
  'disruption_charges',
  'disruption_convictions',
  'days_to_first_disruption',
] as const;
export type MeasureSource = (typeof measureSources)[number];
export type ComputedSource = Exclude<MeasureSource, 'entered'>;

/**
 * Risk levels that count a child as "at risk": medium and high, the child's level by the one rule
 * (lantern_child_risk, migration 0170) as it stood at the quarter's end. Low does not count.
 */
export const atRiskCategories: readonly RiskLevel[] = ['medium', 'high'];

export interface ComputedValue {
  quarterStart: string;
  /** The figure shown; null when there was nothing to count. */
  value: number | null;
  /** What the percentage is of, e.g. "41 of 50"; empty for plain counts. */
  basis: string;
  /** The same as figures (41 and 50), for a document to say in its own language; null for plain counts. */
  of: { part: number; whole: number } | null;
  /** For a median over people (days to first disruption): how many people it is of. */
  persons?: number;
  /**
   * For staff trained: the compliance figures by agency (those the reader has a row for) and overall,
   * so that disclosure control withholds the same figures as the compliance page and the quarterly report.
   */
  compliance?: { byAgency: Map<string, ComplianceFigures>; overall: ComplianceFigures };
}

type Counts = { numerator: number | null; denominator: number | null };

/** One quarter's figure for a computed source. asOf bounds what may count (deadlines passed, training held). */
export async function computeQuarter(tx: Tx, source: ComputedSource, quarterStart: string, asOf: Date): Promise<ComputedValue> {
  if (source === 'children_at_risk') {
    // Open children at the quarter's end with a CSE flag or a risk level then in atRiskCategories.
    const { rows } =
      await sql<Counts>`SELECT numerator, denominator FROM lantern_measure_children_at_risk(${quarterStart}::date, ${atRiskCategories}::text[])`.execute(tx);
    return { quarterStart, value: rows[0]?.numerator ?? 0, basis: '', of: null };
  }
  if (source === 'return_interviews_72h') {
    // Episodes ended by a return in the quarter; how many had an interview offered within 72 hours.
    const { rows } = await sql<Counts>`SELECT numerator, denominator FROM lantern_measure_return_interviews_72h(${quarterStart}::date)`.execute(tx);
    return asPercentage(quarterStart, rows[0]);
  }
  if (source === 'concerns_within_deadline') {
    // Concerns whose triage deadline fell in the quarter (and has passed); how many were decided by it.
    const { rows } =
      await sql<Counts>`SELECT numerator, denominator FROM lantern_measure_concerns_within_deadline(${quarterStart}::date, ${asOf.toISOString()}::timestamptz)`.execute(
        tx,
      );
    return asPercentage(quarterStart, rows[0]);
  }
  if (source === 'disruptions' || source === 'disruption_charges' || source === 'disruption_convictions' || source === 'days_to_first_disruption') {
    const [figures] = await disruptionQuarters(tx, [quarterStart]);
    const value =
      source === 'disruptions'
        ? figures!.total
        : source === 'disruption_charges'
          ? figures!.charges
          : source === 'disruption_convictions'
            ? figures!.convictions
            : figures!.medianDays;
    const basis = source === 'days_to_first_disruption' && value !== null ? t('strategy.measures.basisPersons', { n: figures!.firstDisrupted }) : '';
    return { quarterStart, value, basis, of: null, ...(source === 'days_to_first_disruption' ? { persons: figures!.firstDisrupted } : {}) };
  }
  // staff_trained: the partnership's first training measure (the one the compliance page opens on),
  // worked out at the quarter's end (or today, for the quarter in progress) with compliance.ts.
  const measure = await tx
    .selectFrom('training_measures')
    .select(['course_ids', 'window_months'])
    .orderBy('created_at')
    .orderBy('window_months')
    .orderBy('title')
    .executeTakeFirst();
  if (!measure) return { quarterStart, value: null, basis: '', of: null };
  const today = londonDate(asOf);
  const end = quarterEnd(quarterStart);
  const at = end < today ? end : today;
  const { byAgency, overall: figures } = complianceByAgency(await staffTrainingRecords(tx, measure.course_ids, at), {
    windowMonths: measure.window_months,
    asOf: at,
  });
  const agencies = await tx.selectFrom('agencies').select('id').execute();
  const shown = new Map(agencies.filter((a) => byAgency.has(a.id)).map((a) => [a.id, byAgency.get(a.id)!]));
  return { ...ofWhole(quarterStart, figures.percentage, figures.onTime, figures.due), compliance: { byAgency: shown, overall: figures } };
}

function asPercentage(quarterStart: string, counts: Counts | undefined): ComputedValue {
  const part = counts?.numerator ?? 0;
  const whole = counts?.denominator ?? 0;
  return ofWhole(quarterStart, percentage(part, whole), part, whole);
}

function ofWhole(quarterStart: string, value: number | null, part: number, whole: number): ComputedValue {
  return whole === 0
    ? { quarterStart, value, basis: '', of: null }
    : { quarterStart, value, basis: t('strategy.measures.basisOf', { part, whole }), of: { part, whole } };
}

/** Values for each quarter given, oldest first, leaving out quarters with nothing to count. */
export async function computeQuarters(tx: Tx, source: ComputedSource, quarters: readonly string[], asOf: Date): Promise<ComputedValue[]> {
  const values: ComputedValue[] = [];
  for (const q of quarters) {
    const v = await computeQuarter(tx, source, q, asOf);
    if (v.value !== null) values.push(v);
  }
  return values;
}
