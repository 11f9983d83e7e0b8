import { sql } from 'kysely';
import { addQuarters, londonDate, quarterEnd } from '../../dates.ts';
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

/** Sources whose quarterly figures are stored (migration 0595): the same for every reader of the partnership. */
const storedSources: readonly ComputedSource[] = [
  'children_at_risk',
  'return_interviews_72h',
  'concerns_within_deadline',
  'disruptions',
  'disruption_charges',
  'disruption_convictions',
  'days_to_first_disruption',
];

/** What is stored of a quarter's figure: numbers only (the basis is said again in the reader's language). */
interface StoredFigures {
  value: number | null;
  part?: number;
  whole?: number;
  persons?: number;
}

function toStored(v: ComputedValue): StoredFigures {
  return { value: v.value, ...(v.of ? { part: v.of.part, whole: v.of.whole } : {}), ...(v.persons !== undefined ? { persons: v.persons } : {}) };
}

function fromStored(source: ComputedSource, quarterStart: string, f: StoredFigures): ComputedValue {
  if (source === 'days_to_first_disruption') {
    const persons = f.persons ?? 0;
    return { quarterStart, value: f.value, basis: f.value !== null ? t('strategy.measures.basisPersons', { n: persons }) : '', of: null, persons };
  }
  if (f.part !== undefined && f.whole !== undefined) return ofWhole(quarterStart, f.value, f.part, f.whole);
  return { quarterStart, value: f.value, basis: '', of: null };
}

/**
 * A quarter is closed once it ended before asOf's day (London), with a day to spare for time zones: its
 * figure then depends on the records alone, not on the clock (every deadline in it has passed).
 */
function isClosed(quarterStart: string, asOf: Date): boolean {
  return addQuarters(quarterStart, 1) < londonDate(asOf);
}

/**
 * Each quarter's figure, worked out or stored (docs/DECISIONS.md 49): a closed quarter's stored figure is
 * reused while the fingerprint of the records its function reads is the one it was stored with; otherwise
 * it is worked out and stored again. The quarter in progress (and staff trained, worked out under the
 * reader's own row-level security) is always worked out.
 */
async function figuresOf(tx: Tx, source: ComputedSource, quarters: readonly string[], asOf: Date): Promise<ComputedValue[]> {
  const closed = storedSources.includes(source) ? quarters.filter((q) => isClosed(q, asOf)) : [];
  if (closed.length === 0) {
    const values: ComputedValue[] = [];
    for (const q of quarters) values.push(await computeQuarter(tx, source, q, asOf));
    return values;
  }
  const { rows } = await sql<{ fingerprint: string | null }>`SELECT lantern_measure_fingerprint(${source}) AS fingerprint`.execute(tx);
  const fingerprint = rows[0]?.fingerprint ?? null;
  const stored =
    fingerprint === null
      ? []
      : await tx
          .selectFrom('strategy_measure_quarter_values')
          .select([sql<string>`quarter_start::text`.as('quarter_start'), 'figures'])
          .where('source', '=', source)
          .where('fingerprint', '=', fingerprint)
          .where(sql<string>`quarter_start::text`, 'in', closed)
          .execute();
  const found = new Map(stored.map((s) => [s.quarter_start, s.figures as unknown as StoredFigures]));
  const values: ComputedValue[] = [];
  for (const q of quarters) {
    const kept = found.get(q);
    if (kept) {
      values.push(fromStored(source, q, kept));
      continue;
    }
    const v = await computeQuarter(tx, source, q, asOf);
    values.push(v);
    if (fingerprint !== null && closed.includes(q)) {
      await sql`INSERT INTO strategy_measure_quarter_values (partnership_id, source, quarter_start, fingerprint, computed_at, figures)
                VALUES (lantern_partnership(), ${source}, ${q}::date, ${fingerprint}, ${asOf.toISOString()}::timestamptz, ${JSON.stringify(toStored(v))}::jsonb)
                ON CONFLICT (partnership_id, source, quarter_start)
                DO UPDATE SET fingerprint = excluded.fingerprint, computed_at = excluded.computed_at, figures = excluded.figures`.execute(tx);
    }
  }
  return values;
}

/** Values for each quarter given, oldest first, leaving out quarters with nothing to count. */
export async function computeQuarters(tx: Tx, source: ComputedSource, quarters: readonly string[], asOf: Date): Promise<ComputedValue[]> {
  return (await figuresOf(tx, source, quarters, asOf)).filter((v) => v.value !== null);
}
