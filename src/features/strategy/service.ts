import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { aggregatesOnly, can } from '../../authz/policy.ts';
import { addQuarters, londonDate, quarterEnd, quarterOf } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, forbidden, notFound } from '../../errors.ts';
import { checkFileSize, frameworkFileLimits, planImportLimits, type UploadRefusal } from '../../uploads/limits.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { complianceByAgency } from '../assurance/compliance.ts';
import { staffTrainingRecords } from '../assurance/service.ts';
import { outcomeOfAction, type Framework } from './domain/frameworks.ts';
import { ragStatusDefinitions, type RagStatus } from './domain/rag.ts';
import { checkSmart, smartReport, type Glossary, type SmartInput } from './domain/smart.ts';
import { greenOverdueProblem, isOverdue, quarterLabel } from './progress.ts';
import { planToCsv } from './reports/csv.ts';
import { quarterlyToDocx, returnToDocx } from './reports/docx.ts';
import { previewImport, type ImportPreview, type ImportedAction } from './reports/import.ts';
import { planFileWeight, planUploadParser } from './reports/plan-file.ts';
import { ragLabel, type ExportAction, type ExportPlan, type QuarterlyReport } from './reports/model.ts';
import { quarterlyToPdf } from './reports/pdf.ts';
import { planToXlsx, returnToXlsx } from './reports/xlsx.ts';
import { measureChartSvg } from './reports/chart.ts';
import { computeQuarters, type ComputedSource } from './computed-measures.ts';
import { frameworkFileParser } from './framework-upload.ts';
import type { ActionForm, GlossaryForm, MeasureForm, MeasureValueForm, PlanForm, ProgressForm } from './schema.ts';


/** A form-level problem the route shows in the GOV.UK error summary. */
export class StrategyValidationError extends Error {
  constructor(readonly field: string, readonly messageKey: string) {
    super(messageKey);
  }
}

export type ExportDocument = 'return.docx' | 'return.xlsx' | 'plan.xlsx' | 'plan.csv' | 'quarterly.docx' | 'quarterly.pdf';

const contentTypes: Record<ExportDocument, string> = {
  'return.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'quarterly.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'return.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'plan.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'plan.csv': 'text/csv; charset=utf-8',
  'quarterly.pdf': 'application/pdf',
};

/** Strategy plans, their actions and quarterly progress, the glossary, exports and imports. */
export class StrategyService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today() {
    return londonDate(this.clock.now());
  }

  currentQuarter() {
    return quarterOf(this.today());
  }

  /** Names of staff are shown to staff; board members and councillors see posts and agencies only. */
  private showsNames(user: SessionUser) {
    return !aggregatesOnly(user.roles);
  }

  listPlans(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plans = await tx.selectFrom('strategy_plans as p')
        .innerJoin('strategy_frameworks as f', 'f.id', 'p.framework_id')
        .leftJoin('agencies as a', 'a.id', 'p.agency_id')
        .select(['p.id', 'p.title', 'p.period_start', 'p.period_end', 'p.owning_body', 'p.next_review_on', 'f.name as framework_name', 'a.name as agency_name'])
        .orderBy('p.period_start', 'desc').orderBy('p.title').execute();
      const counts = await tx.selectFrom('strategy_actions')
        .select(['plan_id', 'status', 'due_on']).execute();
      const today = this.today();
      return plans.map((p) => {
        const actions = counts.filter((c) => c.plan_id === p.id);
        return {
          ...p,
          actions: actions.length,
          red: actions.filter((a) => a.status === 'red').length,
          overdue: actions.filter((a) => isOverdue(a.status, a.due_on, today)).length,
          completed: actions.filter((a) => a.status === 'blue').length,
        };
      });
    });
  }

  listFrameworks(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx.selectFrom('strategy_frameworks').select(['id', 'key', 'name', 'source', 'is_example', 'built_in', 'definition'])
        .orderBy('built_in', 'desc').orderBy('name').execute(),
    );
  }

  /** A partnership defines its own framework by uploading JSON, checked by frameworkSchema (in a worker when the file is large). */
  async addFramework(user: SessionUser, content: Buffer): Promise<{ problems: string[]; moreProblems?: number; refusal?: UploadRefusal; id?: string }> {
    const size = checkFileSize(content.length, frameworkFileLimits);
    const read = size.ok ? await runUploadParser(frameworkFileParser, content.toString('utf8'), content.length) : size;
    if (!read.ok) return { problems: [], refusal: read.refusal };
    if ('problems' in read.value) return read.value;
    const framework = read.value.framework;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('strategy_frameworks').select('id').where('key', '=', framework.key).executeTakeFirst();
      if (clash) return { problems: [`A framework with the key “${framework.key}” is already loaded.`] };
      const row = await tx.insertInto('strategy_frameworks').values({
        partnership_id: user.partnershipId, key: framework.key, name: framework.name, source: framework.source,
        is_example: framework.isExample, built_in: false, definition: JSON.stringify(framework),
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_framework', recordId: row.id, details: { key: framework.key } });
      return { problems: [] as string[], id: row.id };
    });
  }

  formChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => ({
      frameworks: await tx.selectFrom('strategy_frameworks').select(['id', 'name']).orderBy('name').execute(),
      agencies: await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute(),
      people: this.showsNames(user)
        ? await tx.selectFrom('users').select(['id', 'display_name', 'job_title']).where('disabled_at', 'is', null).orderBy('display_name').execute()
        : [],
    }));
  }

  createPlan(user: SessionUser, form: PlanForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.insertInto('strategy_plans').values({
        partnership_id: user.partnershipId, agency_id: form.agencyId, framework_id: form.frameworkId, title: form.title,
        period_start: form.periodStart, period_end: form.periodEnd, review_cycle: form.reviewCycle, next_review_on: form.nextReviewOn,
        named_review: form.namedReview, owning_body: form.owningBody, accountable_to: form.accountableTo, linked_plans: form.linkedPlans,
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_plan', recordId: row.id, details: { title: form.title } });
      return row.id;
    });
  }

  updatePlan(user: SessionUser, planId: string, form: PlanForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await this.loadPlan(tx, planId);
      await tx.updateTable('strategy_plans').set({
        agency_id: form.agencyId, framework_id: form.frameworkId, title: form.title, period_start: form.periodStart, period_end: form.periodEnd,
        review_cycle: form.reviewCycle, next_review_on: form.nextReviewOn, named_review: form.namedReview, owning_body: form.owningBody,
        accountable_to: form.accountableTo, linked_plans: form.linkedPlans, updated_at: this.clock.now(),
      }).where('id', '=', planId).execute();
      await act.audit({ action: 'record.update', recordType: 'strategy_plan', recordId: planId,
        details: { title: form.title, owningBody: { from: before.owning_body, to: form.owningBody }, nextReviewOn: form.nextReviewOn } });
    });
  }

  private async loadPlan(tx: Tx, planId: string) {
    const plan = await tx.selectFrom('strategy_plans as p')
      .innerJoin('strategy_frameworks as f', 'f.id', 'p.framework_id')
      .innerJoin('partnerships as ps', 'ps.id', 'p.partnership_id')
      .leftJoin('agencies as a', 'a.id', 'p.agency_id')
      .selectAll('p')
      .select(['f.definition as framework_definition', 'f.name as framework_name', 'ps.name as partnership_name', 'a.name as agency_name'])
      .where('p.id', '=', planId).executeTakeFirst();
    if (!plan) throw notFound();
    return {
      ...plan,
      framework: plan.framework_definition as unknown as Framework,
    };
  }

  private async glossaryOf(tx: Tx): Promise<Glossary> {
    const rows = await tx.selectFrom('strategy_glossary').select(['term', 'expansion']).execute();
    return Object.fromEntries(rows.map((r) => [r.term, r.expansion]));
  }

  private async loadActions(tx: Tx, planId: string, user: SessionUser) {
    const rows = await tx.selectFrom('strategy_actions as s')
      .leftJoin('agencies as a', 'a.id', 's.lead_agency_id')
      .leftJoin('users as u', 'u.id', 's.lead_user_id')
      .selectAll('s')
      .select(['a.name as lead_agency_name', 'u.display_name as lead_user_name'])
      .where('s.plan_id', '=', planId).execute();
    const latest = await tx.selectFrom('strategy_action_updates as up')
      .innerJoin('strategy_actions as s', 's.id', 'up.action_id')
      .select(['up.action_id', 'up.narrative', 'up.quarter_start', 'up.recorded_at'])
      .where('s.plan_id', '=', planId)
      .orderBy('up.quarter_start', 'desc').orderBy('up.recorded_at', 'desc').execute();
    const today = this.today();
    const names = this.showsNames(user);
    return rows
      .map((r) => ({
        ...r,
        lead_user_name: names ? r.lead_user_name : null,
        latest_narrative: latest.find((l) => l.action_id === r.id)?.narrative ?? '',
        overdue: isOverdue(r.status, r.due_on, today),
        is_mine: r.lead_user_id === user.userId,
      }))
      .sort((a, b) => compareRefs(a.action_ref, b.action_ref));
  }

  getPlan(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await this.loadPlan(tx, planId);
      const actions = await this.loadActions(tx, planId, user);
      const glossary = await this.glossaryOf(tx);
      const findingsByAction = Object.fromEntries(actions.map((a) => [a.id, checkSmart(smartInputOf(a), glossary).length]));
      const strands = plan.framework.strands.map((strand) => ({
        ...strand,
        outcomes: plan.framework.outcomes.filter((o) => o.strandKey === strand.key).map((o) => ({
          ...o, actions: actions.filter((a) => a.outcome_ref === o.id),
        })),
      }));
      return { plan, actions, strands, findingsByAction };
    });
  }

  /** The plan alone, without its actions: what the import pages show, however many actions it has. */
  planOnly(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => ({ plan: await this.loadPlan(tx, planId) }));
  }

  smartReportFor(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await this.loadPlan(tx, planId);
      const actions = await this.loadActions(tx, planId, user);
      const glossary = await this.glossaryOf(tx);
      const report = smartReport(actions.map((a) => ({ ...smartInputOf(a), id: a.action_ref })), glossary);
      const perAction = actions.map((a) => ({ id: a.id, ref: a.action_ref, text: a.text, findings: checkSmart(smartInputOf(a), glossary) }))
        .filter((a) => a.findings.length > 0);
      return { plan, report, perAction };
    });
  }

  getAction(user: SessionUser, actionId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.selectFrom('strategy_actions').select(['plan_id']).where('id', '=', actionId).executeTakeFirst();
      if (!row) throw notFound();
      const plan = await this.loadPlan(tx, row.plan_id);
      const action = (await this.loadActions(tx, row.plan_id, user)).find((a) => a.id === actionId)!;
      const history = await tx.selectFrom('strategy_action_updates as up')
        .leftJoin('users as u', 'u.id', 'up.recorded_by')
        .select(['up.id', 'up.quarter_start', 'up.status', 'up.narrative', 'up.current_value', 'up.status_note', 'up.recorded_at', 'u.display_name as recorded_by_name'])
        .where('up.action_id', '=', actionId)
        .orderBy('up.quarter_start', 'desc').orderBy('up.recorded_at', 'desc').execute();
      const names = this.showsNames(user);
      const glossary = await this.glossaryOf(tx);
      return {
        plan, action,
        outcome: outcomeOfAction(plan.framework, action.action_ref) ?? plan.framework.outcomes.find((o) => o.id === action.outcome_ref),
        history: history.map((h) => ({ ...h, recorded_by_name: names ? h.recorded_by_name : null, quarter_label: quarterLabel(h.quarter_start) })),
        findings: checkSmart(smartInputOf(action), glossary),
        mayUpdate: this.mayUpdate(user, action.lead_user_id),
      };
    });
  }

  /** Strategy leads own the whole plan; anyone else may record progress only on actions they lead. */
  mayUpdate(user: SessionUser, leadUserId: string | null) {
    if (can(user, 'strategy.manage')) return true;
    return can(user, 'actions.update') && leadUserId === user.userId;
  }

  /** SMART findings for values typed into the form, before they are saved. */
  checkDraft(user: SessionUser, draft: SmartInput) {
    return withActor(this.db, actorOf(user), async (tx, act) => checkSmart(draft, await this.glossaryOf(tx)));
  }

  saveAction(user: SessionUser, planId: string, actionId: string | null, form: ActionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await this.loadPlan(tx, planId);
      const outcomeRef = form.actionRef.slice(0, -1);
      if (!plan.framework.outcomes.some((o) => o.id === outcomeRef)) throw new StrategyValidationError('actionRef', 'strategy.validation.outcomeNotInFramework');
      const clash = await tx.selectFrom('strategy_actions').select('id').where('plan_id', '=', planId).where('action_ref', '=', form.actionRef).executeTakeFirst();
      if (clash && clash.id !== actionId) throw new StrategyValidationError('actionRef', 'strategy.validation.actionRefInUse');
      const values = {
        action_ref: form.actionRef, outcome_ref: outcomeRef, text: form.text, lead_title: form.leadTitle, lead_user_id: form.leadUserId,
        lead_agency_id: form.leadAgencyId, start_on: form.startOn, due_on: form.dueOn, cost_pounds: form.costPounds, cost_note: form.costNote,
        success_measure: form.successMeasure, target_value: form.targetValue, measure_unit: form.measureUnit,
        evidence_source: form.evidenceSource, board_plan_ref: form.boardPlanRef, updated_at: this.clock.now(),
      };
      if (actionId === null) {
        const row = await tx.insertInto('strategy_actions').values({ ...values, partnership_id: user.partnershipId, plan_id: planId })
          .returning('id').executeTakeFirstOrThrow();
        await act.audit({ action: 'record.create', recordType: 'strategy_action', recordId: row.id, details: { ref: form.actionRef } });
        return row.id;
      }
      const before = await tx.selectFrom('strategy_actions').select(['status', 'status_note', 'due_on']).where('id', '=', actionId).where('plan_id', '=', planId).executeTakeFirst();
      if (!before) throw notFound();
      const problem = greenOverdueProblem(before.status, form.dueOn, before.status_note, this.today());
      if (problem) throw new StrategyValidationError('dueOn', problem);
      await tx.updateTable('strategy_actions').set(values).where('id', '=', actionId).execute();
      await act.audit({ action: 'record.update', recordType: 'strategy_action', recordId: actionId,
        details: { ref: form.actionRef, dueOn: { from: before.due_on, to: form.dueOn } } });
      return actionId;
    });
  }

  /** Records a quarter's progress: kept as history, and the action's current status follows it. */
  recordProgress(user: SessionUser, actionId: string, form: ProgressForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const action = await tx.selectFrom('strategy_actions').select(['id', 'lead_user_id', 'due_on', 'status', 'action_ref'])
        .where('id', '=', actionId).executeTakeFirst();
      if (!action) throw notFound();
      if (!this.mayUpdate(user, action.lead_user_id)) throw forbidden('only the action lead or a strategy lead may record progress');
      const problem = greenOverdueProblem(form.status, action.due_on, form.statusNote, this.today());
      if (problem) throw new StrategyValidationError('statusNote', problem);
      if (form.quarterStart > this.currentQuarter()) throw new StrategyValidationError('quarterStart', 'strategy.validation.futureQuarter');
      await tx.insertInto('strategy_action_updates').values({
        partnership_id: user.partnershipId, action_id: actionId, quarter_start: form.quarterStart, status: form.status,
        narrative: form.narrative, current_value: form.currentValue, status_note: form.statusNote, recorded_by: user.userId, recorded_at: this.clock.now(),
      }).execute();
      await tx.updateTable('strategy_actions').set({
        status: form.status, status_note: form.statusNote, updated_at: this.clock.now(),
        ...(form.currentValue !== null ? { current_value: form.currentValue } : {}),
      }).where('id', '=', actionId).execute();
      await act.audit({ action: 'record.update', recordType: 'strategy_action', recordId: actionId,
        details: { ref: action.action_ref, quarter: form.quarterStart, status: { from: action.status, to: form.status } } });
    });
  }

  /** The plan's performance measures, each with its values over time and a chart of them. */
  listMeasures(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await this.loadPlan(tx, planId);
      const measures = await this.measuresWithPoints(tx, planId, this.reportingQuarters(plan.period_start, plan.period_end, this.currentQuarter()));
      const result = [];
      for (const m of measures) {
        result.push({
          ...m,
          chart: m.points.length === 0 ? '' : await measureChartSvg({
            points: m.points.map((p) => ({ period: p.period, value: p.value })), target: Number(m.target_value),
            baseline: m.baseline_value === null ? null : Number(m.baseline_value), unit: m.unit,
          }),
        });
      }
      return { plan, measures: result };
    });
  }

  /** Quarters a plan's computed measures are worked out for: within the plan's period, the last eight up to lastQuarter. */
  private reportingQuarters(periodStart: string, periodEnd: string, lastQuarter: string): string[] {
    const first = quarterOf(periodStart);
    const last = [lastQuarter, quarterOf(periodEnd)].sort()[0]!;
    const quarters: string[] = [];
    for (let q = last; q >= first && quarters.length < 8; q = addQuarters(q, -1)) quarters.unshift(q);
    return quarters;
  }

  /** Measures with their values: entered ones from strategy_measure_values, computed ones worked out per quarter. */
  private async measuresWithPoints(tx: Tx, planId: string, quarters: readonly string[]) {
    const measures = await tx.selectFrom('strategy_measures').selectAll().where('plan_id', '=', planId).orderBy('name').execute();
    const values = measures.length === 0 ? [] : await tx.selectFrom('strategy_measure_values')
      .select(['measure_id', 'period_start', 'value', 'note', 'recorded_at'])
      .where('measure_id', 'in', measures.map((m) => m.id)).orderBy('period_start').execute();
    const result = [];
    for (const m of measures) {
      const computed = m.source !== 'entered';
      const points = computed
        ? (await computeQuarters(tx, m.source as ComputedSource, quarters, this.clock.now()))
          .map((v) => ({ period: v.quarterStart, value: v.value!, note: v.basis, label: quarterLabel(v.quarterStart) }))
        : values.filter((v) => v.measure_id === m.id)
          .map((v) => ({ period: v.period_start, value: Number(v.value), note: v.note, label: quarterLabel(quarterOf(v.period_start)) }));
      const latest = points.at(-1);
      const target = Number(m.target_value);
      const onTrack = latest === undefined ? null : m.direction === 'up' ? latest.value >= target : latest.value <= target;
      result.push({ ...m, computed, points, latest, onTrack });
    }
    return result;
  }

  planOfMeasure(user: SessionUser, measureId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.selectFrom('strategy_measures').select('plan_id').where('id', '=', measureId).executeTakeFirst();
      if (!row) throw notFound();
      return row.plan_id;
    });
  }

  addMeasure(user: SessionUser, planId: string, form: MeasureForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.loadPlan(tx, planId);
      const clash = await tx.selectFrom('strategy_measures').select('id').where('plan_id', '=', planId).where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new StrategyValidationError('name', 'strategy.validation.measureNameInUse');
      const row = await tx.insertInto('strategy_measures').values({
        partnership_id: user.partnershipId, plan_id: planId, name: form.name, unit: form.unit, baseline_value: form.baselineValue,
        baseline_period: form.baselinePeriod, target_value: form.targetValue, direction: form.direction, frequency: form.frequency,
        owner_title: form.ownerTitle, evidence_source: form.evidenceSource, source: form.source,
      }).returning('id').executeTakeFirstOrThrow();
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
      const before = await tx.selectFrom('strategy_measure_values').select(['id', 'value']).where('measure_id', '=', measureId)
        .where('period_start', '=', form.periodStart).executeTakeFirst();
      if (before) {
        await tx.updateTable('strategy_measure_values').set({ value: form.value, note: form.note, recorded_by: user.userId, recorded_at: this.clock.now() })
          .where('id', '=', before.id).execute();
      } else {
        await tx.insertInto('strategy_measure_values').values({
          partnership_id: user.partnershipId, measure_id: measureId, period_start: form.periodStart, value: form.value, note: form.note,
          recorded_by: user.userId, recorded_at: this.clock.now(),
        }).execute();
      }
      await act.audit({ action: 'record.update', recordType: 'strategy_measure', recordId: measureId,
        details: { period: form.periodStart, value: { from: before?.value ?? null, to: form.value } } });
      return measure.plan_id;
    });
  }

  listGlossary(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx.selectFrom('strategy_glossary').select(['id', 'term', 'expansion']).orderBy('term').execute());
  }

  addGlossaryTerm(user: SessionUser, form: GlossaryForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('strategy_glossary').select('id').where('term', '=', form.term).executeTakeFirst();
      if (clash) throw new StrategyValidationError('term', 'strategy.validation.termInUse');
      const row = await tx.insertInto('strategy_glossary').values({ partnership_id: user.partnershipId, term: form.term, expansion: form.expansion })
        .returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_glossary', recordId: row.id, details: { ...form } });
    });
  }

  removeGlossaryTerm(user: SessionUser, termId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const removed = await tx.deleteFrom('strategy_glossary').where('id', '=', termId).returning(['term']).executeTakeFirst();
      if (!removed) throw notFound();
      await act.audit({ action: 'record.update', recordType: 'strategy_glossary', recordId: termId, details: { removed: removed.term } });
    });
  }

  private async exportPlan(tx: Tx, planId: string, user: SessionUser): Promise<ExportPlan> {
    const plan = await this.loadPlan(tx, planId);
    const actions = await this.loadActions(tx, planId, user);
    return {
      title: plan.title, partnershipName: plan.partnership_name, framework: plan.framework,
      periodStart: plan.period_start, periodEnd: plan.period_end, owningBody: plan.owning_body, accountableTo: plan.accountable_to,
      reviewCycle: plan.review_cycle, nextReviewOn: plan.next_review_on, sourceNote: plan.source_note,
      actions: actions.map((a): ExportAction => ({
        ref: a.action_ref, outcomeRef: a.outcome_ref, text: a.text, leadTitle: a.lead_title, leadAgency: a.lead_agency_name ?? '',
        startOn: a.start_on, dueOn: a.due_on, costPounds: a.cost_pounds, costNote: a.cost_note, successMeasure: a.success_measure,
        targetValue: a.target_value, currentValue: a.current_value, measureUnit: a.measure_unit, evidenceSource: a.evidence_source,
        boardPlanRef: a.board_plan_ref, status: a.status as RagStatus, narrative: a.latest_narrative, overdue: a.overdue,
      })),
    };
  }

  private async buildQuarterly(tx: Tx, planId: string, user: SessionUser, quarterStart: string): Promise<QuarterlyReport> {
    const plan = await this.exportPlan(tx, planId, user);
    const firstQuarter = addQuarters(quarterStart, -3);
    // Every progress update on this plan's actions in the four quarters up to and including this one.
    const updates = await tx.selectFrom('strategy_action_updates as up')
      .innerJoin('strategy_actions as s', 's.id', 'up.action_id')
      .select(['s.action_ref', 'up.quarter_start', 'up.status', 'up.narrative', 'up.recorded_at'])
      .where('s.plan_id', '=', planId)
      .where('up.quarter_start', '>=', firstQuarter).where('up.quarter_start', '<=', quarterStart)
      .orderBy('up.recorded_at', 'desc').execute();
    const thisQuarter = new Map<string, (typeof updates)[number]>();
    for (const u of updates) if (u.quarter_start === quarterStart && !thisQuarter.has(u.action_ref)) thisQuarter.set(u.action_ref, u);
    const quarters = [3, 2, 1, 0].map((n) => addQuarters(quarterStart, -n));
    return {
      plan, quarterStart, quarterLabel: quarterLabel(quarterStart),
      statusCounts: ragStatusDefinitions.map((d) => ({ status: d.status, label: d.label, count: plan.actions.filter((a) => a.status === d.status).length })),
      changedThisQuarter: [...thisQuarter.values()].sort((a, b) => compareRefs(a.action_ref, b.action_ref))
        .map((u) => ({ ref: u.action_ref, quarterStart: u.quarter_start, status: u.status as RagStatus, narrative: u.narrative })),
      lastTwelveMonths: quarters.map((q) => ({
        quarterStart: q, label: quarterLabel(q),
        updates: updates.filter((u) => u.quarter_start === q).length,
        completed: new Set(updates.filter((u) => u.quarter_start === q && u.status === 'blue').map((u) => u.action_ref)).size,
      })),
      exceptions: plan.actions.filter((a) => a.status === 'red' || a.overdue),
      measures: plan.actions.filter((a) => a.targetValue !== null).map((a) => ({
        ref: a.ref, measure: a.successMeasure, target: `${a.targetValue}${a.measureUnit ? ` ${a.measureUnit}` : ''}`,
        current: a.currentValue === null ? '' : `${a.currentValue}${a.measureUnit ? ` ${a.measureUnit}` : ''}`,
        percentOfTarget: a.currentValue !== null && Number(a.targetValue) > 0 ? Math.round((Number(a.currentValue) / Number(a.targetValue)) * 100) : null,
      })),
      performanceMeasures: await this.quarterMeasures(tx, planId, quarterStart),
      training: await this.quarterTraining(tx, quarterStart),
    };
  }

  /** Each performance measure's value for the quarter (entered, or computed from the records) against its target. */
  private async quarterMeasures(tx: Tx, planId: string, quarterStart: string): Promise<QuarterlyReport['performanceMeasures']> {
    const measures = await this.measuresWithPoints(tx, planId, [quarterStart]);
    const withUnit = (value: string | number, unit: string) => `${value}${unit ? ` ${unit}` : ''}`;
    return measures.map((m) => {
      const point = m.points.find((p) => p.period === quarterStart);
      const target = Number(m.target_value);
      return {
        name: m.name, unit: m.unit, computed: m.computed, direction: m.direction === 'down' ? 'down' : 'up',
        target: withUnit(target, m.unit),
        value: point ? withUnit(point.value, m.unit) : '',
        basis: point && m.computed ? point.note : '',
        onTrack: point ? (m.direction === 'up' ? point.value >= target : point.value <= target) : null,
      };
    });
  }

  /**
   * Training for the quarter: compliance with each training measure at the quarter's end (by agency
   * and overall, against its target) and sessions held in the quarter. Counts only, no names.
   */
  private async quarterTraining(tx: Tx, quarterStart: string): Promise<QuarterlyReport['training']> {
    const today = this.today();
    const end = quarterEnd(quarterStart);
    const asOf = end < today ? end : today;
    const agencies = await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute();
    const measures = await tx.selectFrom('training_measures').select(['title', 'course_ids', 'window_months', 'target_percent'])
      .orderBy('created_at').orderBy('window_months').orderBy('title').execute();
    const compliance = [];
    for (const m of measures) {
      const { byAgency, overall } = complianceByAgency(await staffTrainingRecords(tx, m.course_ids, asOf), { windowMonths: m.window_months, asOf });
      compliance.push({
        title: m.title, windowMonths: m.window_months, targetPercent: m.target_percent,
        overall: { due: overall.due, onTime: overall.onTime, percentage: overall.percentage },
        byAgency: agencies.filter((a) => byAgency.has(a.id)).map((a) => {
          const f = byAgency.get(a.id)!;
          return { agency: a.name, due: f.due, onTime: f.onTime, percentage: f.percentage };
        }),
      });
    }
    // Sessions held in the quarter and how many attended them, by course.
    const sessions = await tx.selectFrom('training_sessions as s')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .select((eb) => ['c.title as course', eb.fn.count<string>('s.id').distinct().as('sessions'),
        eb.selectFrom('training_attendance as a').innerJoin('training_sessions as s2', 's2.id', 'a.session_id')
          .whereRef('s2.course_id', '=', 'c.id').where('s2.held_on', '>=', quarterStart).where('s2.held_on', '<=', end)
          .select(sql<string>`count(*)`.as('n')).as('attendees')])
      .where('s.held_on', '>=', quarterStart).where('s.held_on', '<=', end)
      .groupBy(['c.id', 'c.title']).orderBy('c.title').execute();
    return {
      asOf, compliance,
      sessions: sessions.map((r) => ({ course: r.course, sessions: Number(r.sessions), attendees: Number(r.attendees ?? 0) })),
    };
  }

  quarterlyReport(user: SessionUser, planId: string, quarterStart: string) {
    return withActor(this.db, actorOf(user), (tx) => this.buildQuarterly(tx, planId, user, quarterStart));
  }

  /** Builds a document and writes its audit row in the same transaction. */
  exportDocument(user: SessionUser, planId: string, document: ExportDocument, quarterStart: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let body: Buffer;
      let base: string;
      if (document.startsWith('quarterly.')) {
        const report = await this.buildQuarterly(tx, planId, user, quarterStart);
        body = document === 'quarterly.pdf' ? await quarterlyToPdf(report) : await quarterlyToDocx(report);
        base = `quarterly-report-${quarterStart}`;
      } else {
        const plan = await this.exportPlan(tx, planId, user);
        if (document === 'return.docx') body = await returnToDocx(plan);
        else if (document === 'return.xlsx') body = await returnToXlsx(plan);
        else if (document === 'plan.xlsx') body = await planToXlsx(plan);
        else body = Buffer.from(`\uFEFF${planToCsv(plan)}`, 'utf8');
        base = document.startsWith('return.') ? 'welsh-government-return' : 'action-plan';
      }
      await act.audit({ action: 'export', recordType: 'strategy_plan', recordId: planId,
        details: { document, ...(document.startsWith('quarterly.') ? { quarter: quarterStart } : {}) } });
      return { body, contentType: contentTypes[document], fileName: `${base}.${document.split('.')[1]}` };
    });
  }

  /**
   * Reads an uploaded plan and checks its rows against the plan's framework (in a worker thread when
   * the file is large; see src/uploads). Nothing is saved. A file over a cap is refused without a preview.
   */
  async previewUpload(user: SessionUser, planId: string, content: Buffer): Promise<{ refusal: UploadRefusal } | (ImportPreview & { planTitle: string })> {
    const weight = planFileWeight(content);
    if (!weight.ok) return { refusal: weight.refusal };
    const { plan, agencies } = await withActor(this.db, actorOf(user), async (tx, act) => ({
      plan: await this.loadPlan(tx, planId),
      agencies: await tx.selectFrom('agencies').select('name').execute(),
    }));
    const preview = await runUploadParser(planUploadParser, { content, framework: plan.framework, agencyNames: agencies.map((a) => a.name) }, weight.value);
    return preview.ok ? { ...preview.value, planTitle: plan.title } : { refusal: preview.refusal };
  }

  /** Saves previewed actions: new action ids are added, existing ones updated. Nothing is saved if any row is wrong. */
  applyImport(user: SessionUser, planId: string, actions: ImportedAction[]) {
    if (actions.length > planImportLimits.maxRows) throw new LanternError('LANTERN_E_VALIDATION', 'more import rows than an upload may have');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await this.loadPlan(tx, planId);
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).execute();
      const checked = previewImport(importRows(actions), plan.framework, agencies.map((a) => a.name));
      if (checked.fileErrors.length > 0 || checked.rows.some((r) => r.errors.length > 0)) {
        throw new LanternError('LANTERN_E_VALIDATION', 'import rows changed since the preview');
      }
      let updated = 0;
      // One read of the plan's action ids and one insert of the new actions: an import may hold 1,000.
      const existing = new Map((await tx.selectFrom('strategy_actions').select(['id', 'action_ref']).where('plan_id', '=', planId).execute())
        .map((a) => [a.action_ref, a.id]));
      const agencyIds = new Map(agencies.map((a) => [a.name.toLowerCase(), a.id]));
      const added = [];
      for (const { action } of checked.rows) {
        if (!action) continue;
        const values = {
          outcome_ref: action.outcomeRef, text: action.text, lead_title: action.leadTitle,
          lead_agency_id: agencyIds.get(action.leadAgency.toLowerCase()) ?? null,
          start_on: action.startOn, due_on: action.dueOn, cost_pounds: action.costPounds, cost_note: action.costNote,
          success_measure: action.successMeasure, target_value: action.targetValue, measure_unit: action.measureUnit,
          evidence_source: action.evidenceSource, board_plan_ref: action.boardPlanRef, status: action.status, updated_at: this.clock.now(),
        };
        const id = existing.get(action.ref);
        if (id) {
          await tx.updateTable('strategy_actions').set(values).where('id', '=', id).execute();
          updated++;
        } else {
          added.push({ ...values, partnership_id: user.partnershipId, plan_id: planId, action_ref: action.ref });
        }
      }
      if (added.length > 0) await tx.insertInto('strategy_actions').values(added).execute();
      await act.audit({ action: 'record.update', recordType: 'strategy_plan', recordId: planId, details: { imported: { added: added.length, updated } } });
      return { added: added.length, updated };
    });
  }
}

/** Turns previewed actions back into rows with the export's headings, so the same checks run again on save. */
export function importRows(actions: ImportedAction[]): string[][] {
  const header = ['Action id', 'Action', 'Lead (post)', 'Lead agency', 'Start date', 'Due date', 'Cost (£)', 'Cost note', 'Success measure',
    'Target', 'Unit', 'Evidence source', 'Board plan reference', 'RAG status'];
  return [header, ...actions.map((a) => [a.ref, a.text, a.leadTitle, a.leadAgency, a.startOn ?? '', a.dueOn ?? '', a.costPounds ?? '', a.costNote,
    a.successMeasure, a.targetValue ?? '', a.measureUnit, a.evidenceSource, a.boardPlanRef, ragLabel(a.status)])];
}

export function smartInputOf(a: {
  text: string; success_measure: string; target_value: string | null; measure_unit: string; lead_title: string;
  lead_agency_name: string | null; due_on: string | null; evidence_source: string;
}): SmartInput {
  return {
    text: a.text,
    successMeasure: a.success_measure,
    target: a.target_value === null ? '' : `${a.target_value}${a.measure_unit ? ` ${a.measure_unit}` : ''}`,
    leadPerson: a.lead_title,
    leadAgency: a.lead_agency_name ?? '',
    dueDate: a.due_on ?? '',
    evidenceSource: a.evidence_source,
  };
}

/** 1.2a before 1.10a: compares outcome numbers as numbers. */
export function compareRefs(a: string, b: string): number {
  const split = (r: string) => {
    const m = /^(\d+)\.(\d+)([a-z]*)$/.exec(r);
    return m ? [Number(m[1]), Number(m[2]), m[3] ?? ''] as const : [0, 0, r] as const;
  };
  const [a1, a2, a3] = split(a);
  const [b1, b2, b3] = split(b);
  return a1 - b1 || a2 - b2 || a3.localeCompare(b3);
}
