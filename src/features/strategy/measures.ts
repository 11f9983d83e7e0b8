import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { addQuarters, londonDate, quarterOf } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { count, rateShown, uncontrolled, type Disclosure } from '../disclosure/publish.ts';
import { publishCompliance } from '../assurance/compliance-published.ts';
import { computeQuarters, type ComputedSource, type ComputedValue } from './computed-measures.ts';
import { StrategyValidationError } from './errors.ts';
import { quarterLabel } from './progress.ts';
import { measureChartSvg } from './reports/chart.ts';
import { loadPlan } from './repository.ts';
import { disclosureIn } from '../disclosure/publish.ts';
import type { MeasureForm, MeasureValueForm } from './schema.ts';

/** A plan's performance measures: values entered each period, or computed each quarter from Lantern's records. */
export class MeasureService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private currentQuarter() {
    return quarterOf(londonDate(this.clock.now()));
  }

  /**
   * The plan's performance measures, each with its values over time and a chart of them. Board
   * members get controlled figures (issue 13 §2): a withheld value is the symbol in the table and a
   * gap in the chart; the roles that may read raw figures get them, marked "Not for publication".
   */
  listMeasures(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plan = await loadPlan(tx, planId);
      const disclosure = await disclosureIn(tx, user);
      const measures = await measuresWithPoints(
        tx,
        planId,
        reportingQuarters(plan.period_start, plan.period_end, this.currentQuarter()),
        this.clock,
        disclosure,
      );
      const result = [];
      for (const m of measures) {
        result.push({
          ...m,
          chart:
            m.points.length === 0
              ? ''
              : await measureChartSvg({
                  points: m.points.map((p) => ({ period: p.period, value: typeof p.value === 'number' ? p.value : null })),
                  target: Number(m.target_value),
                  baseline: m.baseline_value === null ? null : Number(m.baseline_value),
                  unit: m.unit,
                }),
        });
      }
      return { plan, measures: result, disclosure, anyWithheld: result.some((m) => m.points.some((p) => p.withheld)) };
    });
  }

  planOfMeasure(user: SessionUser, measureId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx.selectFrom('strategy_measures').select('plan_id').where('id', '=', measureId).executeTakeFirst();
      if (!row) throw notFound();
      return row.plan_id;
    });
  }

  addMeasure(user: SessionUser, planId: string, form: MeasureForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await loadPlan(tx, planId);
      const clash = await tx.selectFrom('strategy_measures').select('id').where('plan_id', '=', planId).where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new StrategyValidationError('name', 'strategy.validation.measureNameInUse');
      const row = await tx
        .insertInto('strategy_measures')
        .values({
          partnership_id: user.partnershipId,
          plan_id: planId,
          name: form.name,
          unit: form.unit,
          baseline_value: form.baselineValue,
          baseline_period: form.baselinePeriod,
          target_value: form.targetValue,
          direction: form.direction,
          frequency: form.frequency,
          owner_title: form.ownerTitle,
          evidence_source: form.evidenceSource,
          source: form.source,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_measure', recordId: row.id, details: { name: form.name, source: form.source } });
      return row.id;
    });
  }

  /** Enters a period's value; entering the same period again replaces it, and the audit row keeps the old value. */
  recordMeasureValue(user: SessionUser, measureId: string, form: MeasureValueForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const measure = await tx.selectFrom('strategy_measures').select(['id', 'plan_id', 'source']).where('id', '=', measureId).executeTakeFirst();
      if (!measure) throw notFound();
      if (measure.source !== 'entered') throw new StrategyValidationError(`value-${measureId}`, 'strategy.validation.computedMeasure');
      if (form.periodStart > this.currentQuarter()) throw new StrategyValidationError('periodStart', 'strategy.validation.futureQuarter');
      const before = await tx
        .selectFrom('strategy_measure_values')
        .select(['id', 'value'])
        .where('measure_id', '=', measureId)
        .where('period_start', '=', form.periodStart)
        .executeTakeFirst();
      if (before) {
        await tx
          .updateTable('strategy_measure_values')
          .set({ value: form.value, note: form.note, recorded_by: user.userId, recorded_at: this.clock.now() })
          .where('id', '=', before.id)
          .execute();
      } else {
        await tx
          .insertInto('strategy_measure_values')
          .values({
            partnership_id: user.partnershipId,
            measure_id: measureId,
            period_start: form.periodStart,
            value: form.value,
            note: form.note,
            recorded_by: user.userId,
            recorded_at: this.clock.now(),
          })
          .execute();
      }
      await act.audit({
        action: 'record.update',
        recordType: 'strategy_measure',
        recordId: measureId,
        details: { period: form.periodStart, value: { from: before?.value ?? null, to: form.value } },
      });
      return measure.plan_id;
    });
  }
}

/** Quarters a plan's computed measures are worked out for: within the plan's period, the last eight up to lastQuarter. */
export function reportingQuarters(periodStart: string, periodEnd: string, lastQuarter: string): string[] {
  const first = quarterOf(periodStart);
  const last = [lastQuarter, quarterOf(periodEnd)].sort()[0]!;
  const quarters: string[] = [];
  for (let q = last; q >= first && quarters.length < 8; q = addQuarters(q, -1)) quarters.unshift(q);
  return quarters;
}

/** Sources whose value is a plain count of records (children, disruptions): controlled as a count. */
const countSources: readonly string[] = ['children_at_risk', 'disruptions', 'disruption_charges', 'disruption_convictions'];

/** “3 of 4”, in the language of the page or document being made. */
const t = requestTranslator();

/**
 * A computed quarter's figure as this reader may see it: a count through the control; a percentage
 * with its numerator and denominator (the symbol when either is withheld); a median with how many
 * people it is of (the symbol when that is).
 */
function controlledPoint(d: Disclosure, source: ComputedSource, v: ComputedValue) {
  const raw = v.value!;
  let value: number | string = raw;
  let of: { part: number | string; whole: number | string } | null = v.of;
  let note = v.basis;
  if (countSources.includes(source)) value = count(d, raw);
  else if (v.compliance && d.controlled) {
    // Staff trained is the all-agencies row of training compliance: withheld as that table withholds it.
    const { overall } = publishCompliance(d, v.compliance.byAgency, v.compliance.overall);
    of = { part: overall.onTime, whole: overall.due };
    value = typeof overall.percentage === 'number' ? overall.percentage : d.symbol;
    note = t('strategy.measures.basisOf', { part: of.part, whole: of.whole });
  } else if (v.of) {
    value = rateShown(d, v.of.part, v.of.whole, raw);
    of = { part: count(d, v.of.part), whole: count(d, v.of.whole) };
    if (d.controlled) note = t('strategy.measures.basisOf', { part: of.part, whole: of.whole });
  } else if (v.persons !== undefined) {
    const persons = count(d, v.persons);
    if (persons !== v.persons) {
      value = d.symbol;
      note = t('strategy.measures.basisPersons', { n: persons });
    }
  }
  return { value, of, note, withheld: value !== raw };
}

/** An entered value: a whole number with a unit that is not a percentage or money is a count, and controlled. */
export function controlledEntered(d: Disclosure, unit: string, raw: number): number | string {
  const u = unit.trim();
  if (u === '%' || u === '£' || u.toUpperCase() === 'GBP' || !Number.isInteger(raw) || raw < 0) return raw;
  return count(d, raw);
}

/**
 * Measures with their values: entered ones from strategy_measure_values, computed ones worked out per
 * quarter; each value as `disclosure`'s reader may see it (a number, or the symbol when withheld).
 */
export async function measuresWithPoints(tx: Tx, planId: string, quarters: readonly string[], clock: Clock, disclosure: Disclosure = uncontrolled) {
  const measures = await tx.selectFrom('strategy_measures').selectAll().where('plan_id', '=', planId).orderBy('name').execute();
  const values =
    measures.length === 0
      ? []
      : await tx
          .selectFrom('strategy_measure_values')
          .select(['measure_id', 'period_start', 'value', 'note', 'recorded_at'])
          .where(
            'measure_id',
            'in',
            measures.map((m) => m.id),
          )
          .orderBy('period_start')
          .execute();
  const result = [];
  for (const m of measures) {
    const computed = m.source !== 'entered';
    const points = computed
      ? (await computeQuarters(tx, m.source as ComputedSource, quarters, clock.now())).map((v) => {
          const shown = controlledPoint(disclosure, m.source as ComputedSource, v);
          return { period: v.quarterStart, value: shown.value, note: shown.note, of: shown.of, label: quarterLabel(v.quarterStart), withheld: shown.withheld };
        })
      : values
          .filter((v) => v.measure_id === m.id)
          .map((v) => {
            const value = controlledEntered(disclosure, m.unit, Number(v.value));
            return {
              period: v.period_start,
              value,
              note: v.note,
              of: null,
              label: quarterLabel(quarterOf(v.period_start)),
              withheld: typeof value === 'string',
            };
          });
    const latest = points.at(-1);
    const target = Number(m.target_value);
    // A withheld figure says nothing against its target either.
    const onTrack = latest === undefined || typeof latest.value !== 'number' ? null : m.direction === 'up' ? latest.value >= target : latest.value <= target;
    result.push({ ...m, computed, points, latest, onTrack });
  }
  return result;
}
