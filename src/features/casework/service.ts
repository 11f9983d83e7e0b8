import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { can } from '../../authz/policy.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { UploadRefusal } from '../../uploads/limits.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { parseToolDefinition, textIn, type DefinitionError, type LocalText, type ToolDefinition } from '../assessments/tool/definition.ts';
import { ageOn, londonDate } from '../../dates.ts';
import { currentLanguage, translator, type Language } from '../../i18n/i18n.ts';
import { isLocalText } from '../../i18n/local-text.ts';
import { nextReviewDue, scoreAssessment, type Answers, type ExplanationLine, type ScoreResult } from '../assessments/tool/engine.ts';
import { changeEpisodeType, endEpisode, returnInterviewDue, type EpisodeState, type EpisodeType } from './episodes.ts';
import type { ActionForm, AssessmentHeader, AssessmentJudgement, EpisodeForm, InterviewForm, MeetingForm, WorklistQuery } from './schema.ts';
import {
  agencyOptions,
  caseworkChild,
  markAction,
  meetingColumns,
  pageViewed,
  recordChanged,
  recordCreated,
  scoreColumns,
  type ChildSummary,
} from './lookups.ts';
import { referralsOf } from './referrals.ts';
import { toolDefinitionParser } from './risk-tool-file.ts';
import { filterChronology, orderChronology, presentChronology, readChronology, type ChronologyEntry, type ChronologyFilters } from './chronology.ts';
import { answersFromRecord, headerAnswers, readRecordFacts } from './record-facts.ts';
import { worklistKeys, worklistReaders, type WorklistKey, type WorklistPage, type WorklistParams } from './worklists.ts';

/** Rows on a page of one worklist, and of each list on the overview. */
const worklistPageSize = 50;
const worklistOverviewSize = 10;

export type CaseworkPage = 'assessments' | 'assessment' | 'assessment_form' | 'missing' | 'meetings' | 'notes' | 'chronology';

/** The chronology's downloads. */
export type ChronologyDocument = 'docx' | 'pdf';

/** A stored tool row with its definition validated again on the way out. */
export interface StoredTool {
  id: string;
  tool_key: string;
  version: number;
  name: string;
  source: string;
  created_at: Date;
  definition: ToolDefinition;
}

/** Risk assessments, missing episodes, return interviews, strategy meetings, plans, notes, timeline and worklists. */
export class CaseworkService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  // ------------------------------------------------------------------ shared

  private readonly child = caseworkChild;
  private readonly agencies = agencyOptions;

  private today(): string {
    return londonDate(this.clock.now());
  }

  // ------------------------------------------------------------------ risk tools

  private async tools(tx: Tx): Promise<StoredTool[]> {
    const rows = await tx
      .selectFrom('risk_tools')
      .select(['id', 'tool_key', 'version', 'name', 'source', 'created_at', 'definition'])
      .orderBy('tool_key')
      .orderBy('version', 'desc')
      .execute();
    const out: StoredTool[] = [];
    for (const r of rows) {
      const parsed = parseToolDefinition(r.definition);
      // A stored row was validated on the way in; one that no longer parses is skipped, not shown broken.
      if (parsed.ok)
        out.push({
          id: r.id,
          tool_key: r.tool_key,
          version: r.version,
          name: r.name,
          source: r.source,
          created_at: r.created_at,
          definition: parsed.definition,
        });
    }
    return out;
  }

  /** Every version of every tool, newest version first within a tool. */
  listTools(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => this.tools(tx));
  }

  /**
   * Loads a definition (e.g. a licensed SERAF file) as a new tool version. Never throws on bad input;
   * a large definition is read in a worker thread (src/uploads).
   */
  async loadTool(
    user: SessionUser,
    text: string,
  ): Promise<{ ok: true; id: string } | { ok: false; errors: DefinitionError[]; errorCount: number } | { ok: false; refusal: UploadRefusal }> {
    const read = await runUploadParser(toolDefinitionParser, text, Buffer.byteLength(text));
    if (!read.ok) return { ok: false, refusal: read.refusal };
    if (!read.value.ok) return read.value;
    const def = read.value.definition;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('risk_tools').select('id').where('tool_key', '=', def.id).where('version', '=', def.version).executeTakeFirst();
      if (clash)
        return {
          ok: false as const,
          errorCount: 1,
          errors: [{ path: 'version', message: `version ${def.version} of "${def.id}" is already loaded; give the new definition a higher version` }],
        };
      const row = await tx
        .insertInto('risk_tools')
        .values({
          partnership_id: user.partnershipId,
          tool_key: def.id,
          version: def.version,
          // The column is the name in English (the definition holds every language's).
          name: textIn(def.name, 'en'),
          definition: JSON.stringify(def),
          source: 'loaded',
          loaded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'risk_tool', recordId: row.id, details: { tool: def.id, version: def.version } });
      return { ok: true as const, id: row.id };
    });
  }

  // ------------------------------------------------------------------ assessments

  assessmentsPage(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const rows = await tx
        .selectFrom('risk_assessments as a')
        .innerJoin('agencies as ag', 'ag.id', 'a.assessor_agency_id')
        .select([
          'a.id',
          'a.assessed_on',
          'a.tool_key',
          'a.tool_version',
          'a.score_total',
          'a.score_category_label',
          'a.score_level',
          'a.judgement_level',
          'a.review_due_on',
          'a.assessor_name',
          'ag.name as agency_name',
          // The category's label as the tool's definition gives it, in every language it has (the row keeps the English).
          sql<unknown>`(SELECT b -> 'label' FROM risk_tools rt, jsonb_array_elements(rt.definition -> 'bands') b
                         WHERE rt.id = a.risk_tool_id AND b ->> 'key' = a.score_category LIMIT 1)`.as('category_label'),
        ])
        .where('a.child_id', '=', childId)
        .orderBy('a.assessed_on', 'desc')
        .orderBy('a.created_at', 'desc')
        .execute();
      const categoryLabels: Record<string, LocalText> = {};
      const assessments = rows.map(({ category_label: label, ...a }) => {
        categoryLabels[a.id] = isLocalText(label) ? label : a.score_category_label;
        return a;
      });
      // The history of the worker's judged level, oldest first, keeping only the changes.
      const changes: { on: string; from: string | null; to: string }[] = [];
      let previous: string | null = null;
      for (const a of [...assessments].reverse()) {
        if (a.judgement_level !== previous) changes.push({ on: a.assessed_on, from: previous, to: a.judgement_level });
        previous = a.judgement_level;
      }
      const latest = assessments[0];
      const reviewOverdue = latest ? latest.review_due_on < this.today() : false;
      await act.audit(pageViewed(childId, 'assessments'));
      return { child, assessments, categoryLabels, changes: changes.reverse(), reviewOverdue };
    });
  }

  /** What the new-assessment form needs: the tool chosen (latest version by default) and the agencies. */
  assessmentForm(user: SessionUser, childId: string, toolId: string | undefined, options: { audit: boolean } = { audit: true }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const tools = latestVersions(await this.tools(tx));
      const tool = tools.find((t) => t.id === toolId) ?? tools.find((t) => t.tool_key === 'cse-screening') ?? tools[0];
      if (!tool) throw new LanternError('LANTERN_E_CONFLICT', 'no risk tool loaded');
      const agencies = await this.agencies(tx);
      // The child's record answers some questions (record-facts.ts); the worker checks and may change each.
      const facts = await readRecordFacts(tx, childId, this.today());
      const knownFacts = headerAnswers(facts);
      const fromRecord = answersFromRecord(tool.definition, facts);
      if (options.audit) await act.audit(pageViewed(childId, 'assessment_form', { tool: tool.tool_key }));
      return { child, tools, tool, agencies, knownFacts, fromRecord };
    });
  }

  /** The score for answers on the assessment date; a child with no date of birth is scored as the youngest, so no age override is missed. */
  static score(tool: StoredTool, child: ChildSummary, answers: Answers, assessedOn: string): ScoreResult & { ageKnown: boolean } {
    return { ...scoreAssessment(tool.definition, answers, { ageYears: ageForScoring(child, assessedOn) }), ageKnown: child.date_of_birth !== null };
  }

  createAssessment(user: SessionUser, childId: string, header: AssessmentHeader, answers: Answers, judgement: AssessmentJudgement) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const tool = (await this.tools(tx)).find((t) => t.id === header.toolId);
      if (!tool) throw new LanternError('LANTERN_E_VALIDATION', 'unknown tool', [{ path: 'toolId', message: 'no such risk tool' }]);
      const scored = CaseworkService.score(tool, child, answers, header.assessedOn);
      if (!scored.ok) throw new LanternError('LANTERN_E_VALIDATION', 'answers the tool does not define', scored.errors);
      const s = scored.assessment;
      const reviewDue = nextReviewDue(header.assessedOn, tool.definition);
      const row = await tx
        .insertInto('risk_assessments')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          risk_tool_id: tool.id,
          tool_key: tool.tool_key,
          tool_version: tool.version,
          assessed_on: header.assessedOn,
          assessor_user_id: user.userId,
          assessor_name: user.displayName,
          assessor_agency_id: header.assessorAgencyId,
          known_to_social_care: header.knownToSocialCare,
          in_care: header.inCare,
          child_protection_plan: header.childProtectionPlan,
          youth_justice: header.youthJustice,
          other_agencies: header.otherAgencies,
          ...scoreColumns(answers, s),
          // The level the worker judged: the child's current level follows it when it is the latest source.
          judgement_level: judgement.judgementLevel,
          judgement_reasons: judgement.judgementReasons,
          review_due_on: reviewDue,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(
        recordCreated(childId, 'risk_assessment', row.id, {
          tool: tool.tool_key,
          version: tool.version,
          score: s.total,
          scoreCategory: s.category.key,
          scoreLevel: s.suggestedLevel,
          judgement: judgement.judgementLevel,
        }),
      );
      // The child as the triggers left it (migration 0170): the judged level is now its current level when it is the latest source.
      return { id: row.id, score: s, reviewDueOn: reviewDue, child: await this.child(tx, user, childId) };
    });
  }

  assessment(user: SessionUser, childId: string, assessmentId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const a = await tx
        .selectFrom('risk_assessments as a')
        .innerJoin('agencies as ag', 'ag.id', 'a.assessor_agency_id')
        .innerJoin('risk_tools as rt', 'rt.id', 'a.risk_tool_id')
        .selectAll('a')
        .select(['ag.name as agency_name', 'rt.name as tool_name', 'rt.definition'])
        .where('a.id', '=', assessmentId)
        .where('a.child_id', '=', childId)
        .executeTakeFirst();
      if (!a) throw notFound();
      const parsed = parseToolDefinition(a.definition);
      const definition = parsed.ok ? parsed.definition : null;
      const answers = a.answers as Record<string, Record<string, boolean>>;
      const explanation = Array.isArray(a.score_explanation) ? (a.score_explanation as string[]) : [];
      await act.audit(pageViewed(childId, 'assessment', { id: assessmentId }));
      return {
        child,
        definition,
        assessment: { ...a, answers, explanation },
        /** The category's label in every language the tool has, else the English the row keeps. */
        categoryLabel: definition?.bands.find((b) => b.key === a.score_category)?.label ?? a.score_category_label,
        explanationLines: definition ? explanationLinesOf(definition, answers, ageForScoring(child, a.assessed_on), explanation) : null,
      };
    });
  }

  // ------------------------------------------------------------------ missing episodes

  missingPage(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const episodes = await tx.selectFrom('missing_episodes').selectAll().where('child_id', '=', childId).orderBy('started_at', 'desc').execute();
      const interviews = await tx
        .selectFrom('return_interviews as i')
        .innerJoin('agencies as ag', 'ag.id', 'i.interviewer_agency_id')
        .selectAll('i')
        .select('ag.name as agency_name')
        .where('i.child_id', '=', childId)
        .execute();
      const now = this.clock.now();
      const rows = episodes.map((e) => {
        const interview = interviews.find((i) => i.episode_id === e.id) ?? null;
        const due = e.ended_at && e.ended_by === 'returned' ? returnInterviewDue(e.ended_at) : null;
        return {
          ...e,
          interview,
          interviewDue: due,
          interviewOverdue: due !== null && (interview ? interview.offered_at > due : now > due),
        };
      });
      const agencies = await this.agencies(tx);
      await act.audit(pageViewed(childId, 'missing'));
      return { child, episodes: rows, agencies };
    });
  }

  createEpisode(user: SessionUser, childId: string, form: EpisodeForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const open = await tx.selectFrom('missing_episodes').select('id').where('child_id', '=', childId).where('ended_at', 'is', null).executeTakeFirst();
      if (open && form.endedAt === null) throw new LanternError('LANTERN_E_CONFLICT', 'an episode is already open');
      const row = await tx
        .insertInto('missing_episodes')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          episode_type: form.episodeType,
          started_at: form.startedAt,
          ended_at: form.endedAt,
          ended_by: form.endedAt ? 'returned' : null,
          reported_by: form.reportedBy,
          where_found: form.whereFound,
          risk_level: form.riskLevel,
          police_reference: form.policeReference,
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'missing_episode', row.id, { type: form.episodeType }));
      return row.id;
    });
  }

  private async openEpisode(tx: Tx, childId: string, episodeId: string) {
    const e = await tx.selectFrom('missing_episodes').selectAll().where('id', '=', episodeId).where('child_id', '=', childId).executeTakeFirst();
    if (!e) throw notFound();
    const state: EpisodeState = {
      type: e.episode_type as EpisodeType,
      startedAt: e.started_at,
      endedAt: e.ended_at,
      endedBy: e.ended_by as EpisodeState['endedBy'],
    };
    return { row: e, state };
  }

  /** The child has returned (or been found): the episode ends and the return interview falls due. */
  returnFromEpisode(user: SessionUser, childId: string, episodeId: string, returnedAt: Date, whereFound: string | null) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const { row, state } = await this.openEpisode(tx, childId, episodeId);
      const result = endEpisode(state, returnedAt);
      if (!result.ok) return result;
      await tx
        .updateTable('missing_episodes')
        .set({ ended_at: returnedAt, ended_by: 'returned', where_found: whereFound ?? row.where_found })
        .where('id', '=', episodeId)
        .execute();
      await act.audit(recordChanged(childId, 'missing_episode', episodeId, { change: 'returned' }));
      return { ok: true as const };
    });
  }

  /** Missing becomes absent (or the reverse): this episode ends and a linked one of the new type opens. */
  changeEpisodeType(user: SessionUser, childId: string, episodeId: string, newType: EpisodeType, at: Date) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const { row, state } = await this.openEpisode(tx, childId, episodeId);
      const change = changeEpisodeType(state, newType, at);
      if (!change.ok) return change;
      await tx.updateTable('missing_episodes').set({ ended_at: change.closed.endedAt, ended_by: 'type_changed' }).where('id', '=', episodeId).execute();
      const opened = await tx
        .insertInto('missing_episodes')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          episode_type: change.opened.type,
          started_at: change.opened.startedAt,
          reported_by: row.reported_by,
          risk_level: row.risk_level,
          police_reference: row.police_reference,
          previous_episode_id: episodeId,
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordChanged(childId, 'missing_episode', episodeId, { change: 'type', to: newType, opened: opened.id }));
      return { ok: true as const, opened: opened.id };
    });
  }

  recordInterview(user: SessionUser, childId: string, episodeId: string, form: InterviewForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const { state } = await this.openEpisode(tx, childId, episodeId);
      if (state.endedAt === null || state.endedBy !== 'returned') return { ok: false as const, reason: 'not_returned' as const };
      if (form.offeredAt.getTime() < state.endedAt.getTime()) return { ok: false as const, reason: 'before_return' as const };
      const existing = await tx.selectFrom('return_interviews').select('id').where('episode_id', '=', episodeId).executeTakeFirst();
      if (existing) return { ok: false as const, reason: 'already_recorded' as const };
      const row = await tx
        .insertInto('return_interviews')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          episode_id: episodeId,
          offered_at: form.offeredAt,
          interviewer_name: form.interviewerName,
          interviewer_agency_id: form.interviewerAgencyId,
          independent_of_placement: form.independent,
          outcome: form.outcome,
          held_at: form.outcome === 'accepted' ? form.offeredAt : null,
          learned: form.learned,
          places_mentioned: form.places,
          people_mentioned: form.people,
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'return_interview', row.id, { episode: episodeId, outcome: form.outcome }));
      return { ok: true as const, id: row.id };
    });
  }

  // ------------------------------------------------------------------ meetings and plan

  meetingsPage(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const meetings = await tx.selectFrom('strategy_meetings').selectAll().where('child_id', '=', childId).orderBy('held_on', 'desc').execute();
      const today = this.today();
      const actions = (
        await tx
          .selectFrom('plan_actions as p')
          .innerJoin('agencies as ag', 'ag.id', 'p.agency_id')
          .selectAll('p')
          .select('ag.name as agency_name')
          .where('p.child_id', '=', childId)
          .orderBy('p.due_on')
          .execute()
      ).map((a) => ({ ...a, overdue: a.done_at === null && a.due_on < today }));
      const agencies = await this.agencies(tx);
      const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
      const referrals = await referralsOf(tx, childId);
      await act.audit(pageViewed(childId, 'meetings'));
      return {
        child,
        agencies,
        actions,
        referrals,
        meetings: meetings.map((m) => ({ ...m, agencyNames: m.attending_agency_ids.map((id) => agencyName.get(id) ?? '') })),
      };
    });
  }

  createMeeting(user: SessionUser, childId: string, form: MeetingForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const row = await tx
        .insertInto('strategy_meetings')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          ...meetingColumns(form),
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'strategy_meeting', row.id, { kind: form.meetingKind }));
      // The child as the triggers left it: the risk agreed may be its current level now (0170), and the
      // attending agencies have access to it (0171).
      return { id: row.id, child: await this.child(tx, user, childId) };
    });
  }

  createAction(user: SessionUser, childId: string, form: ActionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      if (form.meetingId) {
        const m = await tx.selectFrom('strategy_meetings').select('id').where('id', '=', form.meetingId).where('child_id', '=', childId).executeTakeFirst();
        if (!m) throw new LanternError('LANTERN_E_VALIDATION', 'unknown meeting', [{ path: 'meetingId', message: 'no such meeting of this child' }]);
      }
      const row = await tx
        .insertInto('plan_actions')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          meeting_id: form.meetingId,
          description: form.description,
          owner_name: form.ownerName,
          agency_id: form.agencyId,
          due_on: form.dueOn,
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'plan_action', row.id));
      return row.id;
    });
  }

  completeAction(user: SessionUser, childId: string, actionId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      await markAction(tx, childId, actionId, this.clock.now());
      await act.audit(recordChanged(childId, 'plan_action', actionId, { change: 'done' }));
    });
  }

  // ------------------------------------------------------------------ notes

  notesPage(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const notes = await tx
        .selectFrom('case_notes')
        .select(['id', 'body', 'author_name', 'created_at'])
        .where('child_id', '=', childId)
        .orderBy('created_at', 'desc')
        .execute();
      await act.audit(pageViewed(childId, 'notes'));
      return { child, notes };
    });
  }

  createNote(user: SessionUser, childId: string, body: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const row = await tx
        .insertInto('case_notes')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          body,
          author_user_id: user.userId,
          author_name: user.displayName,
          created_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'case_note', row.id));
      return row.id;
    });
  }

  // ------------------------------------------------------------------ chronology

  /**
   * The child's chronology as the page shows it: the entries chosen by the filters, and the agencies to
   * choose from; its text and dates in `language` (the page's, or the document's chosen at download).
   */
  private async chronologyOf(tx: Tx, user: SessionUser, childId: string, filters: ChronologyFilters, language: Language) {
    const child = await this.child(tx, user, childId);
    const agencies = await this.agencies(tx);
    const t = translator(language);
    const events = await readChronology(tx, childId, t, language);
    const shown = filterChronology(events, filters);
    const entries: ChronologyEntry[] = presentChronology(shown, new Map(agencies.map((a) => [a.id, a.name])), t, language);
    return { child, agencies, entries, total: events.length, withheld: shown.filter((e) => e.withheld).length };
  }

  /**
   * The chronology as data, in order (the JSON API): each event with its instant (or day), its
   * agencies and text; a withheld row only its kind and when. One audit row, as the page's.
   */
  chronologyEvents(user: SessionUser, childId: string, filters: ChronologyFilters) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const shown = filterChronology(await readChronology(tx, childId, chronologyText), filters);
      await act.audit(pageViewed(childId, 'chronology', { filters: { ...filters } }));
      return { child, events: orderChronology(shown) };
    });
  }

  /** The chronology page, in the page's language. One audit row names the child and the filters. */
  chronology(user: SessionUser, childId: string, filters: ChronologyFilters, language: Language = currentLanguage()) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const chronology = await this.chronologyOf(tx, user, childId, filters, language);
      await act.audit(pageViewed(childId, 'chronology', { filters: { ...filters } }));
      return chronology;
    });
  }

  /**
   * The chronology as a document in `language` (chosen at download, issue 11), made by `write` inside
   * the transaction that audits it: the download and its audit row stand or fall together.
   */
  chronologyDocument(
    user: SessionUser,
    childId: string,
    filters: ChronologyFilters,
    format: ChronologyDocument,
    language: Language,
    write: (chronology: Awaited<ReturnType<CaseworkService['chronologyOf']>>) => Promise<Buffer>,
  ) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const chronology = await this.chronologyOf(tx, user, childId, filters, language);
      const body = await write(chronology);
      await act.audit({
        action: 'export',
        recordType: 'child',
        recordId: childId,
        details: { document: `chronology.${format}`, language, filters: { ...filters } },
      });
      // The file's name is the same in both languages (the route keeps it ASCII); the Welsh one is marked "-cy".
      return { body, fileName: `chronology-${chronology.child.reference}${language === 'cy' ? '-cy' : ''}.${format}` };
    });
  }

  // ------------------------------------------------------------------ worklists

  /**
   * Counts for the home page: overdue items of the children allocated to the worker (and, for those
   * who triage, concerns waiting), up to 100 each. Numbers only, nothing that names a child, so no audit row.
   */
  homeSummary(user: SessionUser, includeTriage: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const params: WorklistParams = {
        userId: user.userId,
        agencyId: user.agencyId,
        today: this.today(),
        now: this.clock.now(),
        sort: 'due',
        agency: undefined,
        mine: true,
        limit: 0,
        offset: 0,
        countCap: homeSummaryCap,
      };
      // These counts run on every home page. Planned afresh (custom plans) they cost more than they
      // take to run, so this transaction keeps each one's generic plan (docs/PERFORMANCE.md).
      await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(tx);
      const counts: { key: WorklistKey; total: number; capped: boolean; mine: boolean }[] = [];
      if (includeTriage) {
        const triage = await worklistReaders.triage(tx, { ...params, mine: false });
        counts.push({ key: 'triage', total: triage.total, capped: triage.capped, mine: false });
      }
      for (const key of homeSummaryLists) {
        const list = await worklistReaders[key](tx, params);
        counts.push({ key, total: list.total, capped: list.capped, mine: true });
      }
      // What the worker's agency was asked to do in children's plans, and the meetings it goes to,
      // whoever is allocated: another agency's officer has no allocation on the child.
      const tasks = await worklistReaders.agencyActions(tx, { ...params, mine: false, limit: homeTaskCount });
      counts.push({ key: 'agencyActions', total: tasks.total, capped: tasks.capped, mine: false });
      const meetings = await worklistReaders.agencyMeetings(tx, { ...params, mine: false });
      counts.push({ key: 'agencyMeetings', total: meetings.total, capped: meetings.capped, mine: false });
      // The next few actions are named on the page, so they are audited as a worklist is.
      if (tasks.rows.length > 0)
        await act.audit({
          action: 'search',
          details: { home: 'agencyActions', results: tasks.rows.length },
          disclosedIds: [...new Set(tasks.rows.flatMap((r) => (r.child_id ? [r.child_id] : [])))],
        });
      return { counts, tasks: tasks.rows };
    });
  }

  /** The worklists this person may act on: the triage queue only for those who triage. */
  static worklistsFor(user: SessionUser): WorklistKey[] {
    return worklistKeys.filter((k) => k !== 'triage' || can(user, 'triage.manage'));
  }

  /**
   * The acting person's lists, most urgent first. One list shows a page of `worklistPageSize`; the
   * overview shows the first few of each with their counts. Reading them names children, so it is
   * audited as a search.
   */
  worklists(user: SessionUser, query: WorklistQuery) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const today = this.today();
      const now = this.clock.now();
      const available = CaseworkService.worklistsFor(user);
      const keys = query.show === 'all' ? available : available.filter((k) => k === query.show);
      const size = query.show === 'all' ? worklistOverviewSize : worklistPageSize;
      const params: WorklistParams = {
        userId: user.userId,
        agencyId: user.agencyId,
        today,
        now,
        sort: query.sort,
        agency: query.agency,
        mine: query.whose === 'mine',
        limit: size,
        offset: query.show === 'all' ? 0 : (query.page - 1) * size,
        countCap: query.show === 'all' ? 100 : 1000,
      };
      const lists: Partial<Record<WorklistKey, WorklistPage>> = {};
      // One connection, one transaction: the lists are read one after another.
      for (const key of keys) lists[key] = await worklistReaders[key](tx, params);
      const agencies = await this.agencies(tx);
      // Every child and concern a worklist showed is named in the row, for each record's access log (L1).
      const shown = new Set(keys.flatMap((k) => lists[k]!.rows.flatMap((r) => [r.child_id, 'concern_id' in r ? r.concern_id : null])));
      shown.delete(null);
      await act.audit({
        action: 'search',
        details: { worklists: query, results: Object.fromEntries(keys.map((k) => [k, lists[k]!.rows.length])) },
        disclosedIds: [...shown] as string[],
      });
      return { today, agencies, lists, available, pageSize: size };
    });
  }
}

/** The chronology's text in the JSON API: English, as the API's messages are (pages and documents have their own language). */
const chronologyText = translator('en');

/** What the home page counts for a worker: their allocated children's overdue items. */
const homeSummaryLists: readonly WorklistKey[] = ['reviews', 'interviews', 'actions', 'meetings'];
const homeSummaryCap = 100;
/** Actions of the worker's agency named on the home page. */
const homeTaskCount = 5;

/** The age a child is scored at on the assessment date; a child with no date of birth is scored as the youngest, so no age override is missed. */
function ageForScoring(child: ChildSummary, assessedOn: string): number {
  return child.date_of_birth ? Math.max(0, ageOn(child.date_of_birth, assessedOn)) : 0;
}

/**
 * A saved assessment's explanation as lines a page words in its own language: the tool scores the
 * stored answers again, and the lines are used only when their English is exactly what was stored.
 * When it is not (the child's date of birth was corrected since, the row was written another way),
 * null: the page shows the explanation as it was recorded.
 */
function explanationLinesOf(definition: ToolDefinition, answers: Answers, ageYears: number, stored: readonly string[]): ExplanationLine[] | null {
  const again = scoreAssessment(definition, answers, { ageYears });
  if (!again.ok) return null;
  const same = again.assessment.explanation.length === stored.length && again.assessment.explanation.every((line, i) => line === stored[i]);
  return same ? again.assessment.explanationLines : null;
}

/** The latest version of each tool (assessments are started on these; older versions stay readable). */
export function latestVersions(tools: StoredTool[]): StoredTool[] {
  const seen = new Map<string, StoredTool>();
  for (const t of tools) {
    const current = seen.get(t.tool_key);
    if (!current || t.version > current.version) seen.set(t.tool_key, t);
  }
  return [...seen.values()];
}
