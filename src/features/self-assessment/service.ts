import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { Tx } from '../../db/kysely-types.ts';
import { LanternError, notFound } from '../../errors.ts';
import { addCrossReferencedAction } from '../strategy/repository.ts';
import { compare, findFramework, findStandard, latestFramework, ratingOf, standardsOf, storedFramework, type Framework } from './framework.ts';
import type { EvidenceKind, NewForm, RateForm } from './schema.ts';

/** A form-level refusal the page shows in its error summary: the field and the message key. */
export class SelfAssessmentValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(messageKey);
  }
}

/** A piece of evidence as the pages show it: what it is, its label and where it links to. */
export interface EvidenceLink {
  id: string;
  standard_id: string;
  kind: EvidenceKind;
  label: string;
  href: string;
}

const column: Record<EvidenceKind, 'plan_id' | 'action_id' | 'measure_id' | 'case_audit_id'> = {
  plan: 'plan_id',
  action: 'action_id',
  measure: 'measure_id',
  case_audit: 'case_audit_id',
};

/**
 * Board self-assessments (issue 15 §2): the strategy lead or partnership administrator starts an
 * assessment of a year against a framework (a copy of the framework is kept), rates each standard with
 * a narrative, evidence (links to the partnership's own plans, actions, measures and case audits) and an
 * improvement action, which the plan's owner may add to an action plan; completing the assessment locks
 * it (migration 0580's trigger). The comparison reads one framework's assessments year by year.
 */
export class SelfAssessmentService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  list(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx
        .selectFrom('self_assessments as a')
        .select([
          'a.id',
          'a.title',
          'a.year',
          'a.status',
          'a.framework_id',
          'a.framework',
          (eb) =>
            eb
              .selectFrom('self_assessment_ratings as r')
              .whereRef('r.assessment_id', '=', 'a.id')
              .select((e) => e.fn.countAll<number>().as('n'))
              .as('rated'),
        ])
        .orderBy('a.year', 'desc')
        .orderBy('a.framework_id')
        .execute();
      return rows.map(({ framework, ...a }) => {
        const f = storedFramework(framework);
        return { ...a, rated: Number(a.rated), standards: standardsOf(f).length, frameworkName: f.name };
      });
    });
  }

  /** Starts an assessment of a year against a framework Lantern ships; one a year per framework. */
  create(user: SessionUser, form: NewForm): Promise<string> {
    const [frameworkId, version] = form.framework.split('@') as [string, string];
    const framework = findFramework(frameworkId, Number(version));
    if (!framework) throw new SelfAssessmentValidationError('framework', 'selfAssessment.v.chooseFramework');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx
        .selectFrom('self_assessments')
        .select('id')
        .where('framework_id', '=', framework.id)
        .where('year', '=', form.year)
        .executeTakeFirst();
      if (clash) throw new SelfAssessmentValidationError('year', 'selfAssessment.v.yearTaken');
      const { id } = await tx
        .insertInto('self_assessments')
        .values({
          partnership_id: user.partnershipId,
          title: form.title,
          year: form.year,
          framework_id: framework.id,
          framework_version: framework.version,
          framework: JSON.stringify(framework),
          created_by: user.userId,
          created_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.create',
        recordType: 'self_assessment',
        recordId: id,
        details: { framework: framework.id, version: framework.version, year: form.year },
      });
      return id;
    });
  }

  private async load(tx: Tx, id: string) {
    const row = await tx
      .selectFrom('self_assessments')
      .select(['id', 'title', 'year', 'status', 'framework_id', 'framework_version', 'framework', 'completed_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound();
    const { framework, ...assessment } = row;
    return { assessment, framework: storedFramework(framework) };
  }

  private async draft(tx: Tx, id: string) {
    const loaded = await this.load(tx, id);
    if (loaded.assessment.status !== 'draft') throw new LanternError('LANTERN_E_CONFLICT', 'the self-assessment is complete');
    return loaded;
  }

  private static standardOf(framework: Framework, standardId: string) {
    const standard = findStandard(framework, standardId);
    if (!standard) throw notFound();
    return standard;
  }

  private async ratings(tx: Tx, id: string, standardId?: string) {
    let q = tx
      .selectFrom('self_assessment_ratings as r')
      .leftJoin('strategy_actions as s', 's.id', 'r.strategy_action_id')
      .select(['r.id', 'r.standard_id', 'r.rating', 'r.narrative', 'r.improvement_action', 'r.strategy_action_id', 's.action_ref', 's.plan_id'])
      .where('r.assessment_id', '=', id);
    if (standardId) q = q.where('r.standard_id', '=', standardId);
    return q.execute();
  }

  /** The evidence linked to an assessment (or one standard of it), with each record's label and page. */
  private async evidence(tx: Tx, id: string, standardId?: string): Promise<EvidenceLink[]> {
    let q = tx
      .selectFrom('self_assessment_evidence as e')
      .leftJoin('strategy_plans as p', 'p.id', 'e.plan_id')
      .leftJoin('strategy_actions as a', 'a.id', 'e.action_id')
      .leftJoin('strategy_measures as m', 'm.id', 'e.measure_id')
      .leftJoin('case_audits as c', 'c.id', 'e.case_audit_id')
      .select([
        'e.id',
        'e.standard_id',
        'e.kind',
        'e.plan_id',
        'e.action_id',
        'e.case_audit_id',
        'm.plan_id as measure_plan_id',
        'p.title as plan_title',
        'a.action_ref',
        'a.text as action_text',
        'm.name as measure_name',
        'c.title as audit_title',
      ])
      .where('e.assessment_id', '=', id)
      .orderBy('e.created_at')
      .orderBy('e.id');
    if (standardId) q = q.where('e.standard_id', '=', standardId);
    return (await q.execute()).map((e) => {
      const kind = e.kind as EvidenceKind;
      const [label, href] =
        kind === 'plan'
          ? [e.plan_title ?? '', `/strategy/plans/${e.plan_id}`]
          : kind === 'action'
            ? [`${e.action_ref} ${short(e.action_text ?? '')}`, `/strategy/actions/${e.action_id}`]
            : kind === 'measure'
              ? [e.measure_name ?? '', `/strategy/plans/${e.measure_plan_id}/measures`]
              : [e.audit_title ?? '', `/case-audits/${e.case_audit_id}`];
      return { id: e.id, standard_id: e.standard_id, kind, label, href };
    });
  }

  /** The assessment's page: its framework, each standard's rating and evidence, and the counts by rating. */
  get(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const { assessment, framework } = await this.load(tx, id);
      const ratings = await this.ratings(tx, id);
      const evidence = await this.evidence(tx, id);
      const byStandard = new Map(ratings.map((r) => [r.standard_id, r]));
      const standards = standardsOf(framework).map((s) => ({
        ...s,
        rating: byStandard.get(s.id) ?? null,
        evidence: evidence.filter((e) => e.standard_id === s.id),
      }));
      const counts = framework.scale.map((o) => ({ ...o, count: ratings.filter((r) => r.rating === o.value).length }));
      return { assessment, framework, standards, counts, unrated: standards.filter((s) => !s.rating).length };
    });
  }

  /** One standard's page: its rating, evidence, and the records that may be linked as evidence. */
  standard(user: SessionUser, id: string, standardId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const { assessment, framework } = await this.load(tx, id);
      const standard = SelfAssessmentService.standardOf(framework, standardId);
      const [rating] = await this.ratings(tx, id, standardId);
      const evidence = await this.evidence(tx, id, standardId);
      return { assessment, framework, standard, rating: rating ?? null, evidence };
    });
  }

  /** The partnership's records that may be evidence, as `kind:id` choices with labels (archived plans and actions left out). */
  evidenceChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plans = await tx.selectFrom('strategy_plans').select(['id', 'title']).where('archived_at', 'is', null).orderBy('period_start', 'desc').execute();
      const actions = await tx
        .selectFrom('strategy_actions as a')
        .innerJoin('strategy_plans as p', 'p.id', 'a.plan_id')
        .select(['a.id', 'a.action_ref', 'a.text', 'p.title as plan_title'])
        .where('a.archived_at', 'is', null)
        .where('p.archived_at', 'is', null)
        .orderBy('p.period_start', 'desc')
        .orderBy('a.action_ref')
        .limit(500)
        .execute();
      const measures = await tx
        .selectFrom('strategy_measures as m')
        .innerJoin('strategy_plans as p', 'p.id', 'm.plan_id')
        .select(['m.id', 'm.name', 'p.title as plan_title'])
        .where('p.archived_at', 'is', null)
        .orderBy('p.period_start', 'desc')
        .orderBy('m.name')
        .execute();
      const audits = await tx.selectFrom('case_audits').select(['id', 'title']).orderBy('created_at', 'desc').execute();
      return {
        plan: plans.map((p) => ({ value: `plan:${p.id}`, label: p.title })),
        action: actions.map((a) => ({ value: `action:${a.id}`, label: `${a.action_ref} ${short(a.text)} (${a.plan_title})` })),
        measure: measures.map((m) => ({ value: `measure:${m.id}`, label: `${m.name} (${m.plan_title})` })),
        case_audit: audits.map((c) => ({ value: `case_audit:${c.id}`, label: c.title })),
      };
    });
  }

  /** The partnership's plans, for "add to the action plan". */
  plans(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx.selectFrom('strategy_plans').select(['id', 'title']).where('archived_at', 'is', null).orderBy('period_start', 'desc').execute(),
    );
  }

  /** Rates a standard (replacing an earlier rating): a value of the assessment's own scale, a narrative and an improvement action. */
  rate(user: SessionUser, id: string, standardId: string, form: RateForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { framework } = await this.draft(tx, id);
      SelfAssessmentService.standardOf(framework, standardId);
      if (!ratingOf(framework, form.rating)) throw new SelfAssessmentValidationError('rating', 'selfAssessment.v.chooseRating');
      const [earlier] = await this.ratings(tx, id, standardId);
      if (earlier?.strategy_action_id && earlier.improvement_action !== form.improvementAction)
        throw new SelfAssessmentValidationError('improvementAction', 'selfAssessment.v.actionInPlan');
      const values = {
        rating: form.rating,
        narrative: form.narrative,
        improvement_action: form.improvementAction,
        updated_by: user.userId,
        updated_at: this.clock.now(),
      };
      await tx
        .insertInto('self_assessment_ratings')
        .values({ ...values, partnership_id: user.partnershipId, assessment_id: id, standard_id: standardId })
        .onConflict((oc) => oc.columns(['assessment_id', 'standard_id']).doUpdateSet(values))
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: 'self_assessment',
        recordId: id,
        details: { standard: standardId, rating: form.rating, ...(earlier ? { was: earlier.rating } : {}) },
      });
    });
  }

  /** Links one of the partnership's own records to a standard as evidence: a record it cannot see (another partnership's) is refused. */
  addEvidence(user: SessionUser, id: string, standardId: string, ref: { kind: EvidenceKind; id: string }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { framework } = await this.draft(tx, id);
      SelfAssessmentService.standardOf(framework, standardId);
      const table = ({ plan: 'strategy_plans', action: 'strategy_actions', measure: 'strategy_measures', case_audit: 'case_audits' } as const)[ref.kind];
      const found = await tx.selectFrom(table).select('id').where('id', '=', ref.id).executeTakeFirst();
      if (!found) throw new SelfAssessmentValidationError('evidence', 'selfAssessment.v.chooseEvidence');
      const col = column[ref.kind];
      const clash = await tx
        .selectFrom('self_assessment_evidence')
        .select('id')
        .where('assessment_id', '=', id)
        .where('standard_id', '=', standardId)
        .where(col, '=', ref.id)
        .executeTakeFirst();
      if (clash) throw new SelfAssessmentValidationError('evidence', 'selfAssessment.v.evidenceTwice');
      const row = await tx
        .insertInto('self_assessment_evidence')
        .values({
          partnership_id: user.partnershipId,
          assessment_id: id,
          standard_id: standardId,
          kind: ref.kind,
          [col]: ref.id,
          created_by: user.userId,
          created_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.update',
        recordType: 'self_assessment',
        recordId: id,
        details: { standard: standardId, evidenceAdded: { id: row.id, kind: ref.kind, record: ref.id } },
      });
    });
  }

  removeEvidence(user: SessionUser, id: string, standardId: string, evidenceId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.draft(tx, id);
      const removed = await tx
        .deleteFrom('self_assessment_evidence')
        .where('id', '=', evidenceId)
        .where('assessment_id', '=', id)
        .where('standard_id', '=', standardId)
        .returning(['id', 'kind'])
        .executeTakeFirst();
      if (!removed) throw notFound();
      await act.audit({
        action: 'record.update',
        recordType: 'self_assessment',
        recordId: id,
        details: { standard: standardId, evidenceRemoved: { id: evidenceId, kind: removed.kind } },
      });
    });
  }

  /** Marks the assessment complete (every standard rated, "not assessed" counting as a rating): it is read-only from then on. */
  complete(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { framework } = await this.draft(tx, id);
      const rated = new Set((await this.ratings(tx, id)).map((r) => r.standard_id));
      const missing = standardsOf(framework).filter((s) => !rated.has(s.id));
      if (missing.length > 0) throw new SelfAssessmentValidationError('complete', 'selfAssessment.v.rateAll', { count: missing.length });
      await tx
        .updateTable('self_assessments')
        .set({ status: 'complete', completed_at: this.clock.now(), completed_by: user.userId })
        .where('id', '=', id)
        .execute();
      await act.audit({ action: 'record.update', recordType: 'self_assessment', recordId: id, details: { status: 'complete' } });
    });
  }

  /**
   * Adds a standard's improvement action to an action plan: a new action of the plan (its reference under
   * one of the plan framework's outcomes), whose Board plan cross-reference names the self-assessment and
   * the standard, and the rating keeps the action's id — the cross-reference back. Needs strategy.manage.
   * Allowed on a completed assessment too (the Board agrees the actions after signing it off).
   */
  addToPlan(user: SessionUser, id: string, standardId: string, form: { planId: string; actionRef: string }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { assessment, framework } = await this.load(tx, id);
      SelfAssessmentService.standardOf(framework, standardId);
      const [rating] = await this.ratings(tx, id, standardId);
      if (!rating || rating.improvement_action.trim() === '') throw new SelfAssessmentValidationError('planId', 'selfAssessment.v.noImprovementAction');
      if (rating.strategy_action_id) throw new LanternError('LANTERN_E_CONFLICT', 'already in a plan');
      const added = await addCrossReferencedAction(tx, act, user.partnershipId, {
        planId: form.planId,
        actionRef: form.actionRef,
        text: rating.improvement_action,
        boardPlanRef: `Self-assessment ${assessment.year}: ${assessment.title}, standard ${standardId}`,
        evidenceSource: `/self-assessments/${id}/standards/${standardId}`,
        from: { fromSelfAssessment: id, standard: standardId },
      });
      if ('problem' in added) throw new SelfAssessmentValidationError('actionRef', `selfAssessment.v.${added.problem}`);
      await tx.updateTable('self_assessment_ratings').set({ strategy_action_id: added.actionId }).where('id', '=', rating.id).execute();
      return { planId: form.planId, actionId: added.actionId };
    });
  }

  /** The frameworks the partnership has assessments against, for the comparison's choice. */
  frameworksAssessed(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) =>
      (await tx.selectFrom('self_assessments').select('framework_id').distinct().orderBy('framework_id').execute()).map((r) => r.framework_id),
    );
  }

  /** The year-on-year comparison of one framework's assessments; a framework with none (or unknown) is not found. */
  compare(user: SessionUser, frameworkId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx
        .selectFrom('self_assessments')
        .select(['id', 'year', 'title', 'status', 'framework', 'framework_version'])
        .where('framework_id', '=', frameworkId)
        .orderBy('year')
        .execute();
      if (rows.length === 0) throw notFound();
      const newest = rows.reduce((a, r) => (r.framework_version > a.framework_version ? r : a));
      const framework = latestFramework(frameworkId) ?? storedFramework(newest.framework);
      const ratings = await tx
        .selectFrom('self_assessment_ratings')
        .select(['assessment_id', 'standard_id', 'rating'])
        .where(
          'assessment_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      const assessments = rows.map((r) => ({
        id: r.id,
        year: r.year,
        title: r.title,
        status: r.status,
        ratings: Object.fromEntries(ratings.filter((x) => x.assessment_id === r.id).map((x) => [x.standard_id, x.rating])),
      }));
      return { framework, ...compare(framework, assessments) };
    });
  }
}

const short = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);
