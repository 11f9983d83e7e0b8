import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { toLondonFields } from '../../dates.ts';
import { correctEpisodeTimes, editableTimes, returnInterviewDue, type EpisodeCorrection, type EpisodeState, type EpisodeType } from './episodes.ts';
import type { ActionEdit, EpisodeEdit, MeetingForm } from './schema.ts';
import { agencyOptions, caseworkChild, markAction, meetingColumns, pageViewed, recordChanged } from './lookups.ts';

type Compared = string | null | readonly string[];

/**
 * What an edit changed, for the audit row: every changed field by name, and before → after only
 * for fields that are not free text. Free text (names, places, decisions) is named, never copied,
 * so the audit trail does not become a second copy of the record.
 */
export function changedFields(before: Record<string, Compared>, after: Record<string, Compared>, freeText: readonly string[]) {
  const sorted = (v: Compared | undefined) => (typeof v === 'string' || v == null ? (v ?? null) : [...v].sort());
  const same = (a: Compared | undefined, b: Compared | undefined) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
  const fields: string[] = [];
  const changes: Record<string, { before: Compared; after: Compared }> = {};
  for (const name of Object.keys(after)) {
    if (same(before[name], after[name])) continue;
    fields.push(name);
    if (!freeText.includes(name)) changes[name] = { before: before[name] ?? null, after: after[name] ?? null };
  }
  return { fields, changes };
}

/** An edit page is a view of the child's record, audited as every page of it is. */
const editPageView = (childId: string, page: string, id: string) => pageViewed(childId, page, { id });

/** A correction's audit row: which of the child's records, and what changed (changedFields). */
const editAudit = (childId: string, record: string, id: string, diff: ReturnType<typeof changedFields>) =>
  recordChanged(childId, record, id, { change: 'edited', ...diff });

/** What the meeting and action edit pages show besides the record: the child, and the agencies to choose from. */
async function childAndAgencies(tx: Tx, user: SessionUser, childId: string) {
  const child = await caseworkChild(tx, user, childId);
  return { child, agencies: await agencyOptions(tx) };
}

export type EpisodeEditResult = Extract<EpisodeCorrection, { ok: false }> | { ok: true; fields: string[] };

/** Corrections to what was recorded on a child: strategy meetings, missing episodes and plan actions. */
export class CaseworkEditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  // ------------------------------------------------------------------ strategy meetings

  private async meeting(tx: Tx, childId: string, meetingId: string) {
    const m = await tx.selectFrom('strategy_meetings').selectAll().where('id', '=', meetingId).where('child_id', '=', childId).executeTakeFirst();
    if (!m) throw notFound();
    return m;
  }

  private static meetingValues(m: {
    meeting_kind: string;
    held_on: string;
    attending_agency_ids: string[];
    attendees: string;
    decisions: string;
    risk_level: string;
    next_review_on: string | null;
  }) {
    return {
      meetingKind: m.meeting_kind,
      heldOn: m.held_on,
      attendingAgencyIds: m.attending_agency_ids,
      attendees: m.attendees,
      decisions: m.decisions,
      riskLevel: m.risk_level,
      nextReviewOn: m.next_review_on,
    };
  }

  /** The edit page of a meeting: its values as the form shows them. Reading it is a view of the child's record. */
  meetingEditPage(user: SessionUser, childId: string, meetingId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { child, agencies } = await childAndAgencies(tx, user, childId);
      const meeting = await this.meeting(tx, childId, meetingId);
      await act.audit(editPageView(childId, 'meeting_edit', meetingId));
      return { child, meeting, agencies, current: CaseworkEditService.meetingValues(meeting) };
    });
  }

  /** Saves a corrected meeting; the review date feeds the "meeting reviews due" worklist. Returns the fields changed. */
  updateMeeting(user: SessionUser, childId: string, meetingId: string, form: MeetingForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await caseworkChild(tx, user, childId);
      const before = CaseworkEditService.meetingValues(await this.meeting(tx, childId, meetingId));
      const { fields, changes } = changedFields(before, { ...form }, ['attendees', 'decisions']);
      if (fields.length === 0) return fields;
      await tx.updateTable('strategy_meetings').set(meetingColumns(form)).where('id', '=', meetingId).where('child_id', '=', childId).execute();
      await act.audit(editAudit(childId, 'strategy_meeting', meetingId, { fields, changes }));
      return fields;
    });
  }

  // ------------------------------------------------------------------ missing episodes

  private async episode(tx: Tx, childId: string, episodeId: string) {
    const e = await tx.selectFrom('missing_episodes').selectAll().where('id', '=', episodeId).where('child_id', '=', childId).executeTakeFirst();
    if (!e) throw notFound();
    const interview = await tx.selectFrom('return_interviews').select(['offered_at']).where('episode_id', '=', episodeId).executeTakeFirst();
    const state: EpisodeState = {
      type: e.episode_type as EpisodeType,
      startedAt: e.started_at,
      endedAt: e.ended_at,
      endedBy: e.ended_by as EpisodeState['endedBy'],
    };
    const facts = { state, followsTypeChange: e.previous_episode_id !== null, interviewOfferedAt: interview ? interview.offered_at : null };
    return { row: e, facts };
  }

  /** The edit page of an episode: which times may move, and the values as the form shows them (UK wall-clock time). */
  episodeEditPage(user: SessionUser, childId: string, episodeId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await caseworkChild(tx, user, childId);
      const { row, facts } = await this.episode(tx, childId, episodeId);
      const start = toLondonFields(facts.state.startedAt);
      const end = facts.state.endedAt ? toLondonFields(facts.state.endedAt) : { date: '', time: '' };
      await act.audit(editPageView(childId, 'episode_edit', episodeId));
      return {
        child,
        episode: {
          id: row.id,
          episode_type: row.episode_type,
          ended_by: row.ended_by,
          started_at: facts.state.startedAt,
          ended_at: facts.state.endedAt,
          interviewOfferedAt: facts.interviewOfferedAt,
          interviewDue: facts.state.endedBy === 'returned' && facts.state.endedAt ? returnInterviewDue(facts.state.endedAt) : null,
        },
        editable: editableTimes(facts),
        current: {
          startDate: start.date,
          startTime: start.time,
          endDate: end.date,
          endTime: end.time,
          reportedBy: row.reported_by,
          whereFound: row.where_found ?? '',
          riskLevel: row.risk_level,
          policeReference: row.police_reference ?? '',
        },
      };
    });
  }

  /**
   * Saves a corrected episode. The return interview falls due 72 hours after the return time as
   * stored, so moving the return moves the due time (and the worklist) with it.
   */
  updateEpisode(user: SessionUser, childId: string, episodeId: string, form: EpisodeEdit): Promise<EpisodeEditResult> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await caseworkChild(tx, user, childId);
      const { row, facts } = await this.episode(tx, childId, episodeId);
      const times = correctEpisodeTimes(facts, { startedAt: form.startedAt, endedAt: form.endedAt }, this.clock.now());
      if (!times.ok) return times;
      const instant = (d: Date | null) => (d ? d.toISOString() : null);
      const { fields, changes } = changedFields(
        {
          startedAt: instant(facts.state.startedAt),
          endedAt: instant(facts.state.endedAt),
          reportedBy: row.reported_by,
          whereFound: row.where_found,
          riskLevel: row.risk_level,
          policeReference: row.police_reference,
        },
        {
          startedAt: instant(times.startedAt),
          endedAt: instant(times.endedAt),
          reportedBy: form.reportedBy,
          whereFound: form.whereFound,
          riskLevel: form.riskLevel,
          policeReference: form.policeReference,
        },
        ['reportedBy', 'whereFound', 'policeReference'],
      );
      if (fields.length === 0) return { ok: true as const, fields };
      await tx
        .updateTable('missing_episodes')
        .set({
          started_at: times.startedAt,
          ended_at: times.endedAt,
          ended_by: times.endedBy,
          reported_by: form.reportedBy,
          where_found: form.whereFound,
          risk_level: form.riskLevel,
          police_reference: form.policeReference,
        })
        .where('id', '=', episodeId)
        .where('child_id', '=', childId)
        .execute();
      await act.audit(editAudit(childId, 'missing_episode', episodeId, { fields, changes }));
      return { ok: true as const, fields };
    });
  }

  // ------------------------------------------------------------------ plan actions

  private async action(tx: Tx, childId: string, actionId: string) {
    const a = await tx.selectFrom('plan_actions').selectAll().where('id', '=', actionId).where('child_id', '=', childId).executeTakeFirst();
    if (!a) throw notFound();
    return a;
  }

  actionEditPage(user: SessionUser, childId: string, actionId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { child, agencies } = await childAndAgencies(tx, user, childId);
      const action = await this.action(tx, childId, actionId);
      await act.audit(editPageView(childId, 'action_edit', actionId));
      return {
        child,
        action,
        agencies,
        current: { description: action.description, ownerName: action.owner_name, agencyId: action.agency_id, dueOn: action.due_on },
      };
    });
  }

  /** Saves a corrected action. The owner's agency must be one of the partnership's. */
  updateAction(user: SessionUser, childId: string, actionId: string, form: ActionEdit) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await caseworkChild(tx, user, childId);
      const a = await this.action(tx, childId, actionId);
      const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId).executeTakeFirst();
      if (!agency) return { ok: false as const, field: 'agencyId', messageKey: 'casework.validation.agencyRequired' };
      const { fields, changes } = changedFields({ description: a.description, ownerName: a.owner_name, agencyId: a.agency_id, dueOn: a.due_on }, { ...form }, [
        'description',
        'ownerName',
      ]);
      if (fields.length === 0) return { ok: true as const, fields };
      await tx
        .updateTable('plan_actions')
        .set({ description: form.description, owner_name: form.ownerName, agency_id: form.agencyId, due_on: form.dueOn })
        .where('id', '=', actionId)
        .where('child_id', '=', childId)
        .execute();
      await act.audit(editAudit(childId, 'plan_action', actionId, { fields, changes }));
      return { ok: true as const, fields };
    });
  }

  /** An action marked done by mistake is open again (and counts as overdue again if its date has passed). */
  reopenAction(user: SessionUser, childId: string, actionId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await caseworkChild(tx, user, childId);
      await markAction(tx, childId, actionId, null);
      await act.audit(recordChanged(childId, 'plan_action', actionId, { change: 'not_done' }));
    });
  }
}
