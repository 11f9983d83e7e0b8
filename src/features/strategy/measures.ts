import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { addQuarters, londonDate, quarterOf } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { computeQuarters, type ComputedSource } from './computed-measures.ts';
import { StrategyValidationError } from './errors.ts';
import { quarterLabel } from './progress.ts';
import { measureChartSvg } from './reports/chart.ts';
import { loadPlan } from './repository.ts';
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

  /** The plan's performance measures, each with its values over time and a chart of them. */
  listMeasures(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plan = await loadPlan(tx, planId);
      const measures = await measuresWithPoints(tx, planId, reportingQuarters(plan.period_start, plan.period_end, this.currentQuarter()), this.clock);
      const result = [];
      for (const m of measures) {
        result.push({
          ...m,
          chart:
            m.points.length === 0
              ? ''
              : await measureChartSvg({
                  points: m.points.map((p) => ({ period: p.period, value: p.value })),
                  target: Number(m.target_value),
                  baseline: m.baseline_value === null ? null : Number(m.baseline_value),
                  unit: m.unit,
                }),
        });
      }
      return { plan, measures: result };
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
function reportingQuarters(periodStart: string, periodEnd: string, lastQuarter: string): string[] {
  const first = quarterOf(periodStart);
  const last = [lastQuarter, quarterOf(periodEnd)].sort()[0]!;
  const quarters: string[] = [];
  for (let q = last; q >= first && quarters.length < 8; q = addQuarters(q, -1)) quarters.unshift(q);
  return quarters;
}

/** Measures with their values: entered ones from strategy_measure_values, computed ones worked out per quarter. */
export async function measuresWithPoints(tx: Tx, planId: string, quarters: readonly string[], clock: Clock) {
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
      ? (await computeQuarters(tx, m.source as ComputedSource, quarters, clock.now())).map((v) => ({
          period: v.quarterStart,
          value: v.value!,
          note: v.basis,
          of: v.of,
          label: quarterLabel(v.quarterStart),
        }))
      : values
          .filter((v) => v.measure_id === m.id)
          .map((v) => ({ period: v.period_start, value: Number(v.value), note: v.note, of: null, label: quarterLabel(quarterOf(v.period_start)) }));
    const latest = points.at(-1);
    const target = Number(m.target_value);
    const onTrack = latest === undefined ? null : m.direction === 'up' ? latest.value >= target : latest.value <= target;
    result.push({ ...m, computed, points, latest, onTrack });
  }
  return result;
}
