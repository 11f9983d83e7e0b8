import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { can } from '../../authz/policy.ts';
import { addDays, addQuarters, londonDate, quarterOf } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { disclosureIn } from '../disclosure/publish.ts';
import { measuresWithPoints, reportingQuarters } from '../strategy/measures.ts';
import { isOverdue, quarterLabel } from '../strategy/progress.ts';

/** How many of a list the home page names before "and n more". */
const shown = 10;
/** What "upcoming" means for a co-ordinator's meetings: the next two weeks. */
const upcomingDays = 14;

/**
 * What each role's home page summarises (issue 15 §4): a strategy lead's actions overdue or Red and
 * measures off target; a board member's plan status (actions by RAG status: actions, never people) and
 * the latest quarterly report; a co-ordinator's cohort (children by risk level, new this week: counts
 * only, under the reader's row-level security) and the meetings coming up (MACE meetings, and children's
 * strategy meetings due for review, counted). Nothing here names a child, so nothing is audited.
 */
export class HomeService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today() {
    return londonDate(this.clock.now());
  }

  async summaries(user: SessionUser) {
    const lead = can(user, 'strategy.manage');
    const board = user.roles.includes('board_member');
    const coordinator = user.roles.includes('coordinator');
    if (!lead && !board && !coordinator) return { strategy: null, plansStatus: null, cohort: null };
    return withActor(this.db, actorOf(user), async (tx) => {
      const today = this.today();
      const plans =
        lead || board
          ? await tx
              .selectFrom('strategy_plans')
              .select(['id', 'title', 'period_start', 'period_end'])
              .where('archived_at', 'is', null)
              .orderBy('period_start', 'desc')
              .orderBy('title')
              .execute()
          : [];
      const actions =
        plans.length === 0
          ? []
          : await tx
              .selectFrom('strategy_actions')
              .select(['id', 'plan_id', 'action_ref', 'text', 'status', 'due_on'])
              .where('archived_at', 'is', null)
              .where(
                'plan_id',
                'in',
                plans.map((p) => p.id),
              )
              .orderBy('due_on')
              .orderBy('action_ref')
              .execute();
      const planTitle = new Map(plans.map((p) => [p.id, p.title]));

      let strategy = null;
      if (lead) {
        const attention = actions
          .filter((a) => a.status === 'red' || isOverdue(a.status, a.due_on, today))
          .map((a) => ({ ...a, plan_title: planTitle.get(a.plan_id)!, overdue: isOverdue(a.status, a.due_on, today) }));
        // Measures off target: each live plan's measures, their latest figure against the target (computed
        // ones from the stored quarterly figures, migration 0595), as the measures page shows them.
        const disclosure = await disclosureIn(tx, user);
        const currentQuarter = quarterOf(today);
        const offTarget = [];
        for (const p of plans) {
          const measures = await measuresWithPoints(tx, p.id, reportingQuarters(p.period_start, p.period_end, currentQuarter), this.clock, disclosure);
          for (const m of measures)
            if (m.onTrack === false)
              offTarget.push({ id: m.id, name: m.name, plan_id: p.id, plan_title: p.title, latest: m.latest, target: m.target_value, unit: m.unit });
        }
        strategy = { attentionCount: attention.length, attention: attention.slice(0, shown), offTarget };
      }

      let plansStatus = null;
      if (board) {
        // The last full quarter's report: the quarter in progress is not reported yet.
        const reportQuarter = addQuarters(quarterOf(today), -1);
        plansStatus = {
          reportQuarter,
          reportLabel: quarterLabel(reportQuarter),
          plans: plans.map((p) => {
            const of = actions.filter((a) => a.plan_id === p.id);
            const by = (status: string) => of.filter((a) => a.status === status).length;
            return { id: p.id, title: p.title, red: by('red'), amber: by('amber'), green: by('green'), blue: by('blue'), total: of.length };
          }),
        };
      }

      let cohort = null;
      if (coordinator) {
        const weekAgo = addDays(today, -7);
        const levels = await tx
          .selectFrom('children')
          .select([sql<string>`coalesce(current_risk_level, 'none')`.as('level'), sql<number>`count(*)::int`.as('n')])
          .where('status', '=', 'open')
          .groupBy(sql`coalesce(current_risk_level, 'none')`)
          .execute();
        const [fresh] = await tx
          .selectFrom('children')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('created_at', '>=', sql<Date>`${weekAgo}::date`)
          .execute();
        const until = addDays(today, upcomingDays);
        const mace = can(user, 'mace.read')
          ? await tx
              .selectFrom('mace_meetings')
              .select(['id', 'title', 'held_on'])
              .where('held_on', '>=', today)
              .where('held_on', '<=', until)
              .orderBy('held_on')
              .orderBy('title')
              .limit(shown)
              .execute()
          : [];
        // A child's next strategy meeting is the latest meeting's review date.
        const [reviews] = await tx
          .selectFrom(
            tx
              .selectFrom('strategy_meetings as m')
              .innerJoin('children as c', 'c.id', 'm.child_id')
              .where('c.status', '=', 'open')
              .select(['m.child_id', sql<string | null>`(array_agg(m.next_review_on ORDER BY m.held_on DESC, m.created_at DESC))[1]`.as('next_on')])
              .groupBy('m.child_id')
              .as('latest'),
          )
          .select(sql<number>`count(*)::int`.as('n'))
          .where('next_on', '>=', today)
          .where('next_on', '<=', until)
          .execute();
        const order = ['high', 'medium', 'low', 'none'];
        cohort = {
          levels: order.map((level) => ({ level, count: levels.find((l) => l.level === level)?.n ?? 0 })),
          open: levels.reduce((sum, l) => sum + Number(l.n), 0),
          newThisWeek: fresh?.n ?? 0,
          mace,
          strategyMeetingsDue: reviews?.n ?? 0,
          upcomingDays,
        };
      }
      return { strategy, plansStatus, cohort };
    });
  }
}
