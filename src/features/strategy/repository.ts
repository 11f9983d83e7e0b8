import type { Clock, SessionUser } from '../../auth/service.ts';
import { aggregatesOnly } from '../../authz/policy.ts';
import { londonDate } from '../../dates.ts';
import type { Act, Tx } from '../../db/context.ts';
import { notFound } from '../../errors.ts';
import { frameworkNameOf, returnsOffered, withCurrentTexts, type Framework } from './domain/frameworks.ts';
import type { Glossary } from './domain/smart.ts';
import { isOverdue } from './progress.ts';

/** Reads the strategy services share: a plan, its actions, the glossary. Each takes the caller's transaction. */

/** Names of staff are shown to staff; board members and councillors see posts and agencies only. */
export function showsNames(user: SessionUser) {
  return !aggregatesOnly(user.roles);
}

export async function loadPlan(tx: Tx, planId: string) {
  const plan = await tx
    .selectFrom('strategy_plans as p')
    .innerJoin('strategy_frameworks as f', 'f.id', 'p.framework_id')
    .innerJoin('partnerships as ps', 'ps.id', 'p.partnership_id')
    .leftJoin('agencies as a', 'a.id', 'p.agency_id')
    .selectAll('p')
    .select([
      'f.definition as framework_definition',
      'f.key as framework_key',
      'f.built_in as framework_built_in',
      'f.name as framework_name',
      'ps.name as partnership_name',
      'ps.nation as partnership_nation',
      'a.name as agency_name',
    ])
    .where('p.id', '=', planId)
    .executeTakeFirst();
  if (!plan) throw notFound();
  // A built-in framework's texts as Lantern has them now (with their Welsh), looked up by key and id.
  const framework = withCurrentTexts(plan.framework_definition as unknown as Framework, plan.framework_built_in);
  return {
    ...plan,
    framework,
    /** The returns this plan is reported in (its framework's, and the Welsh Government's only in Wales). */
    returns_offered: returnsOffered(framework, plan.partnership_nation),
    /** A local text (src/i18n/local-text.ts): shown with textIn or the localHtml filter. */
    framework_name: frameworkNameOf({ key: plan.framework_key, name: plan.framework_name, built_in: plan.framework_built_in, definition: framework }),
  };
}

export async function glossaryOf(tx: Tx): Promise<Glossary> {
  const rows = await tx.selectFrom('strategy_glossary').select(['term', 'expansion']).execute();
  return Object.fromEntries(rows.map((r) => [r.term, r.expansion]));
}

/** A plan's actions, each with its latest narrative and whether it is overdue (judged on the clock's day), in reference order. */
export async function loadActions(tx: Tx, planId: string, user: SessionUser, clock: Clock, which: 'live' | 'archived' | 'all' = 'live') {
  // Archived actions (issue 15) are kept but left out of the plan, its reports and checks unless asked for.
  const rows = await tx
    .selectFrom('strategy_actions as s')
    .leftJoin('agencies as a', 'a.id', 's.lead_agency_id')
    .leftJoin('users as u', 'u.id', 's.lead_user_id')
    .selectAll('s')
    .select(['a.name as lead_agency_name', 'u.display_name as lead_user_name'])
    .where('s.plan_id', '=', planId)
    .$if(which === 'live', (q) => q.where('s.archived_at', 'is', null))
    .$if(which === 'archived', (q) => q.where('s.archived_at', 'is not', null))
    .execute();
  const latest = await tx
    .selectFrom('strategy_action_updates as up')
    .innerJoin('strategy_actions as s', 's.id', 'up.action_id')
    .select(['up.action_id', 'up.narrative', 'up.quarter_start', 'up.recorded_at'])
    .where('s.plan_id', '=', planId)
    .orderBy('up.quarter_start', 'desc')
    .orderBy('up.recorded_at', 'desc')
    .execute();
  const today = londonDate(clock.now());
  const names = showsNames(user);
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

/** 1.2a before 1.10a: compares outcome numbers as numbers. */
export function compareRefs(a: string, b: string): number {
  const split = (r: string) => {
    const m = /^(\d+)\.(\d+)([a-z]*)$/.exec(r);
    return m ? ([Number(m[1]), Number(m[2]), m[3] ?? ''] as const) : ([0, 0, r] as const);
  };
  const [a1, a2, a3] = split(a);
  const [b1, b2, b3] = split(b);
  return a1 - b1 || a2 - b2 || a3.localeCompare(b3);
}

/** Why an action reference cannot be used in a plan: its outcome is not in the plan's framework, or another action has it. */
export type ActionRefProblem = 'outcomeNotInFramework' | 'actionRefInUse';

/**
 * Checks an action reference against its plan: the reference without its last character must be one of
 * the framework's outcomes, and no other action of the plan (other than `exceptActionId`) may have it.
 */
export async function actionRefProblem(
  tx: Tx,
  plan: Awaited<ReturnType<typeof loadPlan>>,
  actionRef: string,
  exceptActionId: string | null = null,
): Promise<ActionRefProblem | null> {
  const outcomeRef = actionRef.slice(0, -1);
  if (!plan.framework.outcomes.some((o) => o.id === outcomeRef)) return 'outcomeNotInFramework';
  const clash = await tx.selectFrom('strategy_actions').select('id').where('plan_id', '=', plan.id).where('action_ref', '=', actionRef).executeTakeFirst();
  return clash && clash.id !== exceptActionId ? 'actionRefInUse' : null;
}

/**
 * Adds an action to a plan that comes from somewhere else (a case audit's learning, a self-assessment's
 * improvement action): its text, a Board plan cross-reference naming where it came from and a link back
 * as its evidence source. Audited as the action's creation, with `from` in the details. Returns the new
 * action's id, or the reason its reference cannot be used (the caller shows it against its own field).
 */
export async function addCrossReferencedAction(
  tx: Tx,
  act: Act,
  partnershipId: string,
  input: { planId: string; actionRef: string; text: string; boardPlanRef: string; evidenceSource: string; from: Record<string, string> },
): Promise<{ actionId: string } | { problem: ActionRefProblem }> {
  const plan = await loadPlan(tx, input.planId);
  const problem = await actionRefProblem(tx, plan, input.actionRef);
  if (problem) return { problem };
  const action = await tx
    .insertInto('strategy_actions')
    .values({
      partnership_id: partnershipId,
      plan_id: input.planId,
      action_ref: input.actionRef,
      outcome_ref: input.actionRef.slice(0, -1),
      text: input.text,
      board_plan_ref: input.boardPlanRef.slice(0, 200),
      evidence_source: input.evidenceSource,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await act.audit({ action: 'record.create', recordType: 'strategy_action', recordId: action.id, details: { ref: input.actionRef, ...input.from } });
  return { actionId: action.id };
}
