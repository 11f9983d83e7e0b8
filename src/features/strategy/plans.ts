import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { can } from '../../authz/policy.ts';
import { londonDate, quarterOf } from '../../dates.ts';
import { withActor, type Act, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { forbidden, notFound } from '../../errors.ts';
import { frameworkNameOf, outcomeOfAction } from './domain/frameworks.ts';
import { checkSmart, groupCommonFindings, planAcronymExpansions, smartReport, type SmartInput, type SmartOptions } from './domain/smart.ts';
import { StrategyValidationError } from './errors.ts';
import { greenOverdueProblem, isOverdue, quarterLabel } from './progress.ts';
import { actionRefProblem, glossaryOf, loadActions, loadPlan, showsNames } from './repository.ts';
import type { ActionForm, PlanForm, ProgressForm } from './schema.ts';

/** Strategy plans, their actions and each action's quarterly progress (kept as history). */
/** A plan's columns as its form gives them: a new plan and an edited one are written alike. */
const planColumns = (form: PlanForm) => ({
  agency_id: form.agencyId,
  framework_id: form.frameworkId,
  title: form.title,
  period_start: form.periodStart,
  period_end: form.periodEnd,
  review_cycle: form.reviewCycle,
  next_review_on: form.nextReviewOn,
  named_review: form.namedReview,
  owning_body: form.owningBody,
  accountable_to: form.accountableTo,
  linked_plans: form.linkedPlans,
  requires_board_plan_ref: form.requiresBoardPlanRef,
});

export class PlanService {
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

  /** The live plans, or with `archived` the archived ones (issue 15: archived, never deleted). */
  listPlans(user: SessionUser, archived = false) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plans = await tx
        .selectFrom('strategy_plans as p')
        .innerJoin('strategy_frameworks as f', 'f.id', 'p.framework_id')
        .leftJoin('agencies as a', 'a.id', 'p.agency_id')
        .select([
          'p.id',
          'p.title',
          'p.period_start',
          'p.period_end',
          'p.owning_body',
          'p.next_review_on',
          'f.key',
          'f.name',
          'f.built_in',
          'f.definition',
          'a.name as agency_name',
        ])
        .where('p.archived_at', archived ? 'is not' : 'is', null)
        .orderBy('p.period_start', 'desc')
        .orderBy('p.title')
        .execute();
      const counts = await tx.selectFrom('strategy_actions').select(['plan_id', 'status', 'due_on']).where('archived_at', 'is', null).execute();
      const today = this.today();
      return plans.map(({ key, name, built_in, definition, ...p }) => {
        const actions = counts.filter((c) => c.plan_id === p.id);
        return {
          ...p,
          // A local text (src/i18n/local-text.ts): the view shows it in the page's language.
          framework_name: frameworkNameOf({ key, name, built_in, definition }),
          actions: actions.length,
          red: actions.filter((a) => a.status === 'red').length,
          overdue: actions.filter((a) => isOverdue(a.status, a.due_on, today)).length,
          completed: actions.filter((a) => a.status === 'blue').length,
        };
      });
    });
  }

  formChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => ({
      frameworks: (await tx.selectFrom('strategy_frameworks').select(['id', 'key', 'name', 'built_in', 'definition']).orderBy('name').execute()).map((f) => ({
        id: f.id,
        name: frameworkNameOf(f),
      })),
      agencies: await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute(),
      people: showsNames(user)
        ? await tx.selectFrom('users').select(['id', 'display_name', 'job_title']).where('disabled_at', 'is', null).orderBy('display_name').execute()
        : [],
    }));
  }

  createPlan(user: SessionUser, form: PlanForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .insertInto('strategy_plans')
        .values({
          partnership_id: user.partnershipId,
          ...planColumns(form),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'strategy_plan', recordId: row.id, details: { title: form.title } });
      return row.id;
    });
  }

  updatePlan(user: SessionUser, planId: string, form: PlanForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await loadPlan(tx, planId);
      await tx
        .updateTable('strategy_plans')
        .set({
          ...planColumns(form),
          updated_at: this.clock.now(),
        })
        .where('id', '=', planId)
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: 'strategy_plan',
        recordId: planId,
        details: {
          title: form.title,
          owningBody: { from: before.owning_body, to: form.owningBody },
          nextReviewOn: form.nextReviewOn,
          requiresBoardPlanRef: { from: before.requires_board_plan_ref, to: form.requiresBoardPlanRef },
        },
      });
    });
  }

  getPlan(user: SessionUser, planId: string, showArchived = false) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plan = await loadPlan(tx, planId);
      const actions = await loadActions(tx, planId, user, this.clock);
      const archivedActions = await loadActions(tx, planId, user, this.clock, 'archived');
      const glossary = await glossaryOf(tx);
      const options = this.smartOptions(plan, actions);
      const findingsByAction = Object.fromEntries(actions.map((a) => [a.id, checkSmart(smartInputOf(a), glossary, options).length]));
      const strands = plan.framework.strands.map((strand) => ({
        ...strand,
        outcomes: plan.framework.outcomes
          .filter((o) => o.strandKey === strand.key)
          .map((o) => ({
            ...o,
            actions: actions.filter((a) => a.outcome_ref === o.id),
          })),
      }));
      return {
        plan,
        actions,
        strands,
        findingsByAction,
        archivedCount: archivedActions.length,
        archivedActions: showArchived ? archivedActions : [],
        showArchived,
      };
    });
  }

  /** The plan alone, without its actions: what the import pages show, however many actions it has. */
  planOnly(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx) => ({ plan: await loadPlan(tx, planId) }));
  }

  smartReportFor(user: SessionUser, planId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plan = await loadPlan(tx, planId);
      const actions = await loadActions(tx, planId, user, this.clock);
      const glossary = await glossaryOf(tx);
      const options = this.smartOptions(plan, actions);
      const report = smartReport(
        actions.map((a) => ({ ...smartInputOf(a), id: a.action_ref })),
        glossary,
        options,
      );
      const { common, perAction } = groupCommonFindings(
        actions.map((a) => ({ id: a.id, ref: a.action_ref, text: a.text, findings: checkSmart(smartInputOf(a), glossary, options) })),
        actions.length,
      );
      return { plan, report, common, perAction };
    });
  }

  getAction(user: SessionUser, actionId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx.selectFrom('strategy_actions').select(['plan_id']).where('id', '=', actionId).executeTakeFirst();
      if (!row) throw notFound();
      const plan = await loadPlan(tx, row.plan_id);
      const action = (await loadActions(tx, row.plan_id, user, this.clock, 'all')).find((a) => a.id === actionId)!;
      const history = await tx
        .selectFrom('strategy_action_updates as up')
        .leftJoin('users as u', 'u.id', 'up.recorded_by')
        .select([
          'up.id',
          'up.quarter_start',
          'up.status',
          'up.narrative',
          'up.current_value',
          'up.status_note',
          'up.recorded_at',
          'u.display_name as recorded_by_name',
        ])
        .where('up.action_id', '=', actionId)
        .orderBy('up.quarter_start', 'desc')
        .orderBy('up.recorded_at', 'desc')
        .execute();
      const names = showsNames(user);
      const glossary = await glossaryOf(tx);
      return {
        plan,
        action,
        outcome: outcomeOfAction(plan.framework, action.action_ref) ?? plan.framework.outcomes.find((o) => o.id === action.outcome_ref),
        history: history.map((h) => ({ ...h, recorded_by_name: names ? h.recorded_by_name : null, quarter_label: quarterLabel(h.quarter_start) })),
        findings: checkSmart(smartInputOf(action), glossary, this.smartOptions(plan, await loadActions(tx, row.plan_id, user, this.clock))),
        mayUpdate: this.mayUpdate(user, action.lead_user_id),
      };
    });
  }

  /** Strategy leads own the whole plan; anyone else may record progress only on actions they lead. */
  mayUpdate(user: SessionUser, leadUserId: string | null) {
    if (can(user, 'strategy.manage')) return true;
    return can(user, 'actions.update') && leadUserId === user.userId;
  }

  /**
   * What the SMART check needs beyond one row: today, the plan's settings, and the acronyms
   * written out anywhere in the plan (an expansion in one action explains it in all).
   */
  private smartOptions(plan: { requires_board_plan_ref: boolean }, actions: readonly Parameters<typeof smartInputOf>[0][]): SmartOptions {
    return {
      today: this.today(),
      requireBoardPlanRef: plan.requires_board_plan_ref,
      planExpansions: planAcronymExpansions(actions.map(smartInputOf)),
    };
  }

  /** SMART findings for values typed into the form, before they are saved. */
  checkDraft(user: SessionUser, planId: string, draft: SmartInput) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const plan = await loadPlan(tx, planId);
      const options = this.smartOptions(plan, await loadActions(tx, planId, user, this.clock));
      return checkSmart(draft, await glossaryOf(tx), options);
    });
  }

  saveAction(user: SessionUser, planId: string, actionId: string | null, form: ActionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await loadPlan(tx, planId);
      const refProblem = await actionRefProblem(tx, plan, form.actionRef, actionId);
      if (refProblem) throw new StrategyValidationError('actionRef', `strategy.validation.${refProblem}`);
      const values = {
        action_ref: form.actionRef,
        outcome_ref: form.actionRef.slice(0, -1),
        text: form.text,
        lead_title: form.leadTitle,
        lead_user_id: form.leadUserId,
        lead_agency_id: form.leadAgencyId,
        start_on: form.startOn,
        due_on: form.dueOn,
        cost_pounds: form.costPounds,
        cost_note: form.costNote,
        success_measure: form.successMeasure,
        target_value: form.targetValue,
        measure_unit: form.measureUnit,
        evidence_source: form.evidenceSource,
        board_plan_ref: form.boardPlanRef,
        updated_at: this.clock.now(),
      };
      if (actionId === null) {
        const row = await tx
          .insertInto('strategy_actions')
          .values({ ...values, partnership_id: user.partnershipId, plan_id: planId })
          .returning('id')
          .executeTakeFirstOrThrow();
        await act.audit({ action: 'record.create', recordType: 'strategy_action', recordId: row.id, details: { ref: form.actionRef } });
        return row.id;
      }
      const before = await tx
        .selectFrom('strategy_actions')
        .select(['status', 'status_note', 'due_on'])
        .where('id', '=', actionId)
        .where('plan_id', '=', planId)
        .executeTakeFirst();
      if (!before) throw notFound();
      const problem = greenOverdueProblem(before.status, form.dueOn, before.status_note, this.today());
      if (problem) throw new StrategyValidationError('dueOn', problem);
      await tx.updateTable('strategy_actions').set(values).where('id', '=', actionId).execute();
      await act.audit({
        action: 'record.update',
        recordType: 'strategy_action',
        recordId: actionId,
        details: { ref: form.actionRef, dueOn: { from: before.due_on, to: form.dueOn } },
      });
      return actionId;
    });
  }

  /**
   * Archives a plan, or restores it (issue 15). Nothing is deleted: an archived plan leaves the
   * list of plans but keeps its actions, history and audit trail, and can be restored. Audited.
   */
  setPlanArchived(user: SessionUser, planId: string, archive: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await loadPlan(tx, planId);
      await this.setArchived(tx, act, user, 'strategy_plans', planId, plan.archived_at !== null, archive, { title: plan.title });
    });
  }

  /** Archives an action, or restores it: it leaves the plan, its reports and checks, and comes back as it was. Audited. */
  setActionArchived(user: SessionUser, actionId: string, archive: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const action = await tx
        .selectFrom('strategy_actions')
        .select(['id', 'plan_id', 'action_ref', 'archived_at'])
        .where('id', '=', actionId)
        .executeTakeFirst();
      if (!action) throw notFound();
      await this.setArchived(tx, act, user, 'strategy_actions', actionId, action.archived_at !== null, archive, { ref: action.action_ref });
      return action.plan_id;
    });
  }

  /** The one archive/restore of a plan or an action: a no-op when already so, else the change and its audit row. */
  private async setArchived(
    tx: Tx,
    act: Act,
    user: SessionUser,
    table: 'strategy_plans' | 'strategy_actions',
    id: string,
    archived: boolean,
    archive: boolean,
    details: Record<string, unknown>,
  ) {
    if (archived === archive) return;
    await tx
      .updateTable(table)
      .set(archive ? { archived_at: this.clock.now(), archived_by: user.userId } : { archived_at: null, archived_by: null })
      .where('id', '=', id)
      .execute();
    await act.audit({
      action: 'record.update',
      recordType: table === 'strategy_plans' ? 'strategy_plan' : 'strategy_action',
      recordId: id,
      details: { ...details, lifecycle: archive ? 'archived' : 'restored' },
    });
  }

  /** Records a quarter's progress: kept as history, and the action's current status follows it. */
  recordProgress(user: SessionUser, actionId: string, form: ProgressForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const action = await tx
        .selectFrom('strategy_actions')
        .select(['id', 'lead_user_id', 'due_on', 'status', 'action_ref'])
        .where('id', '=', actionId)
        .executeTakeFirst();
      if (!action) throw notFound();
      if (!this.mayUpdate(user, action.lead_user_id)) throw forbidden('only the action lead or a strategy lead may record progress');
      const problem = greenOverdueProblem(form.status, action.due_on, form.statusNote, this.today());
      if (problem) throw new StrategyValidationError('statusNote', problem);
      if (form.quarterStart > this.currentQuarter()) throw new StrategyValidationError('quarterStart', 'strategy.validation.futureQuarter');
      await tx
        .insertInto('strategy_action_updates')
        .values({
          partnership_id: user.partnershipId,
          action_id: actionId,
          quarter_start: form.quarterStart,
          status: form.status,
          narrative: form.narrative,
          current_value: form.currentValue,
          status_note: form.statusNote,
          recorded_by: user.userId,
          recorded_at: this.clock.now(),
        })
        .execute();
      await tx
        .updateTable('strategy_actions')
        .set({
          status: form.status,
          status_note: form.statusNote,
          updated_at: this.clock.now(),
          ...(form.currentValue !== null ? { current_value: form.currentValue } : {}),
        })
        .where('id', '=', actionId)
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: 'strategy_action',
        recordId: actionId,
        details: { ref: action.action_ref, quarter: form.quarterStart, status: { from: action.status, to: form.status } },
      });
    });
  }
}

export function smartInputOf(a: {
  text: string;
  success_measure: string;
  target_value: string | null;
  measure_unit: string;
  lead_title: string;
  lead_agency_name: string | null;
  due_on: string | null;
  evidence_source: string;
  board_plan_ref?: string;
  status?: string;
  status_note?: string;
  latest_narrative?: string;
  current_value?: string | null;
}): SmartInput {
  return {
    text: a.text,
    successMeasure: a.success_measure,
    target: a.target_value === null ? '' : `${a.target_value}${a.measure_unit ? ` ${a.measure_unit}` : ''}`,
    leadPerson: a.lead_title,
    leadAgency: a.lead_agency_name ?? '',
    dueDate: a.due_on ?? '',
    evidenceSource: a.evidence_source,
    boardPlanRef: a.board_plan_ref ?? '',
    status: a.status ?? '',
    statusNote: a.status_note ?? '',
    narrative: a.latest_narrative ?? '',
    currentValue: a.current_value ?? '',
  };
}
