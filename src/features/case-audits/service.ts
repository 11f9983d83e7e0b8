import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { can, permissions } from '../../authz/policy.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { Tx } from '../../db/kysely-types.ts';
import { LanternError, notFound } from '../../errors.ts';
import { addCrossReferencedAction } from '../strategy/repository.ts';
import { drawSample, newSeed, type Candidate } from './sampling.ts';
import type { AnswerForm, AuditForm, ModerationForm } from './schema.ts';
import { findAuditTool, isGrade, optionsOf, questionsOf, storedTool, type AuditTool, type Grade } from './tool.ts';

/** A form-level refusal the page shows in its error summary: the field and the message key. */
export class CaseAuditValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(messageKey);
  }
}

export interface SampleRow {
  id: string;
  child_id: string;
  position: number;
  stratum: string;
  answers: { agency_id: string; agency_name: string; grade: Grade; auditor_name: string; answers: Record<string, string>; comment: string }[];
  moderation: { agreed_grade: Grade; note: string } | null;
  /** The record's grade: the moderated one, else the one all its agencies gave, else null (disagreement or no answer). */
  grade: Grade | null;
  disagreement: boolean;
}

/** Whether the auditors' grades of one record disagree (two or more different grades). */
export const disagree = (answers: readonly { grade: string }[]) => new Set(answers.map((a) => a.grade)).size > 1;

/** The grade a record is counted under: the moderated grade, else the agencies' one shared grade. */
export function recordGrade(answers: readonly { grade: Grade }[], moderation: { agreed_grade: Grade } | null): Grade | null {
  if (moderation) return moderation.agreed_grade;
  if (answers.length === 0 || disagree(answers)) return null;
  return answers[0]!.grade;
}

const auditorRoles: readonly string[] = permissions['case-audits.audit'];

/**
 * Multi-agency case audits (issue 15 §1): the lead (a strategy lead or co-ordinator) scopes an audit,
 * draws its sample, names the auditors and opens it; each auditor reads the sampled records only while
 * it is open (lantern_case_audit_record, migration 0560), answering for their own agency; the lead
 * moderates disagreements, writes findings and learning actions (added to the action plan), closes it,
 * and the report is published without names, its figures under disclosure control (report.ts).
 */
export class CaseAuditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The audits the reader may see: every audit for those who read them, else the audits they are an auditor of. */
  list(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      let q = tx
        .selectFrom('case_audits as a')
        .select([
          'a.id',
          'a.title',
          'a.status',
          sql<string>`a.period_start::text`.as('period_start'),
          sql<string>`a.period_end::text`.as('period_end'),
          (eb) =>
            eb
              .selectFrom('case_audit_sample as s')
              .whereRef('s.audit_id', '=', 'a.id')
              .select((e) => e.fn.countAll<number>().as('n'))
              .as('sampled'),
        ])
        .orderBy('a.created_at', 'desc');
      if (!can(user, 'case-audits.read'))
        q = q.where((eb) => eb.exists(eb.selectFrom('case_audit_auditors as u').whereRef('u.audit_id', '=', 'a.id').where('u.user_id', '=', user.userId)));
      return (await q.execute()).map((a) => ({ ...a, sampled: Number(a.sampled) }));
    });
  }

  /** The choices of the new audit form: the tools, the agencies. */
  formChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => ({
      agencies: await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute(),
    }));
  }

  /** Scopes a new audit and draws its sample from the children matching its criteria, with the seed given or a new one (recorded). */
  create(user: SessionUser, form: AuditForm): Promise<string> {
    const [toolId, version] = form.tool.split('@') as [string, string];
    const tool = findAuditTool(toolId, Number(version));
    if (!tool) throw new CaseAuditValidationError('tool', 'caseAudits.v.chooseTool');
    const seed = form.seed ?? newSeed();
    const stratifyBy = form.method === 'stratified' ? (form.stratifyBy ?? null) : null;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const candidates = await this.candidates(tx, form);
      if (candidates.length === 0) throw new CaseAuditValidationError('riskLevels', 'caseAudits.v.noCandidates');
      const sample = drawSample(candidates, { size: form.sampleSize, seed, stratifyBy });
      const criteria = { riskLevels: form.riskLevels, flag: form.flag, agencyId: form.agencyId };
      const { id } = await tx
        .insertInto('case_audits')
        .values({
          partnership_id: user.partnershipId,
          title: form.title,
          scope: form.scope,
          period_start: form.periodStart,
          period_end: form.periodEnd,
          tool_id: tool.id,
          tool_version: tool.version,
          tool: JSON.stringify(tool),
          criteria: JSON.stringify(criteria),
          method: form.method,
          stratify_by: stratifyBy,
          sample_size: form.sampleSize,
          seed,
          population: candidates.length,
          created_by: user.userId,
          created_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('case_audit_sample')
        .values(sample.map((s) => ({ partnership_id: user.partnershipId, audit_id: id, child_id: s.childId, position: s.position, stratum: s.stratum })))
        .execute();
      await act.audit({
        action: 'record.create',
        recordType: 'case_audit',
        recordId: id,
        details: { seed, method: form.method, stratifyBy, population: candidates.length, sampled: sample.length },
        disclosedIds: sample.map((s) => s.childId),
      });
      return id;
    });
  }

  private async candidates(tx: Tx, form: Pick<AuditForm, 'periodStart' | 'periodEnd' | 'riskLevels' | 'flag' | 'agencyId'>): Promise<Candidate[]> {
    const risk = form.riskLevels.length ? sql`${sql.val(form.riskLevels)}::text[]` : sql`NULL::text[]`;
    const { rows } = await sql<{ child_id: string; owning_agency_id: string; risk_level: string | null; open_flags: string[] }>`
      SELECT * FROM lantern_case_audit_candidates(${form.periodStart}::date, ${form.periodEnd}::date, ${risk}, ${form.flag}::text, ${form.agencyId}::uuid)`.execute(
      tx,
    );
    return rows.map((r) => ({ childId: r.child_id, owningAgencyId: r.owning_agency_id, riskLevel: r.risk_level, openFlags: r.open_flags }));
  }

  /** One audit with its sample, auditors, answers, moderation and learning; names of children never. */
  get(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), (tx) => this.load(tx, id));
  }

  private async load(tx: Tx, id: string) {
    const row = await tx
      .selectFrom('case_audits as a')
      .leftJoin('agencies as g', (j) => j.on(sql<boolean>`g.id = (a.criteria->>'agencyId')::uuid`))
      .selectAll('a')
      .select([sql<string>`a.period_start::text`.as('start'), sql<string>`a.period_end::text`.as('end'), 'g.name as criteria_agency'])
      .where('a.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound();
    const tool = storedTool(row.tool);
    const agencies = new Map((await tx.selectFrom('agencies').select(['id', 'name']).execute()).map((a) => [a.id, a.name]));
    const auditors = await tx
      .selectFrom('case_audit_auditors as u')
      .innerJoin('users as p', 'p.id', 'u.user_id')
      .innerJoin('agencies as g', 'g.id', 'u.agency_id')
      .select(['u.id', 'u.user_id', 'p.display_name', 'g.name as agency_name'])
      .where('u.audit_id', '=', id)
      .orderBy('g.name')
      .orderBy('p.display_name')
      .execute();
    const samples = await tx
      .selectFrom('case_audit_sample')
      .select(['id', 'child_id', 'position', 'stratum'])
      .where('audit_id', '=', id)
      .orderBy('position')
      .execute();
    const answers = await tx
      .selectFrom('case_audit_answers as x')
      .innerJoin('agencies as g', 'g.id', 'x.agency_id')
      .innerJoin('users as p', 'p.id', 'x.auditor_id')
      .select(['x.sample_id', 'x.agency_id', 'g.name as agency_name', 'x.grade', 'p.display_name as auditor_name', 'x.answers', 'x.comment'])
      .where('x.audit_id', '=', id)
      .orderBy('g.name')
      .execute();
    const moderations = await tx.selectFrom('case_audit_moderations').select(['sample_id', 'agreed_grade', 'note']).where('audit_id', '=', id).execute();
    const learning = await tx
      .selectFrom('case_audit_learning as l')
      .leftJoin('strategy_actions as s', 's.id', 'l.strategy_action_id')
      .select(['l.id', 'l.text', 'l.strategy_action_id', 's.plan_id', 's.action_ref'])
      .where('l.audit_id', '=', id)
      .orderBy('l.created_at')
      .execute();
    const sample: SampleRow[] = samples.map((s) => {
      const mine = answers.filter((a) => a.sample_id === s.id).map((a) => ({ ...a, grade: a.grade as Grade, answers: a.answers as Record<string, string> }));
      const m = moderations.find((x) => x.sample_id === s.id);
      const moderation = m ? { agreed_grade: m.agreed_grade as Grade, note: m.note } : null;
      return { ...s, answers: mine, moderation, grade: recordGrade(mine, moderation), disagreement: disagree(mine) };
    });
    const stratumLabel = (stratum: string) => (row.stratify_by === 'agency' ? (agencies.get(stratum) ?? stratum) : stratum);
    return {
      audit: { ...row, criteria: row.criteria as { riskLevels: string[]; flag: string | null; agencyId: string | null } },
      tool,
      auditors,
      sample: sample.map((s) => ({ ...s, stratumLabel: stratumLabel(s.stratum) })),
      learning,
    };
  }

  /** The people who may be named as auditors: the partnership's active accounts with an auditing role. */
  eligibleAuditors(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx
        .selectFrom('users as p')
        .innerJoin('agencies as g', 'g.id', 'p.agency_id')
        .select(['p.id', 'p.display_name', 'g.name as agency_name'])
        .where('p.disabled_at', 'is', null)
        .where(sql<boolean>`p.roles && ${sql.val([...auditorRoles])}::text[]`)
        .orderBy('g.name')
        .orderBy('p.display_name')
        .execute(),
    );
  }

  private async mustBe(tx: Tx, id: string, statuses: readonly string[]) {
    const row = await tx.selectFrom('case_audits').select(['id', 'status', 'title']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound();
    if (!statuses.includes(row.status)) throw new LanternError('LANTERN_E_CONFLICT', `audit is ${row.status}`);
    return row;
  }

  /** Names an auditor, who answers for the agency of their account. */
  addAuditor(user: SessionUser, id: string, userId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.mustBe(tx, id, ['draft', 'in_progress']);
      const person = await tx
        .selectFrom('users')
        .select(['id', 'agency_id', 'roles'])
        .where('id', '=', userId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!person || !person.roles.some((r) => auditorRoles.includes(r))) throw new CaseAuditValidationError('userId', 'caseAudits.v.chooseAuditor');
      const clash = await tx.selectFrom('case_audit_auditors').select('id').where('audit_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (clash) throw new CaseAuditValidationError('userId', 'caseAudits.v.alreadyAuditor');
      await tx
        .insertInto('case_audit_auditors')
        .values({ partnership_id: user.partnershipId, audit_id: id, user_id: userId, agency_id: person.agency_id })
        .execute();
      await act.audit({ action: 'record.update', recordType: 'case_audit', recordId: id, details: { auditorAdded: userId } });
    });
  }

  /** Opens the audit to its auditors (draft → in progress) or closes it (in progress → closed), which ends their access. */
  setStatus(user: SessionUser, id: string, to: 'in_progress' | 'closed') {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.mustBe(tx, id, [to === 'in_progress' ? 'draft' : 'in_progress']);
      if (to === 'in_progress') {
        const auditors = await tx.selectFrom('case_audit_auditors').select('id').where('audit_id', '=', id).executeTakeFirst();
        if (!auditors) throw new CaseAuditValidationError('userId', 'caseAudits.v.needsAuditor');
      }
      const now = this.clock.now();
      await tx
        .updateTable('case_audits')
        .set(to === 'in_progress' ? { status: to, opened_at: now } : { status: to, closed_at: now })
        .where('id', '=', id)
        .execute();
      await act.audit({ action: 'record.update', recordType: 'case_audit', recordId: id, details: { status: to } });
    });
  }

  /** The records an auditor may open: the sample of an audit in progress they are named on; 404 otherwise. */
  auditorSample(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const audit = await tx
        .selectFrom('case_audits as a')
        .innerJoin('case_audit_auditors as u', 'u.audit_id', 'a.id')
        .innerJoin('agencies as g', 'g.id', 'u.agency_id')
        .select([
          'a.id',
          'a.title',
          'a.scope',
          'a.status',
          sql<string>`a.period_start::text`.as('start'),
          sql<string>`a.period_end::text`.as('end'),
          'g.name as agency_name',
        ])
        .where('a.id', '=', id)
        .where('u.user_id', '=', user.userId)
        .where('a.status', '=', 'in_progress')
        .executeTakeFirst();
      if (!audit) throw notFound();
      const sample = await tx
        .selectFrom('case_audit_sample as s')
        .leftJoin('case_audit_answers as x', (j) => j.onRef('x.sample_id', '=', 's.id').on('x.agency_id', '=', user.agencyId))
        .select(['s.child_id', 's.position', 'x.grade'])
        .where('s.audit_id', '=', id)
        .orderBy('s.position')
        .execute();
      return { audit, sample };
    });
  }

  /** A sampled record as an auditor reads it (audited on the child), with their agency's answers so far; 404 unless the database allows it. */
  record(user: SessionUser, id: string, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const result = await this.readRecord(tx, id, childId);
      await act.audit({
        action: 'record.view',
        recordType: 'child',
        recordId: childId,
        reason: `case audit: ${result.audit.title}`,
        details: { caseAudit: id },
      });
      return result;
    });
  }

  private async readRecord(tx: Tx, id: string, childId: string) {
    const { rows } = await sql<{ record: Record<string, unknown> | null }>`SELECT lantern_case_audit_record(${id}::uuid, ${childId}::uuid) AS record`.execute(
      tx,
    );
    const record = rows[0]?.record;
    if (!record) throw notFound();
    const audit = await tx
      .selectFrom('case_audits')
      .select(['id', 'title', 'tool', sql<string>`period_start::text`.as('start'), sql<string>`period_end::text`.as('end')])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const sample = await tx
      .selectFrom('case_audit_sample')
      .select(['id', 'position'])
      .where('audit_id', '=', id)
      .where('child_id', '=', childId)
      .executeTakeFirstOrThrow();
    return { audit: { ...audit, tool: storedTool(audit.tool) }, record, sample };
  }

  /** The values of an answer form as stored: each question's answer checked against its scale; every question must be answered. */
  static checkAnswers(tool: AuditTool, form: AnswerForm): { answers: Record<string, string>; missing: string[] } {
    const answers: Record<string, string> = {};
    const missing: string[] = [];
    for (const q of questionsOf(tool)) {
      const value = form[`q-${q.id}`];
      if (typeof value === 'string' && optionsOf(tool, q.scale).some((o) => o.value === value)) answers[q.id] = value;
      else missing.push(q.id);
    }
    return { answers, missing };
  }

  /** Saves the auditor's answers for their own agency (replacing their agency's earlier ones), while the audit is open. */
  answer(user: SessionUser, id: string, childId: string, form: AnswerForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { audit, sample } = await this.readRecord(tx, id, childId);
      const { answers, missing } = CaseAuditService.checkAnswers(audit.tool, form);
      if (missing.length > 0) throw new CaseAuditValidationError(`q-${missing[0]}`, 'caseAudits.v.answerAll', { missing });
      if (!isGrade(form.grade)) throw new CaseAuditValidationError('grade', 'caseAudits.v.chooseGrade');
      const values = { answers: JSON.stringify(answers), grade: form.grade, comment: form.comment, auditor_id: user.userId, submitted_at: this.clock.now() };
      await tx
        .insertInto('case_audit_answers')
        .values({ ...values, partnership_id: user.partnershipId, audit_id: id, sample_id: sample.id, agency_id: user.agencyId })
        .onConflict((oc) => oc.columns(['sample_id', 'agency_id']).doUpdateSet(values))
        .execute();
      await act.audit({ action: 'record.update', recordType: 'case_audit', recordId: id, details: { answered: sample.position, grade: form.grade } });
      return sample.position;
    });
  }

  /** The lead's agreed grade for a record whose auditors disagreed (or any record), with the reason. */
  moderate(user: SessionUser, id: string, form: ModerationForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.mustBe(tx, id, ['in_progress', 'closed']);
      const sample = await tx
        .selectFrom('case_audit_sample')
        .select(['id', 'position'])
        .where('id', '=', form.sampleId)
        .where('audit_id', '=', id)
        .executeTakeFirst();
      if (!sample) throw notFound();
      const values = { agreed_grade: form.agreedGrade, note: form.note, moderated_by: user.userId, moderated_at: this.clock.now() };
      await tx
        .insertInto('case_audit_moderations')
        .values({ ...values, partnership_id: user.partnershipId, audit_id: id, sample_id: sample.id })
        .onConflict((oc) => oc.column('sample_id').doUpdateSet(values))
        .execute();
      await act.audit({ action: 'record.update', recordType: 'case_audit', recordId: id, details: { moderated: sample.position, grade: form.agreedGrade } });
    });
  }

  saveFindings(user: SessionUser, id: string, findings: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.mustBe(tx, id, ['in_progress', 'closed']);
      await tx.updateTable('case_audits').set({ findings }).where('id', '=', id).execute();
      await act.audit({ action: 'record.update', recordType: 'case_audit', recordId: id, details: { findings: true } });
    });
  }

  addLearning(user: SessionUser, id: string, text: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.mustBe(tx, id, ['in_progress', 'closed']);
      const row = await tx
        .insertInto('case_audit_learning')
        .values({ partnership_id: user.partnershipId, audit_id: id, text, created_at: this.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'case_audit_learning', recordId: row.id, details: { audit: id } });
    });
  }

  /** The partnership's plans, for "add to the action plan". */
  plans(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('strategy_plans').select(['id', 'title']).orderBy('period_start', 'desc').execute());
  }

  /**
   * Adds a learning action to an action plan: a new action of the plan (its reference under one of the
   * framework's outcomes), whose Board plan cross-reference names the audit, and the learning action
   * keeps the action's id — the cross-reference back. Needs strategy.manage (the plan's owner).
   */
  addToPlan(user: SessionUser, id: string, learningId: string, form: { planId: string; actionRef: string }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const audit = await this.mustBe(tx, id, ['in_progress', 'closed']);
      const learning = await tx
        .selectFrom('case_audit_learning')
        .select(['id', 'text', 'strategy_action_id'])
        .where('id', '=', learningId)
        .where('audit_id', '=', id)
        .executeTakeFirst();
      if (!learning) throw notFound();
      if (learning.strategy_action_id) throw new LanternError('LANTERN_E_CONFLICT', 'already in a plan');
      const added = await addCrossReferencedAction(tx, act, user.partnershipId, {
        planId: form.planId,
        actionRef: form.actionRef,
        text: learning.text,
        boardPlanRef: `Case audit: ${audit.title}`,
        evidenceSource: `/case-audits/${id}`,
        from: { fromCaseAudit: id },
      });
      if ('problem' in added) throw new CaseAuditValidationError('actionRef', `caseAudits.v.${added.problem}`);
      await tx.updateTable('case_audit_learning').set({ strategy_action_id: added.actionId }).where('id', '=', learningId).execute();
      return { planId: form.planId, actionId: added.actionId };
    });
  }
}
