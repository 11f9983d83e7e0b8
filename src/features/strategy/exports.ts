import { formatNumber, formatQuantity } from '../../numbers.ts';
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { addQuarters, londonDate, quarterEnd } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { currentLanguage, translator, type Language } from '../../i18n/i18n.ts';
import { complianceByAgency } from '../assurance/compliance.ts';
import { publishCompliance } from '../assurance/compliance-published.ts';
import { disclosureIn, type Disclosure } from '../disclosure/publish.ts';
import { staffTrainingRecords } from '../assurance/training-records.ts';
import { ragStatusDefinitions, type RagStatus } from './domain/rag.ts';
import { controlledEntered, measuresWithPoints } from './measures.ts';
import { quarterLabel } from './progress.ts';
import { planToCsv } from './reports/csv.ts';
import { quarterlyToDocx, returnToDocx } from './reports/docx.ts';
import type { ExportAction, ExportPlan, QuarterlyReport } from './reports/model.ts';
import { planToXlsx, returnToXlsx } from './reports/xlsx.ts';
import { compareRefs, loadActions, loadPlan } from './repository.ts';
import { notFound } from '../../errors.ts';

export type ExportDocument = 'return.docx' | 'return.xlsx' | 'plan.xlsx' | 'plan.csv' | 'quarterly.docx' | 'quarterly.pdf';

const contentTypes: Record<ExportDocument, string> = {
  'return.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'quarterly.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'return.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'plan.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'plan.csv': 'text/csv; charset=utf-8',
  'quarterly.pdf': 'application/pdf',
};

/** A plan's documents: the Welsh Government return, the plan itself and the quarterly report. */
export class PlanExportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today() {
    return londonDate(this.clock.now());
  }

  /**
   * The quarterly report as its page shows it, in the page's language (its quarter labels and figures).
   * Its figures are controlled (issue 13 §2) unless the reader may see them raw, marked "Not for publication".
   */
  quarterlyReport(user: SessionUser, planId: string, quarterStart: string, language: Language = currentLanguage()) {
    return withActor(this.db, actorOf(user), async (tx) => this.buildQuarterly(tx, planId, user, quarterStart, language, await disclosureIn(tx, user)));
  }

  /**
   * Builds a document and writes its audit row in the same transaction. The quarterly report's PDF is
   * the page printed (`printQuarterly`: its HTML through src/documents/pdf.ts), made by the route.
   * The return and the quarterly report are made in `language`, chosen at download (issue 11); the
   * action plan (XLSX, CSV) stays English, as import reads its headings. The audit row says which.
   * A document is for publication: its figures are always controlled, whoever downloads it.
   */
  exportDocument(
    user: SessionUser,
    planId: string,
    document: ExportDocument,
    quarterStart: string,
    language: Language,
    printQuarterly: (report: QuarterlyReport) => Promise<Buffer>,
  ) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let body: Buffer;
      let base: string;
      const made: Language = document.startsWith('plan.') ? 'en' : language;
      if (document.startsWith('quarterly.')) {
        const report = await this.buildQuarterly(tx, planId, user, quarterStart, made, await disclosureIn(tx, user, true));
        body = document === 'quarterly.pdf' ? await printQuarterly(report) : await quarterlyToDocx(report, made);
        base = `quarterly-report-${quarterStart}`;
      } else {
        // The Welsh Government return only for a plan that offers it (its framework's, in Wales).
        if (document.startsWith('return.') && !(await loadPlan(tx, planId)).returns_offered.includes('welsh-government')) throw notFound();
        const plan = await this.exportPlan(tx, planId, user);
        if (document === 'return.docx') body = await returnToDocx(plan, made);
        else if (document === 'return.xlsx') body = await returnToXlsx(plan, made);
        else if (document === 'plan.xlsx') body = await planToXlsx(plan);
        else body = Buffer.from(`\uFEFF${planToCsv(plan)}`, 'utf8');
        base = document.startsWith('return.') ? 'welsh-government-return' : 'action-plan';
      }
      // The file's name stays ASCII and the same in both languages; the Welsh one is marked "-cy".
      if (made === 'cy') base = `${base}-cy`;
      await act.audit({
        action: 'export',
        recordType: 'strategy_plan',
        recordId: planId,
        details: { document, language: made, ...(document.startsWith('quarterly.') ? { quarter: quarterStart } : {}) },
      });
      return { body, contentType: contentTypes[document], fileName: `${base}.${document.split('.')[1]}` };
    });
  }

  private async exportPlan(tx: Tx, planId: string, user: SessionUser): Promise<ExportPlan> {
    const plan = await loadPlan(tx, planId);
    const actions = await loadActions(tx, planId, user, this.clock);
    return {
      title: plan.title,
      partnershipName: plan.partnership_name,
      framework: plan.framework,
      periodStart: plan.period_start,
      periodEnd: plan.period_end,
      owningBody: plan.owning_body,
      accountableTo: plan.accountable_to,
      reviewCycle: plan.review_cycle,
      nextReviewOn: plan.next_review_on,
      sourceNote: plan.source_note,
      actions: actions.map((a): ExportAction => ({
        ref: a.action_ref,
        outcomeRef: a.outcome_ref,
        text: a.text,
        leadTitle: a.lead_title,
        leadAgency: a.lead_agency_name ?? '',
        startOn: a.start_on,
        dueOn: a.due_on,
        costPounds: a.cost_pounds,
        costNote: a.cost_note,
        successMeasure: a.success_measure,
        targetValue: a.target_value,
        currentValue: a.current_value,
        measureUnit: a.measure_unit,
        evidenceSource: a.evidence_source,
        boardPlanRef: a.board_plan_ref,
        status: a.status as RagStatus,
        narrative: a.latest_narrative,
        overdue: a.overdue,
      })),
    };
  }

  private async buildQuarterly(
    tx: Tx,
    planId: string,
    user: SessionUser,
    quarterStart: string,
    language: Language,
    disclosure: Disclosure,
  ): Promise<QuarterlyReport> {
    const plan = await this.exportPlan(tx, planId, user);
    const firstQuarter = addQuarters(quarterStart, -3);
    // Every progress update on this plan's actions in the four quarters up to and including this one.
    const updates = await tx
      .selectFrom('strategy_action_updates as up')
      .innerJoin('strategy_actions as s', 's.id', 'up.action_id')
      .select(['s.action_ref', 'up.quarter_start', 'up.status', 'up.narrative', 'up.recorded_at'])
      .where('s.plan_id', '=', planId)
      .where('up.quarter_start', '>=', firstQuarter)
      .where('up.quarter_start', '<=', quarterStart)
      .orderBy('up.recorded_at', 'desc')
      .execute();
    const thisQuarter = new Map<string, (typeof updates)[number]>();
    for (const u of updates) if (u.quarter_start === quarterStart && !thisQuarter.has(u.action_ref)) thisQuarter.set(u.action_ref, u);
    const quarters = [3, 2, 1, 0].map((n) => addQuarters(quarterStart, -n));
    return {
      plan,
      quarterStart,
      quarterLabel: quarterLabel(quarterStart, language),
      statusCounts: ragStatusDefinitions.map((d) => ({ status: d.status, label: d.label, count: plan.actions.filter((a) => a.status === d.status).length })),
      changedThisQuarter: [...thisQuarter.values()]
        .sort((a, b) => compareRefs(a.action_ref, b.action_ref))
        .map((u) => ({ ref: u.action_ref, quarterStart: u.quarter_start, status: u.status as RagStatus, narrative: u.narrative })),
      lastTwelveMonths: quarters.map((q) => ({
        quarterStart: q,
        label: quarterLabel(q, language),
        updates: updates.filter((u) => u.quarter_start === q).length,
        completed: new Set(updates.filter((u) => u.quarter_start === q && u.status === 'blue').map((u) => u.action_ref)).size,
      })),
      exceptions: plan.actions.filter((a) => a.status === 'red' || a.overdue),
      // Each action's current value against its target: a count from 1 to the threshold is withheld
      // (and its percentage of target with it, which would give it away) for a controlled reader.
      measures: plan.actions
        .filter((a) => a.targetValue !== null)
        .map((a) => {
          const current = a.currentValue === null ? null : controlledEntered(disclosure, a.measureUnit, Number(a.currentValue));
          const withheld = typeof current === 'string';
          return {
            ref: a.ref,
            measure: a.successMeasure,
            target: formatQuantity(a.targetValue, a.measureUnit, language),
            current: withheld ? current : formatQuantity(a.currentValue, a.measureUnit, language),
            percentOfTarget:
              !withheld && a.currentValue !== null && Number(a.targetValue) > 0 ? Math.round((Number(a.currentValue) / Number(a.targetValue)) * 100) : null,
          };
        }),
      performanceMeasures: await this.quarterMeasures(tx, planId, quarterStart, language, disclosure),
      training: await this.quarterTraining(tx, quarterStart, disclosure),
      disclosure,
    };
  }

  /** Each performance measure's value for the quarter (entered, or computed from the records) against its target. */
  private async quarterMeasures(
    tx: Tx,
    planId: string,
    quarterStart: string,
    language: Language,
    disclosure: Disclosure,
  ): Promise<QuarterlyReport['performanceMeasures']> {
    const t = translator(language);
    const measures = await measuresWithPoints(tx, planId, [quarterStart], this.clock, disclosure);
    return measures.map((m) => {
      const point = m.points.find((p) => p.period === quarterStart);
      const target = Number(m.target_value);
      return {
        name: m.name,
        unit: m.unit,
        computed: m.computed,
        direction: m.direction === 'down' ? 'down' : 'up',
        target: formatQuantity(target, m.unit, language),
        value: point ? (point.withheld ? String(point.value) : formatQuantity(point.value, m.unit, language)) : '',
        // A computed figure's basis ("41 of 50") in the document's language.
        basis:
          point && m.computed
            ? point.of
              ? t('strategy.measures.basisOf', { part: formatNumber(point.of.part, language), whole: formatNumber(point.of.whole, language) })
              : point.note
            : '',
        // A withheld figure is not placed against its target either.
        onTrack: point && typeof point.value === 'number' ? (m.direction === 'up' ? point.value >= target : point.value <= target) : null,
      };
    });
  }

  /**
   * Training for the quarter: compliance with each training measure at the quarter's end (by agency
   * and overall, against its target) and sessions held in the quarter. Counts only, no names.
   */
  private async quarterTraining(tx: Tx, quarterStart: string, disclosure: Disclosure): Promise<QuarterlyReport['training']> {
    const today = this.today();
    const end = quarterEnd(quarterStart);
    const asOf = end < today ? end : today;
    const agencies = await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute();
    const measures = await tx
      .selectFrom('training_measures')
      .select(['title', 'course_ids', 'window_months', 'target_percent'])
      .orderBy('created_at')
      .orderBy('window_months')
      .orderBy('title')
      .execute();
    const compliance = [];
    for (const m of measures) {
      const raw = complianceByAgency(await staffTrainingRecords(tx, m.course_ids, asOf), { windowMonths: m.window_months, asOf });
      const shownAgencies = agencies.filter((a) => raw.byAgency.has(a.id));
      const { byAgency, overall } = publishCompliance(disclosure, new Map(shownAgencies.map((a) => [a.id, raw.byAgency.get(a.id)!])), raw.overall);
      compliance.push({
        title: m.title,
        windowMonths: m.window_months,
        targetPercent: m.target_percent,
        overall: { due: overall.due, onTime: overall.onTime, percentage: overall.percentage },
        byAgency: shownAgencies.map((a) => {
          const f = byAgency.get(a.id)!;
          return { agency: a.name, due: f.due, onTime: f.onTime, percentage: f.percentage };
        }),
      });
    }
    // Sessions held in the quarter and how many attended them, by course.
    const sessions = await tx
      .selectFrom('training_sessions as s')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .select((eb) => [
        'c.title as course',
        eb.fn.count<string>('s.id').distinct().as('sessions'),
        eb
          .selectFrom('training_attendance as a')
          .innerJoin('training_sessions as s2', 's2.id', 'a.session_id')
          .whereRef('s2.course_id', '=', 'c.id')
          .where('s2.held_on', '>=', quarterStart)
          .where('s2.held_on', '<=', end)
          .select(sql<string>`count(*)`.as('n'))
          .as('attendees'),
      ])
      .where('s.held_on', '>=', quarterStart)
      .where('s.held_on', '<=', end)
      .groupBy(['c.id', 'c.title'])
      .orderBy('c.title')
      .execute();
    return {
      asOf,
      compliance,
      sessions: sessions.map((r) => ({ course: r.course, sessions: Number(r.sessions), attendees: Number(r.attendees ?? 0) })),
    };
  }
}
