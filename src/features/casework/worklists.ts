import { sql, type SelectQueryBuilder } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { DB } from '../../db/types.generated.ts';
import { addDays, subHours } from '../../dates.ts';
import { RETURN_INTERVIEW_HOURS, returnInterviewDue } from './episodes.ts';
import type { WorklistQuery } from './schema.ts';

/**
 * The worklists' queries. Each list is read in the order the worker asked for (most urgent first
 * by default) straight from an index, a page at a time, with a count that stops at `countCap`:
 * a worker needs the next fifty things to do and whether there are "1,000 or more", not the
 * database reading every overdue row on each request (docs/PERFORMANCE.md).
 */

export type WorklistKey = 'children' | 'triage' | 'reviews' | 'interviews' | 'actions' | 'meetings' | 'agencyActions' | 'agencyMeetings' | 'maceActions';
export const worklistKeys: readonly WorklistKey[] = [
  'children',
  'triage',
  'reviews',
  'interviews',
  'actions',
  'meetings',
  'agencyActions',
  'agencyMeetings',
  'maceActions',
];

export interface WorklistRow {
  child_id: string | null;
  concern_id?: string;
  reference: string;
  given_name: string;
  family_name: string;
  /** 'YYYY-MM-DD' or an ISO instant; '' when there is none. */
  due: string;
  /** What the row is about; for children, reviews and meetings the child's current risk level (children.current_risk_level), '' when none. */
  reason: string;
  /** A MACE action's id and status (maceActions): the owning agency changes the status from the list. */
  mace_action_id?: string;
  mace_status?: string;
}

export interface WorklistPage {
  rows: WorklistRow[];
  /** Rows in the list, up to countCap; `capped` says there are at least that many. */
  total: number;
  capped: boolean;
}

export interface WorklistParams {
  userId: string;
  /** The worker's own agency: the lists of their agency's actions and meetings read it. */
  agencyId: string | null;
  today: string;
  now: Date;
  sort: WorklistQuery['sort'];
  agency: string | undefined;
  /** Only children allocated to the worker (an open involvement naming them). */
  mine: boolean;
  limit: number;
  offset: number;
  /** Counting stops here: "1,000 or more". */
  countCap: number;
}

/** Children with an open involvement allocated to the worker. */
const allocatedTo = (userId: string) => sql<string>`(SELECT i.child_id FROM child_involvements i WHERE i.worker_user_id = ${userId} AND i.ended_on IS NULL)`;

/** Children an agency holds. Lists filter by it without joining children, so the count reads no child row: the list's own row-level security already asks whether the worker may see the child. */
const ownedBy = (agencyId: string) => sql<string>`(SELECT o.id FROM children o WHERE o.owning_agency_id = ${agencyId})`;

/**
 * The rows of one page and the capped count, for a query whose select list is added by `shape`.
 * Which tables a list reads does not matter here (`never`): it orders by column names it is given.
 */
async function paged<QB extends SelectQueryBuilder<DB, never, object>, R>(
  base: QB,
  due: string,
  tiebreak: string,
  p: WorklistParams,
  shape: (q: QB) => SelectQueryBuilder<DB, never, R>,
): Promise<{ rows: R[]; total: number; capped: boolean }> {
  const order = p.sort === 'due-desc' ? 'desc' : 'asc';
  let q = shape(base);
  // Due date, then a column that the list's index holds next, so a page is read straight from the
  // index even when hundreds of rows share a date.
  q =
    p.sort === 'child'
      ? q.orderBy(sql.ref('c.reference')).orderBy(sql.ref(due))
      : q.orderBy(sql`${sql.ref(due)} ${sql.raw(order)}`).orderBy(sql`${sql.ref(tiebreak)} ${sql.raw(order)}`);
  const rows = p.limit > 0 ? await q.limit(p.limit).offset(p.offset).execute() : [];
  // The cap stays a parameter: PostgreSQL then plans the count for this request's dates, since a
  // generic plan guesses a third of the list is due and hashes every visible child (docs/PERFORMANCE.md).
  const counted = await base
    .clearSelect()
    .select(sql<number>`1`.as('one'))
    .limit(p.countCap + 1)
    .execute();
  return { rows, total: Math.min(counted.length, p.countCap), capped: counted.length > p.countCap };
}

const childCols = ['c.id as child_id', 'c.reference', 'c.given_name', 'c.family_name'] as const;
/** A worklist row of a child (as childCols reads it): what is due, and why. */
const childRow = (r: { child_id: string; reference: string; given_name: string; family_name: string }, due: string, reason: string) => ({
  child_id: r.child_id,
  reference: r.reference,
  given_name: r.given_name,
  family_name: r.family_name,
  due,
  reason,
});

/** Children the worker is allocated to or has worked on (assessed, recorded or written about), next review first. */
export async function myChildren(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  const mine = sql<string>`(
    SELECT child_id FROM child_involvements WHERE worker_user_id = ${p.userId} AND ended_on IS NULL
    UNION SELECT child_id FROM risk_assessments WHERE assessor_user_id = ${p.userId}
    UNION SELECT child_id FROM missing_episodes WHERE recorded_by = ${p.userId}
    UNION SELECT child_id FROM strategy_meetings WHERE recorded_by = ${p.userId}
    UNION SELECT child_id FROM plan_actions WHERE recorded_by = ${p.userId}
    UNION SELECT child_id FROM case_notes WHERE author_user_id = ${p.userId})`;
  let base = tx.selectFrom('children as c').leftJoin('risk_assessment_current as l', 'l.child_id', 'c.id').where('c.id', 'in', mine);
  if (p.agency) base = base.where('c.owning_agency_id', '=', p.agency);
  const page = await paged(base, 'l.review_due_on', 'c.id', p, (q) => q.select([...childCols, 'l.review_due_on', 'c.current_risk_level']));
  return { ...page, rows: page.rows.map((r) => childRow(r, r.review_due_on ?? '', r.current_risk_level ?? '')) };
}

/** Concerns awaiting a triage decision (the children feature's queue), soonest deadline first. */
export async function triageDue(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  let base = tx.selectFrom('concerns as k').leftJoin('children as c', 'c.id', 'k.child_id').where('k.decision', 'is', null);
  if (p.agency) base = base.where('k.acting_agency_id', '=', p.agency);
  if (p.mine) base = base.where('k.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'k.deadline_at', 'k.id', { ...p, sort: p.sort === 'child' ? 'due' : p.sort }, (q) =>
    q.select(['k.id as concern_id', 'k.reference as concern_reference', 'k.deadline_at', ...childCols]),
  );
  return {
    ...page,
    rows: page.rows.map((r) => ({
      child_id: r.child_id,
      concern_id: r.concern_id,
      reference: r.reference ?? r.concern_reference,
      given_name: r.given_name ?? '',
      family_name: r.family_name ?? '',
      due: r.deadline_at.toISOString(),
      reason: r.deadline_at < p.now ? 'overdue' : 'due',
    })),
  };
}

/** Children whose current (latest) risk assessment is past its review date (risk_assessment_current, migration 0152). */
export async function reviewsOverdue(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  let base = tx.selectFrom('risk_assessment_current as l').where('l.review_due_on', '<', p.today);
  if (p.agency) base = base.where('l.child_id', 'in', ownedBy(p.agency));
  if (p.mine) base = base.where('l.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'l.review_due_on', 'l.child_id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'l.child_id').select([...childCols, 'l.review_due_on', 'c.current_risk_level']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, r.review_due_on, r.current_risk_level ?? '')) };
}

/** Returns more than 72 hours ago with no return interview recorded (partial index, migration 0153). */
export async function interviewsOverdue(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  let base = tx
    .selectFrom('missing_episodes as e')
    // Literals, not parameters: a prepared statement's generic plan can then use the partial index.
    .where('e.ended_by', '=', sql.lit('returned'))
    .where('e.interview_recorded', '=', sql.lit(false))
    .where('e.ended_at', '<', subHours(p.now, RETURN_INTERVIEW_HOURS));
  if (p.agency) base = base.where('e.child_id', 'in', ownedBy(p.agency));
  if (p.mine) base = base.where('e.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'e.ended_at', 'e.id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'e.child_id').select([...childCols, 'e.ended_at', 'e.episode_type']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, returnInterviewDue(r.ended_at!).toISOString(), r.episode_type)) };
}

/** Plan actions not done by their due date (partial index, migration 0153). */
export async function actionsOverdue(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  let base = tx.selectFrom('plan_actions as pa').where('pa.done_at', 'is', null).where('pa.due_on', '<', p.today);
  if (p.agency) base = base.where('pa.agency_id', '=', p.agency);
  if (p.mine) base = base.where('pa.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'pa.due_on', 'pa.id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'pa.child_id').select([...childCols, 'pa.due_on', 'pa.description']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, r.due_on, r.description)) };
}

/** Children whose latest strategy meeting's review is due within a week or has passed (strategy_meeting_current, migration 0153). */
export async function meetingReviewsDue(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  let base = tx.selectFrom('strategy_meeting_current as m').where('m.next_review_on', '<=', addDays(p.today, 7));
  if (p.agency) base = base.where('m.child_id', 'in', ownedBy(p.agency));
  if (p.mine) base = base.where('m.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'm.next_review_on', 'm.child_id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'm.child_id').select([...childCols, 'm.next_review_on', 'c.current_risk_level']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, r.next_review_on ?? '', r.current_risk_level ?? '')) };
}

/**
 * Open actions of the child's plan that the worker's agency owns, soonest due first (overdue ones
 * too): what another agency was asked to do at a strategy meeting (migration 0170 shares the child
 * with it, so row-level security shows the action).
 */
export async function agencyActions(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  if (!p.agencyId) return { rows: [], total: 0, capped: false };
  let base = tx.selectFrom('plan_actions as pa').where('pa.done_at', 'is', null).where('pa.agency_id', '=', p.agencyId);
  if (p.agency) base = base.where('pa.child_id', 'in', ownedBy(p.agency));
  if (p.mine) base = base.where('pa.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'pa.due_on', 'pa.id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'pa.child_id').select([...childCols, 'pa.due_on', 'pa.description']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, r.due_on, r.description)) };
}

/**
 * The next meetings the worker's agency goes to: children whose latest strategy meeting or
 * discussion it attended, by the date of its review, from today on.
 */
export async function agencyMeetings(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  if (!p.agencyId) return { rows: [], total: 0, capped: false };
  let base = tx
    .selectFrom('strategy_meeting_current as cur')
    .innerJoin('strategy_meetings as m', 'm.id', 'cur.meeting_id')
    .where('cur.next_review_on', '>=', p.today)
    .where(sql<boolean>`m.attending_agency_ids @> ARRAY[${p.agencyId}]::uuid[]`);
  if (p.agency) base = base.where('cur.child_id', 'in', ownedBy(p.agency));
  if (p.mine) base = base.where('cur.child_id', 'in', allocatedTo(p.userId));
  const page = await paged(base, 'cur.next_review_on', 'cur.child_id', p, (q) =>
    q.innerJoin('children as c', 'c.id', 'cur.child_id').select([...childCols, 'cur.next_review_on', 'm.meeting_kind']),
  );
  return { ...page, rows: page.rows.map((r) => childRow(r, r.next_review_on ?? '', r.meeting_kind)) };
}

/**
 * Actions a MACE meeting set the worker's agency that are not done, soonest due first (issue 12 §4).
 * Row-level security (migration 0320) lets the owning agency read its own actions, whoever the worker;
 * the row names the meeting's date, never the agenda item (it may be restricted to other agencies).
 */
export async function maceActions(tx: Tx, p: WorklistParams): Promise<WorklistPage> {
  if (!p.agencyId) return { rows: [], total: 0, capped: false };
  const base = tx.selectFrom('mace_actions as a').where('a.owner_agency_id', '=', p.agencyId).where('a.status', '<>', 'done');
  const order = p.sort === 'due-desc' ? 'desc' : 'asc';
  const rows =
    p.limit > 0
      ? await base
          .select(['a.id', 'a.due_on', 'a.description', 'a.status'])
          .orderBy('a.due_on', order)
          .orderBy('a.id', order)
          .limit(p.limit)
          .offset(p.offset)
          .execute()
      : [];
  const counted = await base
    .select(sql<number>`1`.as('one'))
    .limit(p.countCap + 1)
    .execute();
  return {
    rows: rows.map((r) => ({
      child_id: null,
      reference: '',
      given_name: '',
      family_name: '',
      due: r.due_on,
      reason: r.description,
      mace_action_id: r.id,
      mace_status: r.status,
    })),
    total: Math.min(counted.length, p.countCap),
    capped: counted.length > p.countCap,
  };
}

export const worklistReaders: Record<WorklistKey, (tx: Tx, p: WorklistParams) => Promise<WorklistPage>> = {
  children: myChildren,
  triage: triageDue,
  reviews: reviewsOverdue,
  interviews: interviewsOverdue,
  actions: actionsOverdue,
  meetings: meetingReviewsDue,
  agencyActions,
  agencyMeetings,
  maceActions,
};
